// A reconnecting Redis connection for the daemon's loops.
#include "core/store/redis_holder.h"

#include "core/util/time.h"

namespace loa::store {

Redis* RedisHolder::get() {
  if (redis_) return redis_.get();
  if (!backoff_.due(util::steady_ms())) return nullptr;
  auto r = Redis::connect(url_, kTimeoutMs);
  if (!r) {
    failed(r.error());
    return nullptr;
  }
  redis_ = std::move(*r);
  backoff_.succeeded();
  log_.reset();
  error_.clear();
  fresh_ = true;
  return redis_.get();
}

void RedisHolder::drop(const std::string& error) {
  redis_.reset();
  failed(error);
}

void RedisHolder::failed(const std::string& error) {
  error_ = error;
  const std::int64_t wait = backoff_.failed(util::steady_ms());
  // Slow retries are each worth a line; fast ones are throttled.
  if (wait >= 1000) log_.reset();
  log_.error(who_ + ": " + error + (wait >= 1000 ? "; trying again in " + std::to_string(wait / 1000) + " s" : ""));
}

std::int64_t RedisHolder::retry_in_ms() const { return redis_ ? 0 : backoff_.remaining(util::steady_ms()); }

}  // namespace loa::store
