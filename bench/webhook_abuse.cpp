// loa-webhook-abuse: holds a gateway's webhook under attack on loopback -- slow-loris
// sockets, idle connections, endless chunked bodies and gzip bombs, from many source
// addresses (127.0.0.2 ...), each reconnected when dropped -- while a genuine client
// (127.0.0.1) posts delivery reports and asks /healthz on fresh connections, and prints
// what the genuine client saw and the daemon's memory, as one JSON object.
//
//   loa-webhook-abuse --port P --report-path '/dlr/local?token=T' [--pid PID]
//       [--slowloris 1000] [--idle 10000] [--chunked 20] [--gzip 20] [--sources 200]
//       [--seconds 10] [--reconnect-ms 1000]
// Traffic goes to 127.0.0.1 only; every socket is closed at the end.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

namespace {

using Clock = std::chrono::steady_clock;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch()).count();
}

struct Options {
  int port = 0;
  std::string report_path;
  int pid = 0;
  int slowloris = 1000, idle = 10000, chunked = 20, gzip = 20, sources = 200;
  int seconds = 10;
  int reconnect_ms = 1000;
};

enum class Kind { Slowloris, Idle, Chunked, Gzip };

struct Attacker {
  int fd = -1;
  Kind kind = Kind::Idle;
  int source = 0;
  bool connected = false;
  std::size_t sent = 0;        ///< bytes of the current request written
  std::int64_t next = 0;       ///< when to write again (slow-loris)
};

std::string gzip_bomb() {
  // 64 MiB of zeros, deflated to about 64 KiB: what a server that inflates would swallow.
  std::string zeros(1 << 20, '\0');
  z_stream z{};
  deflateInit2(&z, 9, Z_DEFLATED, 16 + 15, 9, Z_DEFAULT_STRATEGY);
  std::string out(1 << 20, '\0');
  std::size_t used = 0;
  for (int i = 0; i < 64; ++i) {
    z.next_in = reinterpret_cast<Bytef*>(zeros.data());
    z.avail_in = static_cast<uInt>(zeros.size());
    do {
      if (out.size() - used < 65536) out.resize(out.size() * 2);
      z.next_out = reinterpret_cast<Bytef*>(out.data() + used);
      z.avail_out = static_cast<uInt>(out.size() - used);
      deflate(&z, i == 63 ? Z_FINISH : Z_NO_FLUSH);
      used = out.size() - z.avail_out;
    } while (z.avail_in > 0 || (i == 63 && z.avail_out == 0));
  }
  deflateEnd(&z);
  out.resize(used);
  return out;
}

class Attack {
 public:
  Attack(const Options& o) : o_(o), bomb_(gzip_bomb()) {
    epoll_ = epoll_create1(EPOLL_CLOEXEC);
    auto add = [&](Kind k, int n) {
      for (int i = 0; i < n; ++i) {
        Attacker a;
        a.kind = k;
        a.source = static_cast<int>(all_.size()) % std::max(1, o.sources);
        all_.push_back(a);
      }
    };
    add(Kind::Slowloris, o.slowloris);
    add(Kind::Idle, o.idle);
    add(Kind::Chunked, o.chunked);
    add(Kind::Gzip, o.gzip);
    chunk_ = "1000\r\n" + std::string(4096, 'x') + "\r\n";
    gzip_head_ = "POST " + o.report_path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                 "Content-Encoding: gzip\r\nContent-Length: " + std::to_string(bomb_.size()) + "\r\n\r\n" + bomb_;
    chunked_head_ = "POST " + o.report_path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    "Transfer-Encoding: chunked\r\n\r\n";
  }
  ~Attack() {
    for (auto& a : all_)
      if (a.fd >= 0) ::close(a.fd);
    ::close(epoll_);
  }

  /// Opens every attacker socket (reconnecting dropped ones) until `until`.
  void run(std::int64_t until, std::atomic<bool>& established) {
    for (std::size_t i = 0; i < all_.size(); ++i) open(i);
    established = true;
    epoll_event events[256];
    while (now_ms() < until) {
      int n = epoll_wait(epoll_, events, 256, 20);
      for (int e = 0; e < n; ++e) {
        auto i = static_cast<std::size_t>(events[e].data.u64);
        Attacker& a = all_[i];
        if (events[e].events & (EPOLLERR | EPOLLHUP | EPOLLRDHUP | EPOLLIN)) {
          char sink[4096];
          ssize_t got = ::recv(a.fd, sink, sizeof sink, MSG_DONTWAIT);
          if (got == 0 || (got < 0 && errno != EAGAIN) || (events[e].events & (EPOLLERR | EPOLLHUP))) {
            ++dropped_[a.kind];
            reopen(i);
            continue;
          }
        }
        if (events[e].events & EPOLLOUT) {
          a.connected = true;
          pump(i);
        }
      }
      const auto now = now_ms();
      for (std::size_t i = 0; i < all_.size(); ++i) {
        Attacker& a = all_[i];
        if (a.fd < 0) {
          if (a.next <= now) open(i);
        } else if (a.kind == Kind::Slowloris && a.connected && a.next <= now) {
          pump(i);
        }
      }
    }
  }

