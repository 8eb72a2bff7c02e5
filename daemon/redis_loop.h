// The shape of the daemon's components that own a thread and a Redis connection (intake,
// expander, reminders): a thread that runs turns until the daemon stops. Each turn is
// given a connected Redis — while Redis is away the loop waits out the connection's
// backoff, woken early by the work signal — and a turn that fails returns its error, which
// drops the connection for the next turn to make again (and logs it, throttled, once).
// This is the one place that reconnect preamble is written.
#pragma once
#include <expected>
#include <functional>
#include <string>
#include <thread>

#include "core/store/redis.h"
#include "daemon/context.h"

namespace loa::daemon {

class RedisLoop {
 public:
  /// A turn: `fresh` is true on a connection's first turn (a new one, or after a drop).
  using Turn = std::function<std::expected<void, std::string>(store::Redis& redis, bool fresh)>;
  /// `name` names the connection in the log; `max_wait_ms` bounds one wait for Redis.
  RedisLoop(Context& ctx, std::string name, int max_wait_ms, Turn turn)
      : ctx_(ctx), name_(std::move(name)), max_wait_ms_(max_wait_ms), turn_(std::move(turn)) {}
  ~RedisLoop() { join(); }
  RedisLoop(const RedisLoop&) = delete;
  RedisLoop& operator=(const RedisLoop&) = delete;

  void start();
  /// Waits for the thread, which ends once ctx.stopping is set.
  void join();

 private:
  void run();
  Context& ctx_;
  std::string name_;
  int max_wait_ms_;
  Turn turn_;
  std::thread thread_;
};

}  // namespace loa::daemon
