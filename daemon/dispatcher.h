// Dispatcher: one per provider. Takes ready messages from Redis (marking them `sending`
// first), keeps up to max_in_flight requests open on a curl multi handle, and records
// each outcome back in Redis in batches.
#pragma once
#include <random>
#include <thread>

#include "daemon/context.h"

namespace loa::daemon {

class Dispatcher {
 public:
  Dispatcher(Context& ctx, const config::ProviderConfig& cfg, providers::Provider& provider)
      : ctx_(ctx), cfg_(cfg), provider_(provider) {}
  ~Dispatcher() { join(); }
  void start();
  static constexpr int kBreakerThreshold = 5;
  static constexpr std::int64_t kBreakerOpenMs = 10000;
  /// Waits for the thread; it stops taking work once ctx.stopping is set and returns
  /// when its in-flight requests have finished and been recorded.
  void join();

 private:
  void run();
  Context& ctx_;
  const config::ProviderConfig& cfg_;
  providers::Provider& provider_;
  std::thread thread_;
};

}  // namespace loa::daemon
