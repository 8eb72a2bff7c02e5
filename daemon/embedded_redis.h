// `redis.url: embedded`: a private redis-server (AOF on, fsync always) under state_dir,
// on a unix socket only, that dies with the daemon.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <expected>
#include <string>

#include "core/util/backoff.h"

namespace loa::daemon {

class EmbeddedRedis {
 public:
  explicit EmbeddedRedis(std::string state_dir) : state_dir_(std::move(state_dir)) {}
  ~EmbeddedRedis() { stop(); }
  /// Starts redis-server (or adopts one already answering on the socket, left by a
  /// daemon that was killed) and waits until it answers. Returns its URL.
  std::expected<std::string, std::string> start();
  /// Asks Redis to shut down (it finishes its AOF) and waits for it.
  void stop();
  /// Called often (the janitor, 4 times a second): notices a redis-server that died
  /// (killed, or it exits when its AOF cannot be written: disk full) and starts it again,
  /// after 1 s, then 2, 4 ... up to 30 s between attempts (reset once it has run 60 s).
  /// Returns why Redis is unavailable, or "" while it runs.
  std::string supervise(std::int64_t now_ms);

 private:
  /// fork + exec redis-server with a clean signal mask, dying with this process.
  bool spawn();
  std::string state_dir_;
  pid_t pid_ = -1;
  std::int64_t started_ms_ = 0;
  util::Backoff backoff_{1000, 30000};  ///< between restarts after it exits
  std::string down_;  ///< why it is not running
};

}  // namespace loa::daemon
