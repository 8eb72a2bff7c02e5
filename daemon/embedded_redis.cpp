// Embedded redis-server child process.
#include "daemon/embedded_redis.h"

#include <csignal>
#include <filesystem>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/store/redis.h"

namespace loa::daemon {

namespace fs = std::filesystem;

std::expected<std::string, std::string> EmbeddedRedis::start() {
  std::error_code ec;
  fs::create_directories(state_dir_, ec);
  if (ec) return std::unexpected("cannot create state_dir " + state_dir_ + ": " + ec.message());
  const std::string socket = (fs::path(state_dir_) / "redis.sock").string();
  const std::string url = store::redis_url("embedded", state_dir_);
  if (socket.size() >= 100) return std::unexpected("state_dir path too long for a unix socket: " + socket);
  if (auto existing = store::Redis::connect(url, 500); existing && (*existing)->command({"PING"})) {
    spdlog::info("embedded Redis already running on {}; using it", socket);
    return url;
  }
  if (!spawn()) return std::unexpected("cannot fork redis-server");
  // Wait for it to load its AOF and answer.
  for (int i = 0; i < 300; ++i) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return std::unexpected("redis-server exited at start-up (is it installed? see " + state_dir_ + "/redis.log)");
    }
    if (auto r = store::Redis::connect(url, 500); r && (*r)->command({"PING"})) {
      spdlog::info("embedded Redis started (pid {}) on {}", pid_, socket);
      return url;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  stop();
  return std::unexpected("embedded redis-server did not answer within 15 s");
}

bool EmbeddedRedis::spawn() {
  const std::string socket = (fs::path(state_dir_) / "redis.sock").string();
  const std::string dir = state_dir_;
  const pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) return false;
  if (pid == 0) {
    // The daemon blocks its signals for its signal thread (and ignores SIGPIPE); redis-server
    // must not inherit that, or SIGTERM -- ours at stop, or the death signal below --
    // would not reach it.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int sig : {SIGPIPE, SIGTERM, SIGINT, SIGHUP}) std::signal(sig, SIG_DFL);
    prctl(PR_SET_PDEATHSIG, SIGTERM);  // never outlive the daemon, even after its kill -9
    if (getppid() != parent) _exit(0);  // it died before prctl took effect
    execlp("redis-server", "redis-server", "--port", "0", "--unixsocket", socket.c_str(), "--unixsocketperm", "700",
           "--dir", dir.c_str(), "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--daemonize", "no",
           "--logfile", "redis.log", "--dbfilename", "dump.rdb",
           // Message progress buckets stay compact listpacks (core/store/codec.h).
           "--hash-max-listpack-value", "128", static_cast<char*>(nullptr));
    _exit(127);
  }
  pid_ = pid;
  return true;
}

std::string EmbeddedRedis::supervise(std::int64_t now_ms) {
  if (pid_ > 0) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) != pid_) {
      if (started_ms_ == 0) started_ms_ = now_ms;
      if (now_ms - started_ms_ > 60000) backoff_.succeeded();  // it stayed up: a later exit starts over
      down_.clear();
      return "";
    }
    down_ = WIFSIGNALED(status) ? fmt::format("embedded Redis was killed (signal {})", WTERMSIG(status))
                                : fmt::format("embedded Redis exited with status {} (disk full? see {}/redis.log)",
                                              WEXITSTATUS(status), state_dir_);
    pid_ = -1;
    spdlog::error("{}: starting it again in {} s", down_, backoff_.failed(now_ms) / 1000);
    return down_;
  }
  if (down_.empty() || !backoff_.due(now_ms)) return down_;
  started_ms_ = 0;
  if (!spawn()) {
    spdlog::error("cannot fork redis-server: trying again in {} s", backoff_.failed(now_ms) / 1000);
    return down_;
  }
  spdlog::info("embedded Redis started again (pid {})", pid_);
  return down_;  // until it is seen running on the next turn
}

void EmbeddedRedis::stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);  // Redis flushes its AOF and exits on SIGTERM
  int status = 0;
  for (int i = 0; i < 200 && waitpid(pid_, &status, WNOHANG) == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  if (waitpid(pid_, &status, WNOHANG) == 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, &status, 0);
  }
  pid_ = -1;
}

}  // namespace loa::daemon