  std::map<std::string, long> dropped() const {
    return {{"slowloris", dropped_.count(Kind::Slowloris) ? dropped_.at(Kind::Slowloris) : 0},
            {"idle", dropped_.count(Kind::Idle) ? dropped_.at(Kind::Idle) : 0},
            {"chunked", dropped_.count(Kind::Chunked) ? dropped_.at(Kind::Chunked) : 0},
            {"gzip", dropped_.count(Kind::Gzip) ? dropped_.at(Kind::Gzip) : 0}};
  }
  long open_failures() const { return open_failures_; }
  long chunked_bytes() const { return chunked_bytes_; }

 private:
  void open(std::size_t i) {
    Attacker& a = all_[i];
    a = Attacker{-1, a.kind, a.source, false, 0, 0};
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      ++open_failures_;
      a.next = now_ms() + 100;
      return;
    }
    sockaddr_in src{};
    src.sin_family = AF_INET;
    src.sin_addr.s_addr = htonl(0x7f000002u + static_cast<unsigned>(a.source));
    ::bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof src);
    sockaddr_in dst{};
    dst.sin_family = AF_INET;
    dst.sin_port = htons(static_cast<std::uint16_t>(o_.port));
    dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::connect(fd, reinterpret_cast<sockaddr*>(&dst), sizeof dst);
    a.fd = fd;
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP | (a.kind == Kind::Idle ? 0u : static_cast<unsigned>(EPOLLOUT));
    ev.data.u64 = i;
    epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev);
  }
  void reopen(std::size_t i) {
    Attacker& a = all_[i];
    epoll_ctl(epoll_, EPOLL_CTL_DEL, a.fd, nullptr);
    ::close(a.fd);
    a.fd = -1;
    a.next = now_ms() + o_.reconnect_ms;  // and comes back
  }
  bool write_some(Attacker& a, const std::string& bytes) {
    ssize_t n = ::send(a.fd, bytes.data() + a.sent, bytes.size() - a.sent, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) a.sent += static_cast<std::size_t>(n);
    return n >= 0 || errno == EAGAIN;
  }
  // Writes what this attacker writes next.
  void pump(std::size_t i) {
    Attacker& a = all_[i];
    switch (a.kind) {
      case Kind::Idle:
        return;
      case Kind::Slowloris: {
        // One byte of a never-ending head each second.
        static const std::string head = "POST " + o_.report_path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
        std::string byte(1, a.sent < head.size() ? head[a.sent] : 'a');
        if (::send(a.fd, byte.data(), 1, MSG_NOSIGNAL | MSG_DONTWAIT) == 1) ++a.sent;
        a.next = now_ms() + 1000;
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLRDHUP;
        ev.data.u64 = i;
        epoll_ctl(epoll_, EPOLL_CTL_MOD, a.fd, &ev);
        return;
      }
      case Kind::Chunked: {
        if (a.sent < chunked_head_.size()) {
          write_some(a, chunked_head_);
          return;
        }
        // Then chunks for ever, as fast as the server reads them.
        ssize_t n = ::send(a.fd, chunk_.data(), chunk_.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) chunked_bytes_ += n;
        return;
      }
      case Kind::Gzip:
        if (a.sent < gzip_head_.size()) write_some(a, gzip_head_);
        return;
    }
  }

  const Options& o_;
  std::string bomb_, chunk_, gzip_head_, chunked_head_;
  int epoll_ = -1;
  std::vector<Attacker> all_;
  std::map<Kind, long> dropped_;
  long open_failures_ = 0;
  long chunked_bytes_ = 0;
};

/// One request on a fresh connection from 127.0.0.1; the status, or 0 when it failed
/// within `timeout_ms`.
int genuine(int port, const std::string& request, int timeout_ms) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  sockaddr_in dst{};
  dst.sin_family = AF_INET;
  dst.sin_port = htons(static_cast<std::uint16_t>(port));
  dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::connect(fd, reinterpret_cast<sockaddr*>(&dst), sizeof dst);
  const auto deadline = now_ms() + timeout_ms;
  std::size_t sent = 0;
  std::string got;
  while (now_ms() < deadline) {
    pollfd p{fd, static_cast<short>(sent < request.size() ? POLLOUT : POLLIN), 0};
    if (::poll(&p, 1, static_cast<int>(std::max<std::int64_t>(1, deadline - now_ms()))) <= 0) continue;
    if (sent < request.size()) {
      ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) break;
      sent += static_cast<std::size_t>(n);
      continue;
    }
    char buf[4096];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    got.append(buf, static_cast<std::size_t>(n));
    if (got.find("\r\n\r\n") != std::string::npos) break;
  }
  ::close(fd);
  if (got.rfind("HTTP/1.", 0) != 0 || got.size() < 12) return 0;
  return std::atoi(got.c_str() + 9);
}

