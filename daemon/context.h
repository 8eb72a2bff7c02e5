// What the daemon's components share: config, providers, identity and the stop flag.
#pragma once
#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "core/config/config.h"
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

struct Context {
  config::Config cfg;
  std::string redis_url;
  std::string instance;    ///< stable id of this gateway (leases, consumer name)
  std::string public_url;  ///< base of callback URLs
  std::map<std::string, std::unique_ptr<providers::Provider>> providers;
  std::atomic<bool> stopping{false};
  WorkSignal work;
};

}  // namespace loa::daemon
