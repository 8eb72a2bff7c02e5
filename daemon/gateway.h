// The gateway: owns every component of loa-gatewayd, starts them in order and drains
// them on stop.
#pragma once
#include <expected>
#include <memory>
#include <string>
#include <vector>

#include "core/store/audit_store.h"
#include "daemon/context.h"

namespace loa::store {
class RedisHolder;
}

namespace loa::daemon {

class Dispatcher;
class EmbeddedRedis;

class Gateway {
 public:
  /// Validates the config file and every provider section; errors are file:line lines.
  static std::expected<std::unique_ptr<Gateway>, std::vector<std::string>> create(const std::string& config_path);
  ~Gateway();

  /// Starts everything and blocks until request_stop(); then drains. Returns the exit code.
  int run();
  /// Safe from any thread (the signal thread calls it).
  void request_stop();
  /// Re-reads the config, providers and templates (SIGHUP); safe from any thread. A bad
  /// reload keeps everything as it was and logs why.
  void request_reload();

 private:
  Gateway();
  void janitor(store::RedisHolder& redis, EmbeddedRedis* embedded);
  /// Returns the audit entry that records it (applied or refused).
  store::AuditEntry reload();
  /// Rejects approval requests older than the config's approval.expire_hours, recording
  /// each in the audit trail.
  std::expected<void, std::string> expire_approvals(store::Redis& redis);
  /// Retention (retention.message_days, audit_days), by one gateway at a time (a lock in
  /// Redis), every 10 minutes; what it removed is recorded in the audit trail.
  std::expected<void, std::string> apply_retention(store::Redis& redis);
  config::Config startup_cfg_;  ///< the config as at start-up; reloads go to ctx_->runtime()
  std::unique_ptr<Context> ctx_;
  std::vector<std::unique_ptr<Dispatcher>> dispatchers_;
  std::string config_path_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_requested_ = false;
  bool reload_requested_ = false;
};

/// The instance id: $LOA_INSTANCE_ID, else "<hostname>:<configured webhook port>".
std::string instance_id(const config::Config& cfg);

}  // namespace loa::daemon
