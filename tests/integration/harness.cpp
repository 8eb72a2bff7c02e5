// Integration harness.
#include "tests/integration/harness.h"
#include "core/store/audit_store.h"
#include "core/store/query_store.h"
#include "core/util/time.h"

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <doctest/doctest.h>
#include <fmt/format.h>

namespace loa::test {

namespace fs = std::filesystem;

TempDir::TempDir() {
  char tmpl[] = "/tmp/loa-it-XXXXXX";
  path_ = mkdtemp(tmpl);
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

void TempDir::write(const std::string& name, const std::string& content) const {
  fs::create_directories(fs::path(file(name)).parent_path());
  std::ofstream(file(name), std::ios::binary) << content;
}

std::string TempDir::read(const std::string& name) const {
  std::ifstream in(file(name), std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Process::Process(std::vector<std::string> argv, const std::string& out_file, const std::string& err_file,
                 std::map<std::string, std::string> env) {
  pid_ = fork();
  REQUIRE(pid_ >= 0);
  if (pid_ == 0) {
    int out = open(out_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    int err = open(err_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(out, 1);
    dup2(err, 2);
    int null = open("/dev/null", O_RDONLY);
    dup2(null, 0);
    for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
}

Process::~Process() {
  if (running()) {
    kill(pid_, SIGKILL);
    wait(std::chrono::seconds(5));
  }
}

void Process::signal(int sig) {
  if (pid_ > 0) kill(pid_, sig);
}

bool Process::running() {
  if (pid_ <= 0 || status_ != -1) return false;
  int st = 0;
  pid_t r = waitpid(pid_, &st, WNOHANG);
  if (r == pid_) {
    status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return false;
  }
  return true;
}

int Process::wait(std::chrono::milliseconds timeout) {
  wait_until([&] { return !running(); }, timeout);
  return running() ? -1 : status_;
}

CommandResult run(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env) {
  TempDir tmp;
  CommandResult r;
  {
    Process p(argv, tmp.file("out"), tmp.file("err"), env);
    r.code = p.wait(std::chrono::seconds(30));
  }
  r.out = tmp.read("out");
  r.err = tmp.read("err");
  return r;
}

bool wait_until(const std::function<bool()>& cond, std::chrono::milliseconds timeout) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return cond();
}

RedisServer::RedisServer(const TempDir& dir, bool durable, std::string password, std::vector<std::string> extra)
    : dir_(dir), durable_(durable), password_(std::move(password)), extra_(std::move(extra)) {
  url_ = "unix://" + (password_.empty() ? "" : ":" + password_ + "@") + dir.file("redis.sock");
  start();
}

void RedisServer::kill_and_restart(std::chrono::milliseconds down) {
  proc_.reset();  // SIGKILL
  std::this_thread::sleep_for(down);
  start();
}

void RedisServer::start() {
  std::string sock = dir_.file("redis.sock");
  std::vector<std::string> argv{"redis-server", "--port", "0", "--unixsocket", sock, "--save", "",
                                "--appendonly", durable_ ? "yes" : "no", "--appendfsync", "always", "--dir", dir_.path()};
  if (!password_.empty()) argv.insert(argv.end(), {"--requirepass", password_});
  argv.insert(argv.end(), extra_.begin(), extra_.end());
  proc_ = std::make_unique<Process>(argv, dir_.file("redis.out"), dir_.file("redis.err"));
  REQUIRE_MESSAGE(wait_until([&] {
                    auto r = store::Redis::connect(url_, 200);
                    return r && (*r)->command({"PING"}).has_value();
                  }, std::chrono::seconds(10)),
                  "redis-server did not start");
}

std::unique_ptr<store::Redis> RedisServer::connect() const {
  auto r = store::Redis::connect(url_, 5000);
  REQUIRE(r.has_value());
  return std::move(*r);
}

RawServer::RawServer(std::function<void(int fd)> serve) : serve_(std::move(serve)) {
  listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  REQUIRE(::bind(listener_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  REQUIRE(::listen(listener_, 64) == 0);
  REQUIRE(::getsockname(listener_, reinterpret_cast<sockaddr*>(&a), &len) == 0);
  port_ = ntohs(a.sin_port);
  acceptor_ = std::thread([this] {
    for (;;) {
      int fd = ::accept(listener_, nullptr, nullptr);
      if (fd < 0 || stopping_) {
        if (fd >= 0) ::close(fd);
        return;
      }
      std::lock_guard lock(mu_);
      open_.push_back(fd);
      handlers_.emplace_back([this, fd] {
        serve_(fd);
        std::lock_guard done(mu_);
        std::erase(open_, fd);
        ::close(fd);
      });
    }
  });
}

RawServer::~RawServer() {
  stopping_ = true;
  ::shutdown(listener_, SHUT_RDWR);
  ::close(listener_);
  acceptor_.join();
  {
    std::lock_guard lock(mu_);  // only connections still served: closed ones left open_ first
    for (int fd : open_) ::shutdown(fd, SHUT_RDWR);
  }
  for (auto& h : handlers_) h.join();
}

bool read_request(int fd, std::string& buf) {
  char chunk[4096];
  for (;;) {
    auto head_end = buf.find("\r\n\r\n");
    if (head_end != std::string::npos) {
      std::size_t length = 0;
      auto at = buf.find("Content-Length: ");
      if (at != std::string::npos && at < head_end) length = std::stoul(buf.substr(at + 16));
      if (buf.size() >= head_end + 4 + length) {
        buf.erase(0, head_end + 4 + length);
        return true;
      }
    }
    ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buf.append(chunk, static_cast<std::size_t>(n));
  }
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  const bool bound = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
                     ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0;
  ::close(fd);
  REQUIRE(bound);
  return ntohs(a.sin_port);
}

std::unique_ptr<SmallDisk> SmallDisk::mount(const std::string& at, const std::string& size) {
  std::filesystem::create_directories(at);
  if (run({"mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", at}).code != 0) return nullptr;
  return std::unique_ptr<SmallDisk>(new SmallDisk(at));
}

SmallDisk::~SmallDisk() { run({"umount", "-l", at_}); }

std::string bin(const std::string& name) {
  if (name == "loa-gatewayd") return std::string(LOA_BIN_DIR) + "/daemon/loa-gatewayd";
  if (name == "loa") return std::string(LOA_BIN_DIR) + "/cli/loa";
  if (name == "loa-webhook-abuse") return std::string(LOA_BIN_DIR) + "/bench/loa-webhook-abuse";
  return std::string(LOA_BIN_DIR) + "/tools/loa-fake-provider";
}

static int port_from(const std::string& text, const std::string& marker) {
  auto at = text.find(marker);
  if (at == std::string::npos) return 0;
  auto colon = text.find(':', at + marker.size());
  return colon == std::string::npos ? 0 : std::atoi(text.c_str() + colon + 1);
}

FakeProvider::FakeProvider(const TempDir& dir, const std::string& name, std::vector<std::string> extra_args, int port) {
  log_ = dir.file(name + ".log");
  std::vector<std::string> argv{bin("loa-fake-provider"), "--listen", "127.0.0.1:" + std::to_string(port), "--log", log_};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  proc_ = std::make_unique<Process>(argv, dir.file(name + ".out"), dir.file(name + ".err"));
  REQUIRE_MESSAGE(wait_until([&] { return (port_ = port_from(dir.read(name + ".out"), "listening on ")) > 0; },
                             std::chrono::seconds(10)),
                  "fake provider did not start");
}

std::vector<std::string> FakeProvider::log_lines() const {
  std::ifstream in(log_);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

Gateway::Gateway(const TempDir& dir, const std::string& config_path, const std::string& instance, const std::string& log_name)
    : dir_(dir), log_name_(log_name) {
  proc_ = std::make_unique<Process>(std::vector<std::string>{bin("loa-gatewayd"), "--config", config_path, "--log-level", "debug"},
                                    dir.file(log_name + ".out"), dir.file(log_name), std::map<std::string, std::string>{{"LOA_INSTANCE_ID", instance}});
  REQUIRE_MESSAGE(wait_until([&] { return (port_ = port_from(log(), "listening on 127.0.0.1")) > 0 || !proc_->running(); },
                             std::chrono::seconds(20)),
                  "gateway did not start");
  REQUIRE_MESSAGE(port_ > 0, log());
}

Gateway::~Gateway() = default;

std::string Gateway::log() const { return dir_.read(log_name_); }

int Gateway::api_port() const {
  int port = 0;
  REQUIRE_MESSAGE(wait_until([&] { return (port = port_from(log(), "officials' API on 127.0.0.1")) > 0; },
                             std::chrono::seconds(10)),
                  log());
  return port;
}

std::string account(const std::string& config, std::vector<std::string> args) {
  args.insert(args.begin(), {"account", "add"});
  auto r = run_loa(config, args);
  REQUIRE_MESSAGE(r.code == 0, r.err);
  return job_id(r);
}

CommandResult run_loa(const std::string& config, std::vector<std::string> args) {
  args.insert(args.begin(), {bin("loa"), "--config", config});
  return run(args);
}

std::string job_id(const CommandResult& sent) {
  std::string out = sent.out;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  auto nl = out.rfind('\n');
  return nl == std::string::npos ? out : out.substr(nl + 1);
}

std::string send_job(const std::string& config, const std::string& ward, const std::string& noi_dung,
                     const std::vector<std::string>& extra) {
  // --again: tests send alike announcements on purpose; office_test checks the refusal.
  std::vector<std::string> args{"send", "--template", "thong-bao", "--ward", ward, "--var", "noi_dung=" + noi_dung, "--again"};
  args.insert(args.end(), extra.begin(), extra.end());
  auto r = run_loa(config, args);
  REQUIRE_MESSAGE(r.code == 0, r.err);
  return job_id(r);
}

nlohmann::json job_status(const std::string& config, const std::string& job) {
  auto r = run_loa(config, {"status", job, "--json"});
  if (r.code != 0) return {{"state", "none"}, {"counts", nlohmann::json::object()}};
  return nlohmann::json::parse(r.out);
}

loa::store::MessageRecord message(loa::store::Redis& redis, const std::string& job, std::int64_t index) {
  loa::store::MessageRecord out;
  auto r = loa::store::QueryStore(redis, "t").for_each_message(job, index + 1, [&](const loa::store::MessageRecord& m) {
    if (m.index == index) out = m;
  });
  REQUIRE_MESSAGE(r.has_value(), r.error());
  return out;
}

std::vector<std::string> write_ward(const TempDir& dir, const std::string& ward, int n) {
  std::string csv = "Họ và tên,Số điện thoại,Khóm/Ấp\n";
  std::vector<std::string> numbers;
  for (int i = 0; i < n; ++i) {
    std::string local = fmt::format("0912{:06d}", i);
    numbers.push_back(local);
    csv += fmt::format("Cư dân {},{},Khóm {}\n", i, local, i % 3 + 1);
  }
  dir.write("wards/" + ward + ".csv", csv);
  return numbers;
}

void add_ward(const TempDir& dir, const std::string& ward, const std::string& name, int n) {
  write_ward(dir, ward, n);
  std::string text = dir.read("loa.yaml");
  const auto at = text.find("  phuong-6: \"Phường 6\"\n");
  REQUIRE(at != std::string::npos);
  text.insert(at, fmt::format("  {}: \"{}\"\n", ward, name));
  dir.write("loa.yaml", text);
}

std::string write_config(const TempDir& dir, const std::string& redis_url, int provider_port,
                         const std::string& extra_provider_keys, const std::string& extra_top) {
  dir.write("templates/thong-bao.yaml",
            "description: test\nvariables: [noi_dung]\nmax_segments: 3\n"
            "body: \"{{ten_phuong}} kính báo {{ho_ten}} ({{khom_ap}}): {{noi_dung}}\"\n");
  std::string cfg = fmt::format(R"(redis:
  url: {}
  prefix: t
state_dir: state
templates_dir: templates
wards_dir: wards
wards:
  phuong-6: "Phường 6"
webhook:
  listen: 127.0.0.1:0
retry: {{ max_attempts: 3, base_delay_ms: 50, max_delay_ms: 200 }}
{}providers:
  - name: local
    type: http
    url: http://127.0.0.1:{}/send
    message_id: id
    dlr_token: t0k3n
    max_in_flight: 16
    timeout_ms: 5000
{})",
                                redis_url, extra_top, provider_port, extra_provider_keys);
  dir.write("loa.yaml", cfg);
  return dir.file("loa.yaml");
}

void plant_old_audit(store::Redis& redis, int n, int age_days) {
  const std::int64_t at = util::now_ms() - static_cast<std::int64_t>(age_days) * 86400000;
  auto head = redis.command({"GET", "t:audit:head"});
  REQUIRE(head);
  std::string prev = head->nil() ? "" : head->text();
  for (int i = 0; i < n; ++i) {
    store::AuditEntry e{.time_ms = at + i, .actor = "lan", .source = "127.0.0.1", .action = "send", .job = "",
                        .summary = {{"old", i}}};
    e.prev = prev;
    e.hash = store::audit_hash(e);
    REQUIRE(redis.command({"XADD", "t:audit", std::to_string(at + i) + "-0", "time", std::to_string(e.time_ms), "actor",
                           e.actor, "source", e.source, "action", e.action, "job", e.job, "summary", e.summary.dump(),
                           "prev", e.prev, "hash", e.hash}));
    prev = e.hash;
  }
  REQUIRE(redis.command({"SET", "t:audit:head", prev}));
}

std::string job_count_mismatch(const RedisServer& redis) {
  auto c = redis.connect();
  std::map<std::string, long long> actual, kept;
  auto ids = c->command({"ZRANGE", "t:index", "0", "-1"});
  for (const auto& id : ids->elements) ++actual[c->command({"HGET", "t:job:" + id.text(), "state"})->text()];
  auto counts = c->command({"HGETALL", "t:jobstates"});
  for (std::size_t i = 0; i + 1 < counts->elements.size(); i += 2)
    if (auto n = counts->elements[i + 1].as_int(); n != 0) kept[counts->elements[i].text()] = n;
  if (actual == kept) return "";
  auto show = [](const std::map<std::string, long long>& m) {
    std::string out;
    for (const auto& [k, v] : m) out += k + "=" + std::to_string(v) + " ";
    return out;
  };
  return "jobs by state: " + show(actual) + "; counted: " + show(kept);
}

Rig::Rig(int residents, std::vector<std::string> provider_args, const std::string& extra_provider_keys,
         const std::string& extra_top)
    : provider(dir, "fake", std::move(provider_args)) {
  write_ward(dir, "phuong-6", residents);
  cfg = write_config(dir, redis.url(), provider.port(), extra_provider_keys, extra_top);
}

}  // namespace loa::test
