// Intake: reads jobs from the <prefix>:jobs stream through the consumer group, validates
// them and stores each as a job (queued, scheduled or rejected) before acknowledging it.
#pragma once
#include <chrono>
#include <expected>
#include <string>

#include "core/store/redis.h"
#include "daemon/context.h"
#include "daemon/redis_loop.h"

namespace loa::daemon {

class Intake {
 public:
  explicit Intake(Context& ctx)
      : ctx_(ctx), loop_(ctx, "intake", 200, [this](store::Redis& r, bool fresh) { return turn(r, fresh); }) {}
  void start() { loop_.start(); }
  void join() { loop_.join(); }

 private:
  /// Reads a batch (or takes over orphans), admits and acknowledges each entry.
  std::expected<void, std::string> turn(store::Redis& redis, bool fresh);
  Context& ctx_;
  bool pending_ = true;  ///< first re-read what this consumer took but never acknowledged
  std::chrono::steady_clock::time_point next_autoclaim_ = std::chrono::steady_clock::now();
  RedisLoop loop_;  ///< last: its thread ends before the state above goes
};

}  // namespace loa::daemon
