// `redis.url: embedded`: a private redis-server (AOF on, fsync always) under state_dir,
// on a unix socket only, that dies with the daemon.
#pragma once
#include <expected>
#include <string>
#include <sys/types.h>

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

 private:
  std::string state_dir_;
  pid_t pid_ = -1;
};

}  // namespace loa::daemon
