// The turns of a component on its own Redis connection.
#include "daemon/redis_loop.h"

#include <algorithm>

#include "core/store/redis_holder.h"

namespace loa::daemon {

void RedisLoop::start() { thread_ = std::thread([this] { run(); }); }

void RedisLoop::join() {
  if (thread_.joinable()) thread_.join();
}

void RedisLoop::run() {
  store::RedisHolder holder(ctx_.redis_url, name_);
  while (!ctx_.stopping) {
    store::Redis* redis = holder.get();
    if (!redis) {
      ctx_.work.wait(static_cast<int>(std::clamp<std::int64_t>(holder.retry_in_ms(), 10, max_wait_ms_)));
      continue;
    }
    if (auto ok = turn_(*redis, holder.fresh()); !ok) holder.drop(ok.error());
  }
}

}  // namespace loa::daemon
