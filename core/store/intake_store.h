// The job stream: producers (`loa send`) add jobs; the gateway's intake reads them with
// a consumer group and admits each one once.
#pragma once
#include <cstdint>
#include <optional>

#include "core/jobs/job_spec.h"
#include "core/jobs/states.h"
#include "core/store/store_base.h"

namespace loa::store {

struct StreamEntry {
  std::string id;
  std::optional<std::string> job;  ///< the "job" field; nullopt when absent or trimmed
};

/// A job read from the stream, to store: queued (due at `due_ms`, now when absent) or
/// rejected with a reason.
struct Admission {
  std::string id;
  std::string spec_json;
  std::optional<jobs::JobSpec> spec;  ///< absent when spec_json did not parse
  jobs::JobState state = jobs::JobState::queued;
  std::string reason;
  std::optional<std::int64_t> due_ms;
  std::optional<std::int64_t> recipients;  ///< counted for the approval policy
};

class IntakeStore : public StoreBase {
 public:
  using StoreBase::StoreBase;
  /// XADDs the job. With a key (scoped to who sends: spec.by), a repeat of the same
  /// announcement returns the first job's id and `created=false`; the key reused for a
  /// different one enqueues nothing and says `conflict`.
  struct Enqueued {
    std::string id;
    bool created = true;
    bool conflict = false;
  };
  std::expected<Enqueued, std::string> enqueue(const jobs::JobSpec& spec);
  /// The Redis key of spec's idempotency key: one per sender (account, local:<user>,
  /// remind:<name>), so one official's key never answers another's.
  std::string idem_key(const jobs::JobSpec& spec) const;

  /// Creates the consumer group at 0 (an existing group is fine).
  std::expected<void, std::string> ensure_group();
  /// XREADGROUP: `pending` re-reads this consumer's unacknowledged entries.
  std::expected<std::vector<StreamEntry>, std::string> read_jobs(const std::string& consumer, bool pending, int count,
                                                                 int block_ms);
  /// Takes over entries another consumer left unacknowledged for `min_idle_ms`.
  std::expected<std::vector<StreamEntry>, std::string> autoclaim(const std::string& consumer, std::int64_t min_idle_ms);
  std::expected<void, std::string> ack(const std::string& id);

  /// The job of the last 24 hours enqueued under this fingerprint (`loa send --again`).
  std::expected<std::optional<std::string>, std::string> recent(const std::string& fingerprint);
  /// Remembers `job` under `fingerprint` for 24 hours.
  std::expected<void, std::string> remember(const std::string& fingerprint, const std::string& job);
  /// Stores a job once (a repeat of the same id is a no-op); a repeat of another job's
  /// idempotency key is stored rejected.
  std::expected<void, std::string> admit(const Admission& a);
};

}  // namespace loa::store
