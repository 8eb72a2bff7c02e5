// What the commands work through: Redis directly (the local admin's way, as loa-gatewayd
// sees the same keys; cli/redis_backend.cpp), or the officials' HTTP API with an account's
// token (`loa --server URL`; cli/api_backend.cpp). A command is written once, against this.
#pragma once
#include <expected>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/config/config.h"
#include "core/jobs/job_spec.h"
#include "core/jobs/states.h"
#include "core/store/account_store.h"
#include "core/store/audit_store.h"
#include "core/store/intake_store.h"
#include "core/store/control_store.h"
#include "core/store/query_store.h"
#include "core/store/remind_store.h"
#include "core/submit/submission.h"

namespace loa::cli {

class Backend {
 public:
  virtual ~Backend() = default;
  /// A preview, check or send of an announcement (by `r.mode`) through the one submission
  /// pipeline (core/submit): on Redis as the local admin, or by the API as the account. The
  /// error: the backend could not be asked at all (a refusal is an outcome).
  virtual std::expected<submit::Outcome, std::string> submit(const submit::Request& r) = 0;
  /// nullopt when there is no such job.
  virtual std::expected<std::optional<store::JobStatus>, std::string> status(const std::string& job) = 0;
  /// How long since a gateway last read the job queue; nullopt when none ever has (or not
  /// known: the API tells it in a job's status instead).
  virtual std::expected<std::optional<std::int64_t>, std::string> gateway_idle_ms() = 0;
  /// A provider a gateway paused because it refuses the account; nullopt when not paused
  /// (or not known: the API does not tell).
  virtual std::expected<std::optional<store::QueryStore::Pause>, std::string> paused(const std::string& provider) = 0;
  virtual std::expected<std::vector<store::JobStatus>, std::string> jobs(int limit, const std::string& ward) = 0;
  /// A job's messages in order, a batch at a time.
  virtual std::expected<void, std::string> messages(const std::string& job, std::int64_t total,
                                                    const std::function<void(const store::MessageRecord&)>& fn) = 0;
  /// A job's recipients for programs (reports::message_json()), in order; through the API
  /// the numbers are always masked.
  virtual std::expected<void, std::string> message_objects(const std::string& job, std::int64_t total, bool full_numbers,
                                                           const std::function<void(const nlohmann::json&)>& fn) = 0;
  /// The job's state before (nullopt when there is no such job).
  virtual std::expected<std::optional<jobs::JobState>, std::string> cancel(const std::string& job) = 0;
  virtual std::expected<long long, std::string> requeue(const std::string& job, jobs::MessageState state) = 0;
  virtual std::expected<void, std::string> optout_add(const std::string& digits, const std::string& reason) = 0;
  virtual std::expected<bool, std::string> optout_remove(const std::string& digits) = 0;
  /// digits -> stored JSON {reason, at}.
  virtual std::expected<std::map<std::string, std::string>, std::string> optouts() = 0;

  virtual std::expected<store::ControlStore::Decided, std::string> decide(const std::string& job, bool approve,
                                                                        const std::string& actor,
                                                                        const std::string& reason) = 0;

  virtual std::expected<store::ControlStore::Purged, std::string> purge(std::int64_t cutoff_ms, bool dry_run) = 0;
  virtual std::expected<long long, std::string> audit_trim(std::int64_t retention_ms, const std::string& actor,
                                                          const std::string& source) = 0;

  virtual std::expected<store::AccountStore::Added, std::string> account_add(const store::Account& a,
                                                                             const std::string& by) = 0;
  virtual std::expected<std::vector<store::Account>, std::string> accounts() = 0;
  virtual std::expected<bool, std::string> account_revoke(const std::string& name) = 0;

  virtual std::expected<store::AuditEntry, std::string> audit_append(const store::AuditEntry& e) = 0;
  virtual std::expected<void, std::string> audit_read(const store::AuditStore::Filter& f,
                                                      const std::function<void(const store::AuditEntry&)>& fn) = 0;
  virtual std::expected<store::AuditStore::Verdict, std::string> audit_verify(std::int64_t retention_ms) = 0;

  /// The reminders on Redis (`loa remind`); nullptr through the API, which has no endpoint
  /// for them yet.
  virtual store::RemindStore* reminders() { return nullptr; }
};

/// The backend on the config's Redis; the error says why it cannot be reached.
std::expected<std::unique_ptr<Backend>, std::string> redis_backend(const config::Config& cfg);

}  // namespace loa::cli
