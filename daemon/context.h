// What the daemon's components share: config, providers, identity and the stop flag.
#pragma once
#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <optional>
#include <mutex>
#include <string>

#include "core/config/config.h"
#include "core/text/message_template.h"
#include "providers/provider.h"

namespace loa::daemon {

/// Wakes dispatchers when new work may be on their lists (same process); other
/// instances find it by polling.
class WorkSignal {
 public:
  void notify() {
    {
      std::lock_guard lock(mu_);
      ++generation_;
    }
    cv_.notify_all();
  }
  /// Waits until notified or `ms` passed.
  void wait(int ms) {
    std::unique_lock lock(mu_);
    auto seen = generation_;
    cv_.wait_for(lock, std::chrono::milliseconds(ms), [&] { return generation_ != seen; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  unsigned long generation_ = 0;
};

/// What SIGHUP can replace: the config's reloadable parts, providers and templates.
/// Immutable once published; components take a snapshot per job, loop turn or request.
struct Runtime {
  config::Config cfg;
  std::map<std::string, std::shared_ptr<providers::Provider>> providers;
  std::map<std::string, std::shared_ptr<const text::MessageTemplate>> templates;
};

/// The settings only a restart changes, taken from the config at start-up. Everything
/// else is read from runtime()->cfg, which a reload replaces: the two cannot be mixed up.
struct FixedSettings {
  std::string redis_prefix;
  std::string state_dir;
  std::string webhook_host;
  int webhook_port = 0;
  config::WebhookLimits webhook;
  std::string public_url;  ///< as configured ("" for the bound address)
  std::optional<config::ApiListener> api;
  static FixedSettings of(const config::Config& c) {
    return {c.redis.prefix, c.state_dir, c.webhook_host, c.webhook_port, c.webhook, c.public_url, c.api};
  }
  /// The keys of `c` that differ from these (a reload then warns they wait for a restart).
  bool differs(const config::Config& c) const {
    return c.redis.prefix != redis_prefix || c.state_dir != state_dir || c.webhook_host != webhook_host ||
           c.webhook_port != webhook_port || c.public_url != public_url || c.api.has_value() != api.has_value() ||
           (api && (c.api->host != api->host || c.api->port != api->port));
  }
};

struct Context {
  FixedSettings fixed;
  std::string redis_url;
  std::string instance;    ///< stable id of this gateway (leases, consumer name)
  std::string public_url;  ///< base of callback URLs
  std::atomic<bool> stopping{false};
  WorkSignal work;

  /// Why Redis is unavailable ("" when it answers), for /healthz and STATUS=.
  void set_redis_down(std::string why) {
    std::lock_guard lock(runtime_mu_);
    redis_down_ = std::move(why);
  }
  std::string redis_down() const {
    std::lock_guard lock(runtime_mu_);
    return redis_down_;
  }

  std::shared_ptr<const Runtime> runtime() const {
    std::lock_guard lock(runtime_mu_);
    return runtime_;
  }
  void set_runtime(std::shared_ptr<const Runtime> rt) {
    std::lock_guard lock(runtime_mu_);
    runtime_ = std::move(rt);
  }

 private:
  mutable std::mutex runtime_mu_;
  std::shared_ptr<const Runtime> runtime_;
  std::string redis_down_;
};

}  // namespace loa::daemon
