// Embedded redis-server child process.
#include "daemon/embedded_redis.h"

#include <csignal>
#include <filesystem>
#include <thread>

#include <spdlog/spdlog.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/store/job_store.h"

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
  pid_t pid = fork();
  if (pid < 0) return std::unexpected("cannot fork redis-server");
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);  // never outlive the daemon
    std::string dir = state_dir_;
    execlp("redis-server", "redis-server", "--port", "0", "--unixsocket", socket.c_str(), "--unixsocketperm", "700",
           "--dir", dir.c_str(), "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--daemonize", "no",
           "--logfile", "redis.log", "--dbfilename", "dump.rdb",
           // Message hashes (~300 bytes of text) stay compact listpacks: less CPU and memory.
           "--hash-max-listpack-value", "1024", static_cast<char*>(nullptr));
    _exit(127);
  }
  pid_ = pid;
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
