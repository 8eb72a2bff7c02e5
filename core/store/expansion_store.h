// Expansion: a gateway claims a due job under a lease and writes its messages in chunks,
// each chunk only if the job's cursor is still where it read it.
#pragma once
#include <cstdint>
#include <optional>

#include "core/jobs/states.h"
#include "core/store/codec.h"
#include "core/store/store_base.h"

namespace loa::store {

/// One expanded message, as the expander writes it. A queued one goes on the lane of the
/// first provider of its route; skipped and failed ones carry the reason.
struct ExpandedRow {
  std::int64_t index = 0;
  MessageData data;  ///< queued_at is set when it is written
  jobs::MessageState state = jobs::MessageState::queued;
  std::string error;
};

class ExpansionStore : public StoreBase {
 public:
  using StoreBase::StoreBase;
  struct Claim {
    std::string job;
    std::int64_t cursor = 0;
    std::string spec_json;
  };
  /// Claims a due job for expansion with a lease. nullopt when none is due; `next_due_ms`
  /// then holds the earliest future due time (0 when none).
  std::expected<std::optional<Claim>, std::string> claim(const std::string& instance, std::int64_t lease_ms,
                                                         std::int64_t* next_due_ms);
  /// Writes rows [expected, expected+rows.size()) if the cursor is still `expected`.
  std::expected<bool, std::string> expand_chunk(const std::string& job, std::int64_t expected,
                                                const std::vector<ExpandedRow>& rows, std::int64_t lease_ms);
  std::expected<bool, std::string> finish_expansion(const std::string& job, std::int64_t cursor);
  std::expected<void, std::string> reject(const std::string& job, const std::string& reason);
  /// Makes this instance's unfinished expansions due now; returns how many.
  std::expected<long long, std::string> resume_mine(const std::string& instance);
};

}  // namespace loa::store
