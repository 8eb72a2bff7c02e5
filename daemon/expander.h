// Expander: claims due jobs (with a lease), walks their ward lists through the Planner and
// writes messages to Redis in chunks, each chunk guarded by the job's cursor so that a
// crash or a racing expander neither loses nor duplicates a row.
#pragma once
#include <cstdint>
#include <expected>
#include <string>

#include "daemon/context.h"
#include "daemon/redis_loop.h"

namespace loa::daemon {

class Expander {
 public:
  explicit Expander(Context& ctx)
      : ctx_(ctx), loop_(ctx, "expander", 200, [this](store::Redis& r, bool) { return turn(r); }) {}
  void start() { loop_.start(); }
  void join() { loop_.join(); }

  static constexpr std::int64_t kLeaseMs = 30000;
  static constexpr std::size_t kChunk = 512;  // a multiple of store::kChunkSize

 private:
  /// Claims the next due job (or sleeps until one may be due) and expands it.
  std::expected<void, std::string> turn(store::Redis& redis);
  Context& ctx_;
  bool resumed_ = false;  ///< this instance's own expansions, left by a restart, taken back
  RedisLoop loop_;        ///< last: its thread ends before the state above goes
};

}  // namespace loa::daemon
