// loa-report-flood: posts delivery reports for messages <job>.0 ... <job>.N-1 to a
// gateway's webhook as fast as it answers, over kept-alive connections (one thread each,
// one request in flight on each), each request holding one report or a JSON list of
// --batch reports, and prints what it did as one JSON object: requests, reports, answers
// other than 200, seconds, and reports a second as the webhook answered them.
//
//   loa-report-flood --port P --path '/dlr/fake?token=T' --job ID --count N
//       [--connections 32] [--batch 1] [--status DELIVERED]
// Traffic goes to 127.0.0.1 only; every socket is closed at the end.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <CLI/CLI.hpp>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

namespace {

struct Options {
  int port = 0;
  std::string path, job, status = "DELIVERED";
  long count = 0;
  int connections = 32, batch = 1;
};

int connect_loopback(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  timeval tv{10, 0};  // no answer in 10 s: give up on the connection
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool write_all(int fd, const std::string& s) {
  for (std::size_t at = 0; at < s.size();) {
    auto n = ::send(fd, s.data() + at, s.size() - at, MSG_NOSIGNAL);
    if (n <= 0) return false;
    at += static_cast<std::size_t>(n);
  }
  return true;
}

/// Reads one answer (headers and a Content-Length body) from `fd`, keeping what follows in
/// `buf`; its status, or 0 when the connection failed.
int read_answer(int fd, std::string& buf) {
  char chunk[16384];
  for (;;) {
    auto end = buf.find("\r\n\r\n");
    if (end != std::string::npos) {
      int status = std::atoi(buf.c_str() + std::min<std::size_t>(9, buf.size()));
      std::size_t length = 0;
      for (std::size_t at = buf.find("\r\n"); at < end; at = buf.find("\r\n", at + 2)) {
        if (strncasecmp(buf.c_str() + at + 2, "content-length:", 15) == 0)
          length = std::strtoul(buf.c_str() + at + 17, nullptr, 10);
      }
      while (buf.size() < end + 4 + length) {
        auto n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0) return 0;
        buf.append(chunk, static_cast<std::size_t>(n));
      }
      buf.erase(0, end + 4 + length);
      return status;
    }
    auto n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return 0;
    buf.append(chunk, static_cast<std::size_t>(n));
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app("Posts a delivery report for every message of a job to a gateway's webhook, as fast as it answers.",
               "loa-report-flood");
  app.add_option("--port", o.port, "the webhook's port on 127.0.0.1")->required()->check(CLI::Range(1, 65535));
  app.add_option("--path", o.path, "the provider's report path, e.g. '/dlr/NAME?token=T'")->required();
  app.add_option("--job", o.job, "the job whose messages are reported")->required();
  app.add_option("--count", o.count, "how many messages (refs <job>.0 ... <job>.N-1)")->required()->check(CLI::PositiveNumber);
  app.add_option("--connections", o.connections, "kept-alive connections, one request in flight on each")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  app.add_option("--batch", o.batch, "reports a request (a JSON list when over 1)")->capture_default_str()->check(CLI::Range(1, 100));
  app.add_option("--status", o.status, "the reports' status")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (o.port <= 0 || o.path.empty() || o.job.empty() || o.count <= 0) {
    std::fprintf(stderr, "loa-report-flood: --port, --path, --job and --count are required\n");
    return 2;
  }
  // Requests are numbered; each thread takes the next one until all are posted.
  const long requests = (o.count + o.batch - 1) / o.batch;
  std::atomic<long> next_request{0}, posted{0}, refused{0}, failed{0};
  auto report = [&](long i) {
    return R"({"ref":")" + o.job + "." + std::to_string(i) + R"(","status":")" + o.status + R"("})";
  };
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < o.connections; ++c)
    threads.emplace_back([&] {
      int fd = -1;
      std::string buf, request;
      for (long r; (r = next_request++) < requests;) {
        std::string body;
        const long first = r * o.batch, last = std::min(o.count, first + o.batch);
        if (o.batch == 1) {
          body = report(first);
        } else {
          body = "[";
          for (long i = first; i < last; ++i) body += (i > first ? "," : "") + report(i);
          body += "]";
        }
        request = "POST " + o.path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: " +
                  std::to_string(body.size()) + "\r\n\r\n" + body;
        int status = 0;
        for (int attempt = 0; attempt < 2 && status == 0; ++attempt) {  // once more on a fresh connection
          if (fd < 0) fd = connect_loopback(o.port), buf.clear();
          if (fd >= 0 && write_all(fd, request)) status = read_answer(fd, buf);
          if (status == 0 && fd >= 0) ::close(fd), fd = -1;
        }
        if (status == 200) posted += last - first;
        else if (status == 0) ++failed;
        else ++refused;
      }
      if (fd >= 0) ::close(fd);
    });
  for (auto& t : threads) t.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  nlohmann::json out{{"requests", requests},         {"reports", posted.load()},
                     {"refused", refused.load()},    {"failed", failed.load()},
                     {"connections", o.connections}, {"batch", o.batch},
                     {"seconds", seconds},           {"reports_per_second", posted.load() / std::max(seconds, 1e-6)}};
  std::puts(out.dump().c_str());
  return failed.load() == 0 && refused.load() == 0 ? 0 : 1;
}
