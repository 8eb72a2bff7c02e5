// Turns a job spec into its messages: validates template, wards and variables, then walks
// every ward's list row by row (streaming), filtering, de-duplicating and rendering.
// Shared by `loa preview`, `loa send` (validation) and the daemon's expander.
#pragma once
#include <cstdint>
#include <expected>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/config/config.h"
#include "core/jobs/job_spec.h"
#include "core/text/message_template.h"
#include "core/text/segments.h"
#include "core/util/i18n.h"

namespace loa::jobs {

/// The reason a message over its template's max_segments is not sent (stored in English).
inline constexpr const char* kTooManySegments = i18n::N_("message is {} segments, over max_segments {}");

/// One row of one ward: a message to send, or a row skipped with its reason.
struct PlannedMessage {
  std::int64_t index = 0;  ///< 0-based position in the job, stable across runs
  std::string ward;
  int row = 0;
  std::string name;
  std::string area;  ///< khóm/ấp
  std::string stt;   ///< the list's own number for the row (an "STT" column), when it has one
  std::string phone;  ///< "0912345678" when valid, else the raw cell
  std::string carrier;
  std::string text;  ///< empty for skipped rows
  text::SegmentCount segments;
  std::string skip_reason;  ///< non-empty: the row is skipped
  std::string fail_reason;  ///< non-empty: the message cannot be sent (kTooManySegments)
};

class Planner {
 public:
  /// Validates the job against the config: template loads with the chosen wards' columns,
  /// every declared variable given, wards known and readable, `at` parses. Errors are
  /// complete sentences naming what and where.
  /// `preloaded`: templates loaded once (the daemon's, reloaded on SIGHUP); when given, a
  /// template is taken from it instead of read from templates_dir.
  static std::expected<Planner, std::vector<std::string>> create(
      const config::Config& cfg, JobSpec spec,
      const std::map<std::string, std::shared_ptr<const text::MessageTemplate>>* preloaded = nullptr);

  using Visitor = std::function<bool(const PlannedMessage&)>;
  /// Visits every row in order (index 0, 1, ...), calling `visit` for rows with
  /// index >= `from`; stops early when it returns false. `opted_out` holds numbers in
  /// international digits ("84912345678").
  std::expected<void, std::string> for_each(const std::set<std::string>& opted_out, const Visitor& visit,
                                            std::int64_t from = 0) const;

  /// Where the repeat check may keep its table past 4 MiB (the daemon's state_dir), so a
  /// job of any size takes the same memory; unset, it stays in memory.
  void set_spill_dir(std::string dir) { spill_dir_ = std::move(dir); }

  const text::MessageTemplate& message_template() const { return template_; }
  const JobSpec& spec() const { return spec_; }
  std::optional<std::int64_t> at_ms() const { return spec_.at_ms; }

 private:
  Planner(const config::Config& cfg, JobSpec spec, text::MessageTemplate t)
      : cfg_(&cfg), spec_(std::move(spec)), template_(std::move(t)) {}
  const config::Config* cfg_;
  JobSpec spec_;
  text::MessageTemplate template_;
  std::string spill_dir_;
};

/// Loads every template of templates_dir, checking the names each uses against the
/// resident columns the ward lists provide. Errors are file:line.
std::expected<std::map<std::string, std::shared_ptr<const text::MessageTemplate>>, std::vector<std::string>>
load_templates(const config::Config& cfg);

/// The templates as `loa templates --json` and the API list them: name, description,
/// variables, encoding, max_segments.
nlohmann::json templates_json(const std::map<std::string, std::shared_ptr<const text::MessageTemplate>>& templates);

/// The template names in templates_dir (<name>.yaml), sorted.
std::vector<std::string> template_names(const config::Config& cfg);

/// Ward ids with a list in wards_dir, sorted.
std::vector<std::string> ward_ids(const config::Config& cfg);

/// The wards the config names, sorted: what --all-wards sends to (a list file the config
/// does not name is never sent to that way).
std::vector<std::string> configured_wards(const config::Config& cfg);

/// The reasons a job awaits approval (stored in English, joined by "; ").
inline constexpr const char* kHeldUrgent = i18n::N_("urgent");
inline constexpr const char* kHeldEveryWard = i18n::N_("every ward");
inline constexpr const char* kHeldOverRecipients = i18n::N_("{} recipients, over {}");

/// Why the config's `approval` policy holds `plan`'s job for a second person ("urgent",
/// "every ward", "3,000 recipients, over 500"), or nullopt when it goes as it is.
/// `recipients` gets the messages the job would send when they were counted (only when
/// the policy has over_recipients: counting reads every list).
std::expected<std::optional<std::string>, std::string> approval_reason(const config::Config& cfg, const Planner& plan,
                                                                       std::optional<std::int64_t>& recipients);
/// The same for a job whose recipients are already counted (nullopt: not counted, which
/// the policy's over_recipients then does not hold).
std::optional<std::string> approval_reason(const config::Config& cfg, const JobSpec& spec,
                                           std::optional<std::int64_t> recipients);

/// Totals over a plan, for preview and send.
struct PlanSummary {
  std::int64_t rows = 0, messages = 0, skipped = 0, too_long = 0, segments = 0, unicode = 0;
  std::int64_t cost = 0;  ///< estimated, in the pricing's currency
};

/// A plan walked once: the totals, the first `limit` messages, every skipped row and the
/// first 20 messages over max_segments (`loa preview`, `loa send`, the API's preview and
/// job creation).
struct PlanWalk {
  PlanSummary totals;
  std::vector<PlannedMessage> shown, skipped, too_long;
};
std::expected<PlanWalk, std::string> walk(const Planner& plan, const std::set<std::string>& opted_out, int limit,
                                          const config::Pricing& pricing);

/// "UCS-2" or "GSM-7".
const char* encoding_name(bool unicode);

/// A walked plan as `loa preview --json` and the API's preview give it: the shown messages
/// (numbers masked), every skipped row with its reason, and the totals (with the cost when
/// pricing is configured).
nlohmann::json preview_json(const PlanWalk& w, const text::MessageTemplate& t, const config::Pricing& pricing);

/// What the audit trail records of a send, whoever sent it: template, wards, recipients,
/// segments, estimated cost (null without pricing) and currency, urgency.
nlohmann::json send_summary(const JobSpec& spec, const PlanWalk& w, const config::Pricing& pricing);

}  // namespace loa::jobs
