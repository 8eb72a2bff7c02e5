// Jobs and messages in Redis: the key layout and every operation the daemon and the
// command line perform on them. One JobStore per thread (it owns one connection's scripts).
#pragma once
#include <cstdint>
#include <expected>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/jobs/job_spec.h"
#include "core/store/redis.h"

namespace loa::store {

/// Message states, in the order reports list them.
inline constexpr const char* kMessageStates[] = {"queued", "sending", "sent",    "delivered",
                                                 "failed", "skipped", "unknown", "cancelled"};

struct JobStatus {
  std::string id;
  std::string state;
  std::string reason;
  std::string template_name;
  std::string wards;
  std::int64_t total = 0;
  std::int64_t created_ms = 0, due_ms = 0, finished_ms = 0;
  bool expanded = false;
  bool urgent = false;
  std::map<std::string, std::int64_t> counts;  ///< every message state, zero when absent
};

/// One recipient row of a job's report.
struct MessageRecord {
  std::int64_t index = 0;
  /// data: w(ard) r(ow) n(ame) p(hone) u(nicode) rt (route) tq (queued at) t(ext);
  /// state: s(tate) a(ttempts) pr(ovider) o(wner) tsend tsent tdone pid dlr e(rror).
  std::map<std::string, std::string> fields;
  std::string get(const std::string& k) const {
    auto it = fields.find(k);
    return it == fields.end() ? "" : it->second;
  }
};

/// A message handed to a dispatcher by take().
struct Outbound {
  std::string ref;    ///< "<job>.<index>", Loa's unique id for the message
  std::string phone;  ///< "0912345678"
  std::string text;
  int attempts = 0;  ///< including this one
  bool unicode = false;
  std::string route;  ///< comma-separated providers, in failover order
  std::string lease;  ///< the lease this message was taken under, with others of its job
};

/// What became of one send attempt.
struct Outcome {
  std::string ref;
  std::string outcome;  ///< sent | delivered | failed | unknown | retry
  std::string provider_id;
  std::string error;
  std::int64_t retry_delay_ms = 0;
  std::string retry_provider;
};

/// One expanded row, as the expander writes it.
struct ExpandedRow {
  std::int64_t index = 0;
  std::string ward, row, name, phone, carrier, text, segments, unicode;
  std::string state;  ///< queued | skipped | failed
  std::string error, provider, route;
};

/// A delivery report to apply: by Loa's ref, or (ref empty) by the provider's message id.
struct ReportUpdate {
  std::string ref, provider_id;
  std::string state;  ///< delivered | failed
  std::string error;
};
/// What a report did: "applied", "duplicate" (a repeat, or the message was already final)
/// or "unknown" (no such message or id); the message's ref ("" for an unknown id).
struct ReportResult {
  std::string result, ref;
};

struct StreamEntry {
  std::string id;
  std::optional<std::string> job;  ///< the "job" field; nullopt when absent or trimmed
};

class JobStore {
 public:
  JobStore(Redis& redis, std::string prefix) : redis_(redis), p_(std::move(prefix)) {}

  // --- producers ---------------------------------------------------------------
  /// XADDs the job; with a key, a repeat returns the first job's id and `created=false`.
  struct Enqueued {
    std::string id;
    bool created = true;
  };
  std::expected<Enqueued, std::string> enqueue(const jobs::JobSpec& spec);

  // --- intake --------------------------------------------------------------------
  /// Creates the consumer group at 0 (an existing group is fine).
  std::expected<void, std::string> ensure_group();
  /// XREADGROUP: `pending` re-reads this consumer's unacknowledged entries.
  std::expected<std::vector<StreamEntry>, std::string> read_jobs(const std::string& consumer, bool pending,
                                                                 int count, int block_ms);
  /// Takes over entries another consumer left unacknowledged for `min_idle_ms`.
  std::expected<std::vector<StreamEntry>, std::string> autoclaim(const std::string& consumer, std::int64_t min_idle_ms);
  std::expected<void, std::string> ack(const std::string& id);
  /// Stores a job once (a repeat of the same id is a no-op). state: queued or rejected.
  std::expected<void, std::string> admit(const std::string& id, const std::string& spec_json,
                                         const std::optional<jobs::JobSpec>& spec, const std::string& state,
                                         const std::string& reason, std::optional<std::int64_t> due_ms);

