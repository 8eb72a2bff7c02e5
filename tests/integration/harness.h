// Integration harness: real redis-server, loa-gatewayd, loa and loa-fake-provider
// processes on loopback, ports chosen by the kernel, all in a temporary folder.
#pragma once
#include <chrono>
#include <thread>
#include <mutex>
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <sys/types.h>

#include <nlohmann/json.hpp>

#include "core/store/query_store.h"
#include "core/store/redis.h"

namespace loa::test {

/// A temporary folder removed with everything in it.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  void write(const std::string& name, const std::string& content) const;
  std::string read(const std::string& name) const;

 private:
  std::string path_;
};

/// A child process with stdout and stderr in files; killed (SIGKILL) on destruction.
class Process {
 public:
  Process(std::vector<std::string> argv, const std::string& out_file, const std::string& err_file,
          std::map<std::string, std::string> env = {});
  ~Process();
  pid_t pid() const { return pid_; }
  void signal(int sig);
  /// Waits for exit up to `timeout`; returns the exit code, or -1 on timeout.
  int wait(std::chrono::milliseconds timeout);
  bool running();

 private:
  pid_t pid_ = -1;
  int status_ = -1;
};

struct CommandResult {
  int code = -1;
  std::string out, err;
};

/// Runs a command to completion (30 s at most).
CommandResult run(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {});

/// Polls `cond` every 50 ms until true or `timeout`.
bool wait_until(const std::function<bool()>& cond, std::chrono::milliseconds timeout);

/// A private redis-server on a unix socket in `dir`.
class RedisServer {
 public:
  /// `durable`: AOF with fsync always, so that kill_and_restart() loses nothing.
  /// `password`: requirepass, and in url() (unix://:<password>@/...); `extra`: more of
  /// redis-server's arguments (--aclfile FILE).
  explicit RedisServer(const TempDir& dir, bool durable = false, std::string password = "",
                       std::vector<std::string> extra = {});
  /// kill -9, `down` of silence, then the same server again (same socket and data).
  void kill_and_restart(std::chrono::milliseconds down);
  std::string url() const { return url_; }
  std::unique_ptr<store::Redis> connect() const;
  Process& process() { return *proc_; }

 private:
  void start();
  const TempDir& dir_;
  bool durable_ = false;
  std::string password_;
  std::vector<std::string> extra_;
  std::string url_;
  std::unique_ptr<Process> proc_;
};

/// loa-fake-provider on 127.0.0.1:<kernel port>.
class FakeProvider {
 public:
  /// Listens on `port` (0: the kernel picks): a provider restarted where it was.
  FakeProvider(const TempDir& dir, const std::string& name, std::vector<std::string> extra_args = {}, int port = 0);
  int port() const { return port_; }
  std::string log_path() const { return log_; }
  /// The JSON lines of accepted messages.
  std::vector<std::string> log_lines() const;

 private:
  int port_ = 0;
  std::string log_;
  std::unique_ptr<Process> proc_;
};

/// A TCP server on 127.0.0.1 (kernel-chosen port) that hands each accepted connection to
/// `serve(fd)` on a thread of its own, and closes it when `serve` returns. For peers that misbehave in
/// ways no HTTP library would (close after reading, answer half, hold for ever).
class RawServer {
 public:
  explicit RawServer(std::function<void(int fd)> serve);
  /// Shuts every connection still open (shutdown(), so blocked reads end), then joins.
  ~RawServer();
  int port() const { return port_; }

 private:
  std::function<void(int)> serve_;
  int listener_ = -1, port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<std::thread> handlers_;
  std::vector<int> open_;
};

/// Reads one HTTP request (head, and a Content-Length body) from `fd`, keeping what
/// follows in `buf`; false at the end of the stream.
bool read_request(int fd, std::string& buf);

/// A whole file ("" when it cannot be read).
std::string read_file(const std::string& path);

