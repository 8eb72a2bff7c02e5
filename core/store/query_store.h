// Queries and operator actions: what `loa status/jobs/report` read and what
// `loa cancel/retry/optout` change.
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>

#include <nlohmann/json.hpp>

#include "core/jobs/states.h"
#include "core/store/codec.h"
#include "core/store/store_base.h"

namespace loa::store {

struct JobStatus {
  std::string id;
  std::optional<jobs::JobState> state;  ///< nullopt for a value Loa never writes
  std::string reason;
  std::string template_name;
  std::string wards;
  std::string by;  ///< who sent it (the job JSON's "by"); empty when it does not say
  std::optional<std::int64_t> recipients;  ///< counted for the approval policy
  std::int64_t purged_ms = 0;              ///< when retention removed its numbers and texts (0: not)
  std::string decided_by;                  ///< who approved or rejected it
  std::int64_t total = 0;
  std::int64_t created_ms = 0, due_ms = 0, finished_ms = 0;
  bool expanded = false;
  bool urgent = false;
  std::array<std::int64_t, jobs::kMessageStates.size()> counts{};  ///< by jobs::MessageState
  std::string spec_json;  ///< the job as it was sent (the stream's JSON); not in job_json()
  /// What the layers above add for people (core/submit/explain.h): "waiting" (what the job
  /// waits for) and "asked" (what an approver is asked to approve). job_json() carries them.
  nlohmann::json details = nlohmann::json::object();
  std::int64_t count(jobs::MessageState s) const { return counts[static_cast<std::size_t>(s)]; }
  std::string_view state_name() const { return state ? jobs::name(*state) : "?"; }
};

/// One recipient row of a job's report.
struct MessageRecord {
  std::int64_t index = 0;
  MessageData data;
  MessageProgress progress;
};

/// A job's status as `loa status --json` and the API print it: {"id", "state", "total",
/// "counts": {...}}, with "reason", "by" and "recipients" when there are.
nlohmann::ordered_json status_json(const JobStatus& st);

/// status_json() and everything else a client needs to speak of the job as `loa` on Redis
/// does: "template", "wards", "created" (and "due", "finished", "purged" when set, each in
/// Unix milliseconds), "expanded", "urgent", "decided_by". The API answers with it.
nlohmann::ordered_json job_json(const JobStatus& st);
/// The job job_json() describes; the error names what is missing or of the wrong type.
std::expected<JobStatus, std::string> job_from_json(const nlohmann::json& j);

class QueryStore : public StoreBase {
 public:
  using StoreBase::StoreBase;
  std::expected<std::optional<JobStatus>, std::string> status(const std::string& job);
  /// A job's status wherever it is: admitted, or still in the stream (`submitted`).
  std::expected<std::optional<JobStatus>, std::string> find(const std::string& job);
  /// The newest jobs, at most `limit`: those no gateway has taken yet first, then the
  /// admitted ones; only those sent to `ward` when it is not empty.
  std::expected<std::vector<JobStatus>, std::string> recent(int limit, const std::string& ward);
  /// A job still in the stream that no gateway has admitted: state `submitted`, counts 0,
  /// template and wards from its JSON; nullopt when the stream has no such entry.
  std::expected<std::optional<JobStatus>, std::string> submitted(const std::string& job);
  /// The newest stream entries (at most `limit`) no gateway has admitted yet.
  std::expected<std::vector<JobStatus>, std::string> submitted_list(int limit);
  /// How long since a gateway last read the job stream (the least idle consumer of its
  /// group); nullopt when no gateway ever has.
  std::expected<std::optional<std::int64_t>, std::string> gateway_idle_ms();
  /// A provider paused by a gateway because it refuses the account: the reason and the ms
  /// left (`<prefix>:paused:<provider>`, expiring with the pause); nullopt when not paused.
  struct Pause {
    std::string reason;
    std::int64_t left_ms = 0;
  };
  std::expected<std::optional<Pause>, std::string> paused(const std::string& provider);
  /// How many jobs are in each state, cluster-wide (kept by the scripts as states change;
  /// a state no job ever reached is 0).
  std::expected<std::array<std::int64_t, jobs::kJobStates.size()>, std::string> job_counts();
  /// Counts the jobs by state when that count is missing (a Redis from before it was kept);
  /// how many jobs it counted, -1 when the count was there.
  std::expected<long long, std::string> count_jobs_if_missing();
  /// The newest `limit` jobs, those sent to `ward` only when it is not empty.
  std::expected<std::vector<JobStatus>, std::string> list(int limit, const std::string& ward);
  /// Reads a job's messages in order, a batch at a time, calling `fn` for each.
  std::expected<void, std::string> for_each_message(const std::string& job, std::int64_t total,
                                                    const std::function<void(const MessageRecord&)>& fn);
  /// The same from message `from` (0-based) on, until `fn` returns false.
  std::expected<void, std::string> scan_messages(const std::string& job, std::int64_t total, std::int64_t from,
                                                 const std::function<bool(const MessageRecord&)>& fn);
};

}  // namespace loa::store