  // --- expansion -------------------------------------------------------------------
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
  std::expected<long long, std::string> resume_mine(const std::string& instance);

  // --- dispatch ------------------------------------------------------------------------
  /// Takes up to `n` messages for `provider`, within its shared rate limit (`rate` per
  /// second, 0 for none, with `burst`), urgent jobs first, round-robin across jobs; only
  /// urgent ones when `bulk_allowed` is false (quiet hours). When the rate limit allows
  /// nothing now, returns no messages and sets `wait_ms`.
  std::expected<std::vector<Outbound>, std::string> take(const std::string& provider, int n, std::int64_t lease_ms,
                                                         const std::string& instance, double rate, int burst,
                                                         bool bulk_allowed, std::int64_t& wait_ms,
                                                         std::optional<std::int64_t> clock_ms = std::nullopt);
  /// record() then take() in one round trip, in two halves (Redis::send_evals): the caller
  /// drives its requests while Redis runs the scripts (Redis::evals_arrived says when the
  /// answer is in). Nothing else may use this connection in between. With `n` 0 it only
  /// records.
  std::expected<void, std::string> begin_record_and_take(const std::string& provider, const std::vector<Outcome>& outcomes,
                                                         const std::vector<std::string>& releases, bool map_ids, int n,
                                                         std::int64_t lease_ms, const std::string& instance, double rate,
                                                         int burst, bool bulk_allowed);
  std::expected<std::vector<Outbound>, std::string> end_record_and_take(std::int64_t& wait_ms);
  /// Records send outcomes and releases the leases (Outbound::lease) all of whose
  /// messages have their outcome now, in these or earlier calls. `map_ids`: keep provider
  /// id -> ref for 15 days, for providers whose delivery reports name messages only by
  /// their own id.
  std::expected<void, std::string> record(const std::string& provider, const std::vector<Outcome>& outcomes,
                                          const std::vector<std::string>& releases, bool map_ids = true);
  std::expected<long long, std::string> recover(const std::string& instance, bool startup);
  std::expected<long long, std::string> promote_retries();
  /// Messages waiting on a provider's lanes.
  std::expected<long long, std::string> ready_depth(const std::string& provider);

  // --- delivery reports ------------------------------------------------------------------
  /// Applies a webhook request's delivery reports in one round trip; one result each.
  std::expected<std::vector<ReportResult>, std::string> apply_reports(const std::string& provider,
                                                                      const std::vector<ReportUpdate>& reports);

  // --- queries and operator actions -----------------------------------------------------------
  std::expected<std::optional<JobStatus>, std::string> status(const std::string& job);
  std::expected<std::vector<JobStatus>, std::string> list(int limit, const std::string& ward);
  /// One message of a job; nullopt when there is none at that index.
  std::expected<std::optional<MessageRecord>, std::string> message(const std::string& job, std::int64_t index);
  /// Reads a job's messages in order, a batch at a time, calling `fn` for each.
  std::expected<void, std::string> for_each_message(const std::string& job, std::int64_t total,
                                                    const std::function<void(const MessageRecord&)>& fn);
  /// Cancels a job; returns its state before ("none" when there is no such job).
  std::expected<std::string, std::string> cancel(const std::string& job);

  /// Puts a job's `unknown` or `failed` messages back in the queue; returns how many.
  std::expected<long long, std::string> requeue(const std::string& job, const std::string& state);

  std::expected<void, std::string> optout_add(const std::string& digits, const std::string& reason);
  std::expected<bool, std::string> optout_remove(const std::string& digits);
  /// digits -> stored JSON {reason, at}.
  std::expected<std::map<std::string, std::string>, std::string> optout_list();

  const std::string& prefix() const { return p_; }
  std::string key(const std::string& suffix) const { return p_ + ":" + suffix; }

 private:
  std::expected<Reply, std::string> run(const Script& s, const std::vector<std::string>& keys,
                                        std::vector<std::string> args);
  Redis& redis_;
  std::string p_;
};

/// The Redis URL a config names: `unix://<state_dir>/redis.sock` for "embedded".
std::string redis_url(const std::string& configured, const std::string& state_dir);

}  // namespace loa::store
