// What officials and the janitor change in a job (cancel, resend, approve or reject,
// purge by retention) and a provider's pause: the writes beside QueryStore's reads.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/jobs/states.h"
#include "core/store/query_store.h"

namespace loa::store {

class ControlStore : public StoreBase {
 public:
  using StoreBase::StoreBase;
  /// Pauses a provider that refuses the account, for `ms` (QueryStore::paused reads it).
  std::expected<void, std::string> pause(const std::string& provider, const std::string& reason, std::int64_t ms);

  /// Cancels a job; returns its state before (nullopt when there is no such job).
  std::expected<std::optional<jobs::JobState>, std::string> cancel(const std::string& job);
  /// Puts a job's `unknown` or `failed` messages back in the queue; returns how many.
  std::expected<long long, std::string> requeue(const std::string& job, jobs::MessageState state);

  /// Approves (true) or rejects a job awaiting approval, as `actor` (never its sender).
  enum class Decision { done, by_sender, no_job, not_waiting };
  struct Decided {
    Decision result = Decision::done;
    std::optional<jobs::JobState> state;  ///< the job's state when not_waiting
  };
  std::expected<Decided, std::string> decide(const std::string& job, bool approve, const std::string& actor,
                                             const std::string& reason);
  /// Retention: removes the numbers and texts of jobs finished before `cutoff_ms` (only
  /// counts them with `dry_run`); the jobs keep their counts, template and wards.
  struct Purged {
    long long jobs = 0, messages = 0;
  };
  std::expected<Purged, std::string> purge(std::int64_t cutoff_ms, bool dry_run);

  /// Jobs that have awaited approval since before `before_ms`, oldest first (decide()
  /// drops from that set a job that no longer waits, cancelled meanwhile).
  std::expected<std::vector<std::string>, std::string> approvals_before(std::int64_t before_ms);
};

}  // namespace loa::store