/// A loopback port free right now (the kernel's pick), for peers whose config needs a
/// number (nginx, Kannel); another process could take it before they bind, rarely.
int free_port();

/// A small disk of its own (tmpfs of `size`, "4m") at `at`, made if missing; unmounted when
/// it goes. nullptr where mount is refused (it needs root).
class SmallDisk {
 public:
  static std::unique_ptr<SmallDisk> mount(const std::string& at, const std::string& size);
  ~SmallDisk();

 private:
  explicit SmallDisk(std::string at) : at_(std::move(at)) {}
  std::string at_;
};

/// Paths of the built binaries.
std::string bin(const std::string& name);

/// loa-gatewayd with a config file; the webhook port is read from its log.
class Gateway {
 public:
  Gateway(const TempDir& dir, const std::string& config_path, const std::string& instance, const std::string& log_name);
  ~Gateway();
  int port() const { return port_; }
  /// The officials' API port, from the log (the config must have `api:`).
  int api_port() const;
  Process& process() { return *proc_; }
  std::string log() const;

 private:
  const TempDir& dir_;
  std::string log_name_;
  int port_ = 0;
  std::unique_ptr<Process> proc_;
};

/// Runs `loa --config <config> args...`.
CommandResult run_loa(const std::string& config, std::vector<std::string> args);

/// `loa account add NAME ...` (args after "add"); requires success and returns the token it
/// printed (its last line).
std::string account(const std::string& config, std::vector<std::string> args);

/// The job id `loa send` printed on its last line.
std::string job_id(const CommandResult& sent);

/// `loa send --template thong-bao --ward <ward> --var noi_dung=<noi_dung> <extra...>`
/// (the template write_config installs); requires success and returns the job id.
std::string send_job(const std::string& config, const std::string& ward, const std::string& noi_dung = "x",
                     const std::vector<std::string>& extra = {});

/// `loa status JOB --json`; {"state":"none","counts":{}} while the gateway has not taken
/// the job in yet.
nlohmann::json job_status(const std::string& config, const std::string& job);

/// Message `job`.`index` as stored (prefix "t"); empty when there is none.
loa::store::MessageRecord message(loa::store::Redis& redis, const std::string& job, std::int64_t index);

/// Appends `n` entries written `age_days` ago to the audit trail (prefix "t"), chained as
/// AuditStore would (stream ids of that time): a trail as old as retention cuts.
void plant_old_audit(loa::store::Redis& redis, int n, int age_days);

/// "" when the count of jobs by state that the scripts keep (prefix "t", for /metrics)
/// matches the states of the jobs themselves; otherwise both, to show.
std::string job_count_mismatch(const RedisServer& redis);

/// Writes a ward list of `n` residents with distinct valid numbers (0912000000 + i),
/// names "Cư dân <i>", and returns the numbers in order.
std::vector<std::string> write_ward(const TempDir& dir, const std::string& ward, int n);

/// Adds ward `ward` ("Phường 7" for phuong-7) of `n` residents (write_ward) to the list
/// folder and to the wards: of write_config's loa.yaml.
void add_ward(const TempDir& dir, const std::string& ward, const std::string& name, int n);

/// A config for the tests: Redis at `redis_url`, a template "thong-bao", the fake provider.
std::string write_config(const TempDir& dir, const std::string& redis_url, int provider_port,
                         const std::string& extra_provider_keys = "", const std::string& extra_top = "");

/// What most integration tests start from: a private Redis, the fake provider "fake"
/// (started with `provider_args`), ward "phuong-6" of `residents` (write_ward) and a
/// config for them (write_config with `extra_provider_keys`). Tests bind it as
/// `auto& [dir, redis, provider, cfg] = rig;`.
struct Rig {
  explicit Rig(int residents, std::vector<std::string> provider_args = {}, const std::string& extra_provider_keys = "",
               const std::string& extra_top = "");
  TempDir dir;
  RedisServer redis{dir};
  FakeProvider provider;
  std::string cfg;
};

}  // namespace loa::test
