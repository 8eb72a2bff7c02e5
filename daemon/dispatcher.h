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
  /// One of `workers` dispatchers of a provider; they share its max_in_flight.
  Dispatcher(Context& ctx, const config::ProviderConfig& cfg, providers::Provider& provider, int workers = 1)
      : ctx_(ctx), cfg_(cfg), provider_(provider), workers_(workers) {}

  /// Two workers for a provider with room for many requests in flight: while one waits for
  /// Redis, the other drives its requests, so neither the round trips nor one thread's CPU
  /// is the limit. One for small limits, so max_in_flight stays exact.
  static int workers_for(const config::ProviderConfig& p) { return p.max_in_flight >= 16 ? 2 : 1; }
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
  int workers_ = 1;
  std::thread thread_;
};

}  // namespace loa::daemon