long rss_kib(int pid, const char* field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field, 0) == 0) return std::atol(line.c_str() + std::strlen(field));
  return -1;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return -1;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app("Attacks a gateway's webhook on loopback (slow-loris, idle, endless chunked bodies, gzip bombs) while a "
               "genuine client measures its answers.",
               "loa-webhook-abuse");
  app.add_option("--port", o.port, "the webhook's port on 127.0.0.1")->required()->check(CLI::Range(1, 65535));
  app.add_option("--report-path", o.report_path, "the path a genuine report is posted to")->required();
  app.add_option("--pid", o.pid, "the daemon's pid, for its peak RSS");
  app.add_option("--slowloris", o.slowloris, "slow-loris sockets (one header byte a second)")->capture_default_str();
  app.add_option("--idle", o.idle, "idle connections")->capture_default_str();
  app.add_option("--chunked", o.chunked, "endless chunked bodies")->capture_default_str();
  app.add_option("--gzip", o.gzip, "gzip bombs")->capture_default_str();
  app.add_option("--sources", o.sources, "loopback source addresses (127.0.0.2 ...)")->capture_default_str();
  app.add_option("--seconds", o.seconds, "how long the attack lasts")->capture_default_str();
  app.add_option("--reconnect-ms", o.reconnect_ms, "how soon a dropped attacker reconnects")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (o.port <= 0 || o.report_path.empty()) {
    std::fprintf(stderr, "loa-webhook-abuse: --port and --report-path are required\n");
    return 2;
  }
  const long sockets = o.slowloris + o.idle + o.chunked + o.gzip;
  rlimit nofile{};
  getrlimit(RLIMIT_NOFILE, &nofile);
  nofile.rlim_cur = nofile.rlim_max;
  if (static_cast<long>(nofile.rlim_max) < sockets + 64) {  // root may raise the hard limit
    rlimit more{static_cast<rlim_t>(sockets + 64), static_cast<rlim_t>(sockets + 64)};
    if (setrlimit(RLIMIT_NOFILE, &more) == 0) nofile = more;
  }
  setrlimit(RLIMIT_NOFILE, &nofile);
  if (static_cast<long>(nofile.rlim_cur) < sockets + 64) {
    std::fprintf(stderr, "loa-webhook-abuse: %ld sockets need RLIMIT_NOFILE above %ld (it is %ld)\n", sockets,
                 sockets + 64, static_cast<long>(nofile.rlim_cur));
    return 1;
  }

  Attack attack(o);
  std::atomic<bool> established{false};
  const auto start = now_ms();
  const auto until = start + o.seconds * 1000L;
  std::thread attacker([&] { attack.run(until, established); });
  while (!established) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  const auto opened = now_ms();
  // Genuine traffic, alternating a report and /healthz, from a second after the attack
  // sockets are all opened (the kernel's accept queue is full of them until then).
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  const std::string body = R"({"ref":"999-0.1","status":"DELIVERED"})";
  const std::string report = "POST " + o.report_path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                             "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
  const std::string health = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  std::vector<double> report_ms, health_ms;
  long failures = 0, peak_rss = 0;
  std::map<int, long> statuses;
  for (int k = 0; now_ms() < until - 300; ++k) {
    const auto t0 = Clock::now();
    int status = genuine(o.port, k % 2 ? health : report, 5000);
    double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    ++statuses[status];
    if (status != 200) ++failures;
    (k % 2 ? health_ms : report_ms).push_back(ms);
    if (o.pid) peak_rss = std::max(peak_rss, rss_kib(o.pid, "VmRSS:"));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  attacker.join();
  nlohmann::json out;
  out["attack"] = {{"slowloris", o.slowloris}, {"idle", o.idle}, {"chunked", o.chunked}, {"gzip", o.gzip},
                   {"sources", o.sources}, {"seconds", o.seconds}, {"reconnect_ms", o.reconnect_ms}, {"open_ms", opened - start}};
  out["dropped_by_server"] = attack.dropped();
  out["chunked_bytes_sent"] = attack.chunked_bytes();
  out["socket_failures"] = attack.open_failures();
  auto all = report_ms;
  all.insert(all.end(), health_ms.begin(), health_ms.end());
  out["genuine"] = {{"requests", all.size()}, {"failures", failures},
                    {"report_ms", {{"p50", percentile(report_ms, 0.5)}, {"p99", percentile(report_ms, 0.99)},
                                   {"max", percentile(report_ms, 1.0)}}},
                    {"healthz_ms", {{"p50", percentile(health_ms, 0.5)}, {"p99", percentile(health_ms, 0.99)},
                                    {"max", percentile(health_ms, 1.0)}}}};
  nlohmann::json st = nlohmann::json::object();
  for (auto [code, n] : statuses) st[std::to_string(code)] = n;
  out["genuine"]["statuses"] = st;
  if (o.pid) out["daemon_kib"] = {{"rss_peak_sampled", peak_rss}, {"hwm", rss_kib(o.pid, "VmHWM:")}};
  std::printf("%s\n", out.dump().c_str());
  return 0;
}
