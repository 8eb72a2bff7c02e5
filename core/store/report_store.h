// Delivery reports: the webhook applies a request's reports in one round trip.
#pragma once
#include <string_view>

#include "core/jobs/states.h"
#include "core/store/store_base.h"

namespace loa::store {

/// A delivery report to apply: by Loa's ref, or (ref empty) by the provider's message id.
struct ReportUpdate {
  std::string ref, provider_id;
  jobs::MessageState state = jobs::MessageState::delivered;  ///< delivered or failed
  std::string error;
};

/// What a report did: applied; a duplicate (a repeat, or the message was already final);
/// unknown (no such message or id); foreign (a message never handed to this provider:
/// ignored).
enum class ReportEffect { applied, duplicate, unknown, foreign };
inline constexpr std::string_view kReportEffectNames[] = {"applied", "duplicate", "unknown", "foreign"};
constexpr std::string_view name(ReportEffect e) { return kReportEffectNames[static_cast<int>(e)]; }
struct ReportResult {
  ReportEffect effect = ReportEffect::unknown;
  std::string ref;  ///< the message's ref ("" for an unknown id)
};

class ReportStore : public StoreBase {
 public:
  using StoreBase::StoreBase;
  /// Applies a webhook request's delivery reports from `provider`; one result each.
  std::expected<std::vector<ReportResult>, std::string> apply(const std::string& provider,
                                                              const std::vector<ReportUpdate>& reports);
};

}  // namespace loa::store
