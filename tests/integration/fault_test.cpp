// The fault suite: the gateway killed at random moments, Redis killed mid-job, providers
// that swallow requests, hang up mid-answer or answer garbage. After each, every resident
// is accounted for exactly once and no resident got a message twice.
// LOA_LONG_FAULTS=1 runs the long variants (more residents, more kills).
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <cstdlib>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "tests/integration/harness.h"

using namespace loa::test;
using nlohmann::json;

namespace {

bool long_faults() {
  const char* v = std::getenv("LOA_LONG_FAULTS");
  return v && *v && std::string(v) != "0";
}

// Every resident exactly once: nothing queued or sending, each one sent, delivered or
// unknown, and the provider saw no ref twice and every ref not unknown.
void account_for_everyone(const std::string& cfg, const std::string& job, int residents, const FakeProvider& provider) {
  auto s = job_status(cfg, job);
  auto c = s["counts"];
  CHECK(s["total"] == residents);
  CHECK(c["queued"] == 0);
  CHECK(c["sending"] == 0);
  CHECK(c["failed"] == 0);
  const int unknown = c["unknown"].get<int>();
  CHECK(c["sent"].get<int>() + c["delivered"].get<int>() + unknown == residents);
  std::map<std::string, int> seen;
  for (const auto& line : provider.log_lines()) ++seen[json::parse(line)["ref"].get<std::string>()];
  int twice = 0;
  for (const auto& [ref, n] : seen) twice += n > 1;
  CHECK_MESSAGE(twice == 0, twice, " resident(s) got a message twice");
  CHECK(static_cast<int>(seen.size()) >= residents - unknown);
  CHECK(static_cast<int>(seen.size()) <= residents);
}

// A provider that misbehaves on every request: it reads the request, then
//   blackhole: keeps the connection and never answers;
//   hangup:    starts a 200 answer and closes halfway through its body;
//   garbage:   writes bytes that are not HTTP and closes.
// It counts the requests it read.
class BadProvider {
 public:
  explicit BadProvider(std::string mode) : mode_(std::move(mode)) {}
  int port() const { return server_.port(); }
  int requests() const { return requests_; }

