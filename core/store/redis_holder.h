// The one way a long-running loop keeps a Redis connection: connects when it has none
// and an attempt is due (backing off after failures), is dropped after a failed command,
// logs each failure without flooding, and says when a new connection was made (so the
// caller can redo its set-up).
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "core/store/redis.h"
#include "core/util/backoff.h"
#include "core/util/log.h"

namespace loa::store {

class RedisHolder {
 public:
  /// Connecting, and waiting for any answer: the same everywhere in the daemon.
  static constexpr int kTimeoutMs = 5000;
  /// `who` names the loop in log lines ("intake", "dispatcher sms1"). Workers retry every
  /// 0.5 s growing to 2 s, so they resume soon after Redis is back (failures logged at most
  /// every 10 s); with waits of a second or more each attempt is logged.
  RedisHolder(std::string url, std::string who, util::Backoff backoff = util::Backoff(500, 2000))
      : url_(std::move(url)), who_(std::move(who)), backoff_(backoff) {}

  /// The connection; nullptr when there is none and connecting failed or is not due yet.
  Redis* get();
  /// True once after each new connection.
  bool fresh() {
    bool f = fresh_;
    fresh_ = false;
    return f;
  }
  /// A command on the connection failed: logs why, drops it, and waits before the next.
  void drop(const std::string& error);
  /// The last failure ("" while connected), e.g. for /healthz.
  const std::string& error() const { return error_; }
  /// How long until the next attempt is due (0 when connected or due now).
  std::int64_t retry_in_ms() const;

 private:
  void failed(const std::string& error);
  std::string url_, who_;
  util::Backoff backoff_;
  util::LogThrottle log_;
  std::unique_ptr<Redis> redis_;
  std::string error_;
  bool fresh_ = false;
};

}  // namespace loa::store
