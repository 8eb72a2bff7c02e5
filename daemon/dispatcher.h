// Dispatcher: one per provider. Takes ready messages from Redis (marking them `sending`
// first), keeps up to max_in_flight requests open on its HTTP transport
// (providers/transport/transport.h), and records each outcome back in Redis in batches.
#pragma once
#include <atomic>
#include <memory>
#include <random>
#include <thread>

#include "daemon/context.h"
#include "providers/transport/transport.h"

namespace loa::daemon {

/// A provider's pause when it refuses the account, shared by its dispatchers: wall ms it
/// lasts until, and whether it was said (so it is logged once, and its end once). Also
/// the hold a rate-limited provider announced (429 with Retry-After or SpeedSMS's
/// X-Rate-Limit-Reset: the account's limit, not one message's): steady ms until which no
/// dispatcher of the provider makes a request.
struct AccountPause {
  std::atomic<std::int64_t> until{0};
  std::atomic<bool> said{false};
  std::atomic<std::int64_t> hold_until{0};
};

class Dispatcher {
 public:
  /// One of `workers` dispatchers of a provider; they share its max_in_flight and `pause`.
  /// `transports` makes its HTTP transport (make_transport; a test may pass its own).
  Dispatcher(Context& ctx, std::shared_ptr<const Runtime> rt, const std::string& provider, int workers = 1,
             transport::TransportFactory transports = transport::make_transport,
             std::shared_ptr<AccountPause> pause = std::make_shared<AccountPause>())
      : ctx_(ctx), rt_(std::move(rt)), cfg_(*rt_->cfg.provider(provider)), provider_(*rt_->providers.at(provider)),
        workers_(workers), transports_(std::move(transports)), pause_(std::move(pause)) {}

  /// Two workers for a provider with room for many requests in flight: while one waits for
  /// Redis, the other drives its requests, so neither the round trips nor one thread's CPU
  /// is the limit. One for small limits, so max_in_flight stays exact.
  static int workers_for(const config::ProviderConfig& p) { return p.max_in_flight >= 16 ? 2 : 1; }
  ~Dispatcher() { join(); }
  void start();
  static constexpr int kBreakerThreshold = 5;
  static constexpr std::int64_t kBreakerOpenMs = 10000;
  /// How long a provider that refuses the account (ErrorKind::Account) is left alone.
  static constexpr std::int64_t kAccountPauseMs = 5 * 60 * 1000;
  /// Asks this dispatcher alone to stop (a reload replaces it).
  void request_stop() { stop_ = true; }
  /// Waits for the thread; it stops taking work once ctx.stopping (or request_stop) is
  /// set and returns when its in-flight requests have finished and been recorded.
  void join();

 private:
  class Loop;
  void run();
  Context& ctx_;
  std::shared_ptr<const Runtime> rt_;  ///< keeps its config and provider alive across reloads
  const config::ProviderConfig& cfg_;
  providers::Provider& provider_;
  int workers_ = 1;
  transport::TransportFactory transports_;
  std::atomic<bool> stop_{false};
  std::shared_ptr<AccountPause> pause_;
  std::thread thread_;
};

}  // namespace loa::daemon