 private:
  void serve(int fd) {
    std::string buf;
    if (read_request(fd, buf)) ++requests_;
    if (mode_ == "blackhole") {
      char sink[512];
      while (recv(fd, sink, sizeof sink, 0) > 0) {  // until the gateway gives up, or the test ends
      }
    } else if (mode_ == "hangup") {
      std::string half = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n{\"id\":\"h";
      send(fd, half.data(), half.size(), MSG_NOSIGNAL);
    } else {
      std::string junk = "\x16\x03\x01 SSH-2.0-nonsense\r\n\r\n\xff\xfe";
      send(fd, junk.data(), junk.size(), MSG_NOSIGNAL);
    }
  }
  std::string mode_;
  std::atomic<int> requests_{0};
  RawServer server_{[this](int fd) { serve(fd); }};
};

}  // namespace

TEST_SUITE("integration/faults") {
  TEST_CASE("kill -9 of the gateway at random moments, again and again: every resident exactly once") {
    TempDir dir;
    RedisServer redis(dir);
    FakeProvider provider(dir, "fake", {"--latency-ms", "30"});
    const int residents = long_faults() ? 10000 : 3000;
    const int kills = long_faults() ? 25 : 10;
    write_ward(dir, "phuong-6", residents);
    // A rate that keeps the job going through every kill: unlimited, a fast gateway sent all
    // 3,000 within three lives, and at 400/s an ASan build (seconds to start, sending all the
    // while) within four; at 150/s five lives send at most ~2,000. ~5 requests in flight.
    auto cfg = write_config(dir, redis.url(), provider.port(), "    rate_per_second: 150\n    burst: 20\n");
    std::string job = send_job(cfg, "phuong-6", "x");
    std::mt19937 rng(std::random_device{}());
    int killed = 0;
    for (int k = 0; k < kills; ++k) {
      Gateway gw(dir, cfg, "gw-faults", fmt::format("gw{}.log", k));
      std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(150, 700)(rng)));
      if (job_status(cfg, job)["state"] == "done") break;
      gw.process().signal(SIGKILL);
      CHECK(gw.process().wait(std::chrono::seconds(5)) == 128 + SIGKILL);
      ++killed;
    }
    MESSAGE(killed, " kills; provider saw ", provider.log_lines().size(), " of ", residents, " before the last start");
    CHECK(killed >= 5);
    Gateway last(dir, cfg, "gw-faults", "last.log");
    REQUIRE_MESSAGE(wait_until([&] { return job_status(cfg, job)["state"] == "done"; }, std::chrono::seconds(120)), last.log());
    account_for_everyone(cfg, job, residents, provider);
  }

  TEST_CASE("Redis killed and restarted mid-job: the gateway carries on, nothing lost, nothing twice") {
    TempDir dir;
    RedisServer redis(dir, /*durable=*/true);
    FakeProvider provider(dir, "fake", {"--latency-ms", "20"});
    const int residents = long_faults() ? 5000 : 1000;
    write_ward(dir, "phuong-6", residents);
    auto cfg = write_config(dir, redis.url(), provider.port());
    Gateway gw(dir, cfg, "gw-1", "gw.log");
    std::string job = send_job(cfg, "phuong-6", "x");
    REQUIRE(wait_until([&] { return provider.log_lines().size() >= static_cast<std::size_t>(residents / 5); },
                       std::chrono::seconds(30)));
    redis.kill_and_restart(std::chrono::milliseconds(3000));
    REQUIRE_MESSAGE(wait_until([&] { return job_status(cfg, job)["state"] == "done"; }, std::chrono::seconds(90)), gw.log());
    account_for_everyone(cfg, job, residents, provider);
    CHECK(gw.process().running());
    // Redis down for 3 s: a few lines per component and try, not a flood.
    std::size_t errors = 0;
    const std::string log = gw.log();
    for (auto at = log.find(" error "); at != std::string::npos; at = log.find(" error ", at + 1)) ++errors;
    MESSAGE(errors, " error lines while Redis was down");
    CHECK_MESSAGE(errors < 20, log.substr(log.find(" error ") > 200 ? log.find(" error ") - 200 : 0, 6000));
  }

  // eSMS posts a report once (it retries only on a timeout), and loa-fake-provider too:
  // reports that come while Redis is down are kept on disk, answered 200, applied later.
  TEST_CASE("reports posted while Redis is down are kept on disk and applied when it is back: none lost") {
    TempDir dir;
    RedisServer redis(dir, /*durable=*/true);
    FakeProvider provider(dir, "fake", {"--dlr-delay-ms", "1500"});
    write_ward(dir, "phuong-6", 20);
    auto cfg = write_config(dir, redis.url(), provider.port());
    Gateway gw(dir, cfg, "gw-1", "gw.log");
    std::string job = send_job(cfg, "phuong-6", "x");
    REQUIRE(wait_until([&] { return job_status(cfg, job)["counts"]["sent"] == 20; }, std::chrono::seconds(20)));
    // Down for 3 s from now: every report (1.5 s after its send) comes meanwhile.
    std::thread outage([&] { redis.kill_and_restart(std::chrono::milliseconds(3000)); });
    outage.join();
    REQUIRE_MESSAGE(wait_until([&] { return job_status(cfg, job)["counts"]["delivered"] == 20; }, std::chrono::seconds(30)),
                    gw.log());
    const std::string log = gw.log();
    CHECK(log.find("reports kept on disk until Redis is back") != std::string::npos);
    CHECK(log.find("applied") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir.file("state/dlr-spool.applying")));
  }

  TEST_CASE("a provider that swallows requests, hangs up mid-answer or answers garbage: unknown, never twice; another route unaffected") {
    for (std::string mode : {"blackhole", "hangup", "garbage"}) {
      CAPTURE(mode);
      TempDir dir;
      RedisServer redis(dir);
      FakeProvider good(dir, "good");
      BadProvider bad(mode);
      write_ward(dir, "phuong-6", 200);  // Vinaphone numbers (0912...): the bad provider's route
      std::string viettel = "Họ và tên,Số điện thoại,Khóm/Ấp\n";
      for (int i = 0; i < 200; ++i) viettel += fmt::format("Cư dân {},0982{:06d},Khóm 2\n", i, i);
      dir.write("wards/phuong-7.csv", viettel);
      auto cfg = write_config(dir, redis.url(), good.port(), fmt::format(R"(  - name: bad
    type: http
    url: http://127.0.0.1:{}/send
    message_id: id
    dlr_token: t0k3n
    timeout_ms: 1000
    max_in_flight: 8
routes:
  default: [local]
  by_carrier: {{ vinaphone: [bad] }}
)", bad.port()));
      Gateway gw(dir, cfg, "gw-1", "gw.log");
      auto start = std::chrono::steady_clock::now();
      std::string to_bad = send_job(cfg, "phuong-6", "x");
      std::string to_good = send_job(cfg, "phuong-7", "x");
      REQUIRE_MESSAGE(wait_until([&] { return job_status(cfg, to_good)["state"] == "done"; }, std::chrono::seconds(20)), gw.log());
      CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(15));
      auto g = job_status(cfg, to_good)["counts"];
      CHECK(g["sent"].get<int>() + g["delivered"].get<int>() == 200);
      // The bad provider is taken out of rotation after a few failures (one probe every
      // 10 s after that): the messages it was given are unknown, each sent once; the rest
      // wait, queued, for it to come back -- none is sent twice, none reported sent.
      CHECK(wait_until([&] { return gw.log().find("bad: failing") != std::string::npos; }, std::chrono::seconds(10)));
      REQUIRE(wait_until([&] { return job_status(cfg, to_bad)["counts"]["sending"] == 0; }, std::chrono::seconds(10)));
      auto b = job_status(cfg, to_bad)["counts"];
      CHECK(b["sent"] == 0);
      CHECK(b["delivered"] == 0);
      CHECK(b["unknown"].get<int>() == bad.requests());
      CHECK(b["unknown"].get<int>() + b["queued"].get<int>() == 200);
      CHECK(bad.requests() < 60);
    }
  }
}
