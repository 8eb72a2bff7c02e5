// The commands' backend on Redis directly (the local admin's way): the stage stores on one
// connection, and the submission pipeline run here as local:<unix user>.
#include "cli/backend.h"

#include "cli/session.h"
#include "core/reports/report.h"
#include "core/store/optout_store.h"
#include "core/submit/explain.h"
#include "core/util/time.h"

namespace loa::cli {

namespace {

class RedisBackend final : public Backend {
 public:
  RedisBackend(const config::Config& cfg, std::unique_ptr<store::Redis> redis, const std::string& prefix)
      : cfg_(cfg),
        redis_(std::move(redis)),
        queries_(*redis_, prefix),
        control_(*redis_, prefix),
        optouts_(*redis_, prefix),
        accounts_(*redis_, prefix),
        audit_(*redis_, prefix),
        reminders_(*redis_, prefix) {}

  store::RemindStore* reminders() override { return &reminders_; }

  std::expected<submit::Outcome, std::string> submit(const submit::Request& r) override {
    const submit::Place place{.cfg = cfg_, .redis = redis_.get()};
    return submit::submit(place, local_asker(), r);
  }
  // A job's status, with what it waits for and (awaiting approval) what is asked.
  std::expected<std::optional<store::JobStatus>, std::string> status(const std::string& job) override {
    auto st = queries_.find(job);
    if (st && *st) submit::explain({.cfg = cfg_, .redis = redis_.get()}, **st, true, util::now_ms());
    return st;
  }
  std::expected<std::optional<std::int64_t>, std::string> gateway_idle_ms() override { return queries_.gateway_idle_ms(); }
  std::expected<std::optional<store::QueryStore::Pause>, std::string> paused(const std::string& provider) override {
    return queries_.paused(provider);
  }
  std::expected<std::vector<store::JobStatus>, std::string> jobs(int limit, const std::string& ward) override {
    auto list = queries_.recent(limit, ward);
    if (list)
      for (auto& st : *list) submit::explain({.cfg = cfg_, .redis = redis_.get()}, st, false, util::now_ms());
    return list;
  }
  std::expected<void, std::string> message_objects(const std::string& job, std::int64_t total, bool full_numbers,
                                                   const std::function<void(const nlohmann::json&)>& fn) override {
    return queries_.for_each_message(
        job, total, [&](const store::MessageRecord& m) { fn(reports::message_json(m, cfg_, full_numbers)); });
  }
  std::expected<void, std::string> messages(const std::string& job, std::int64_t total,
                                            const std::function<void(const store::MessageRecord&)>& fn) override {
    return queries_.for_each_message(job, total, fn);
  }
  std::expected<std::optional<jobs::JobState>, std::string> cancel(const std::string& job) override {
    return control_.cancel(job);
  }
  std::expected<long long, std::string> requeue(const std::string& job, jobs::MessageState state) override {
    return control_.requeue(job, state);
  }
  std::expected<void, std::string> optout_add(const std::string& digits, const std::string& reason) override {
    return optouts_.add(digits, reason);
  }
  std::expected<bool, std::string> optout_remove(const std::string& digits) override {
    return optouts_.remove(digits);
  }
  std::expected<std::map<std::string, std::string>, std::string> optouts() override { return optouts_.list(); }

  std::expected<store::ControlStore::Decided, std::string> decide(const std::string& job, bool approve,
                                                                const std::string& actor,
                                                                const std::string& reason) override {
    return control_.decide(job, approve, actor, reason);
  }

  std::expected<store::ControlStore::Purged, std::string> purge(std::int64_t cutoff_ms, bool dry_run) override {
    return control_.purge(cutoff_ms, dry_run);
  }
  std::expected<long long, std::string> audit_trim(std::int64_t retention_ms, const std::string& actor,
                                                  const std::string& source) override {
    return audit_.trim(retention_ms, actor, source);
  }

  std::expected<store::AccountStore::Added, std::string> account_add(const store::Account& a,
                                                                     const std::string& by) override {
    return accounts_.add(a, by);
  }
  std::expected<std::vector<store::Account>, std::string> accounts() override { return accounts_.list(); }
  std::expected<bool, std::string> account_revoke(const std::string& name) override { return accounts_.revoke(name); }

  std::expected<store::AuditEntry, std::string> audit_append(const store::AuditEntry& e) override {
    return audit_.append(e);
  }
  std::expected<void, std::string> audit_read(const store::AuditStore::Filter& f,
                                              const std::function<void(const store::AuditEntry&)>& fn) override {
    return audit_.read(f, fn);
  }
  std::expected<store::AuditStore::Verdict, std::string> audit_verify(std::int64_t retention_ms) override {
    return audit_.verify(retention_ms);
  }

 private:
  const config::Config& cfg_;
  std::unique_ptr<store::Redis> redis_;
  store::QueryStore queries_;
  store::ControlStore control_;
  store::OptoutStore optouts_;
  store::AccountStore accounts_;
  store::AuditStore audit_;
  store::RemindStore reminders_;
};

}  // namespace

std::expected<std::unique_ptr<Backend>, std::string> redis_backend(const config::Config& cfg) {
  auto r = store::Redis::connect(store::redis_url(cfg.redis.url, cfg.state_dir), 3000);
  if (!r) {
    if (cfg.redis.embedded()) return std::unexpected(r.error() + " (is loa-gatewayd running? it starts the embedded Redis)");
    return std::unexpected(r.error());
  }
  return std::make_unique<RedisBackend>(cfg, std::move(*r), cfg.redis.prefix);
}

}  // namespace loa::cli
