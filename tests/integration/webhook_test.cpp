// Delivery-report webhook: secrets, sizes, unknown providers and messages, forward-only states.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "tests/integration/harness.h"

using namespace loa::test;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {
int connect_to(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  return fd;
}

// Writes `head`, then one byte every 200 ms, until the server closes; how long it took.
std::chrono::milliseconds slow_sender(int port, const std::string& head, std::chrono::milliseconds give_up) {
  int fd = connect_to(port);
  auto start = std::chrono::steady_clock::now();
  send(fd, head.data(), head.size(), MSG_NOSIGNAL);
  while (std::chrono::steady_clock::now() - start < give_up) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 200) > 0) {
      char buf[512];
      if (recv(fd, buf, sizeof buf, 0) <= 0) break;
    }
    if (send(fd, "a", 1, MSG_NOSIGNAL) < 0) break;
  }
  close(fd);
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
}
}  // namespace

TEST_SUITE("integration") {
  TEST_CASE("webhook.max_body_kib raises the body cap for larger report batches, and still caps") {
    TempDir dir;
    RedisServer redis(dir);
    FakeProvider provider(dir, "fake");
    write_ward(dir, "phuong-6", 1);
    auto cfg = write_config(dir, redis.url(), provider.port());
    std::string text = dir.read("loa.yaml");
    text.replace(text.find("  listen: 127.0.0.1:0\n"), 22, "  listen: 127.0.0.1:0\n  max_body_kib: 128\n");
    dir.write("loa.yaml", text);
    Gateway gw(dir, cfg, "gw-1", "gw.log");
    httplib::Client client("127.0.0.1", gw.port());
    // 100 KiB: read and parsed (not a report: 400), where the default cap said 413.
    auto big = client.Post("/dlr/local/t0k3n", std::string(100 * 1024, 'x'), "application/json");
    REQUIRE(big);
    CHECK(big->status == 400);
    auto over = client.Post("/dlr/local/t0k3n", std::string(130 * 1024, 'x'), "application/json");
    REQUIRE(over);
    CHECK(over->status == 413);
    CHECK(over->body.find("128 KiB") != std::string::npos);
  }

  TEST_CASE("webhook answers: 404 unknown provider, 401 secret, 400 malformed, 413 oversized, 200 parsed") {
    TempDir dir;
    RedisServer redis(dir);
    // Reports are posted by hand here: the fake provider is told to report far in the future.
    FakeProvider provider(dir, "fake", {"--dlr-delay-ms", "600000"});
    write_ward(dir, "phuong-6", 2);
    auto cfg = write_config(dir, redis.url(), provider.port(),
                            "    dlr:\n      id: id\n      secret_header: X-Loa-Secret\n      secret: s3cret\n"
                            "      statuses: { delivered: [DELIVERED], failed: [FAILED] }\n");
    {  // a short request deadline for this test
      std::ifstream in(cfg);
      std::stringstream text;
      text << in.rdbuf();
      std::string s = text.str();
      s.replace(s.find("  listen: 127.0.0.1:0\n"), 22, "  listen: 127.0.0.1:0\n  request_timeout_ms: 1500\n  metrics_token: m3tr1cs\n"
                "  max_connections_per_client: 4\n");
      std::ofstream(cfg) << s;
    }
    Gateway gw(dir, cfg, "gw-1", "gw.log");
    httplib::Client client("127.0.0.1", gw.port());
    httplib::Headers secret{{"X-Loa-Secret", "s3cret"}};

    // Hostile framing: compressed bodies, too many headers, slow senders, endless chunks.
    httplib::Headers gzip{{"X-Loa-Secret", "s3cret"}, {"Content-Encoding", "gzip"}};
    CHECK(client.Post("/dlr/local?token=t0k3n", gzip, "\x1f\x8b", "application/json")->status == 415);
    httplib::Headers many;
    for (int i = 0; i < 80; ++i) many.emplace("X-H" + std::to_string(i), "v");
    CHECK(client.Get("/healthz", many)->status == 431);
    CHECK(client.Get("/healthz", httplib::Headers{{"X-Big", std::string(20 * 1024, 'h')}})->status == 431);  // head over ~8 KiB
    {  // Four connections from one address are its limit: a fifth is closed at once.
      client.stop();
      // Until the server has seen the client's own connection close (slower under ASan):
      // otherwise it still counts against the four.
      std::this_thread::sleep_for(500ms);
      std::vector<int> held;
      for (int i = 0; i < 4; ++i) held.push_back(connect_to(gw.port()));
      std::this_thread::sleep_for(200ms);
      int fifth = connect_to(gw.port());
      pollfd p{fifth, POLLIN, 0};
      char byte;
      CHECK(poll(&p, 1, 1000) == 1);
      CHECK(recv(fifth, &byte, 1, 0) <= 0);
      close(fifth);
      for (int fd : held) close(fd);
      std::this_thread::sleep_for(200ms);
    }
    auto slow_head = slow_sender(gw.port(), "POST /dlr/local?token=t0k3n HTTP/1.1\r\nHost: x\r\nX-Slow: ", 6000ms);
    CHECK(slow_head >= 1400ms);  // the deadline is for the whole request, however steady the trickle
    CHECK(slow_head < 3000ms);
    auto slow_body = slow_sender(gw.port(), "POST /dlr/local?token=t0k3n HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n", 6000ms);
    CHECK(slow_body < 3000ms);
    {
      int fd = connect_to(gw.port());
      std::string head = "POST /dlr/local?token=t0k3n HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
      send(fd, head.data(), head.size(), MSG_NOSIGNAL);
      const std::string chunk = "400\r\n" + std::string(1024, 'x') + "\r\n";
      std::size_t sent = 0;
      for (int i = 0; i < 65536; ++i) {  // 64 MiB offered; the server stops at 64 KiB
        ssize_t n = send(fd, chunk.data(), chunk.size(), MSG_NOSIGNAL);
        if (n <= 0) break;
        sent += static_cast<std::size_t>(n);
      }
      CHECK(sent < 65536 * chunk.size());
      close(fd);
    }
    CHECK(client.Get("/healthz")->status == 200);

    CHECK(client.Get("/healthz")->status == 200);
    CHECK(client.Post("/dlr/nope", secret, "{}", "application/json")->status == 404);
    CHECK(client.Post("/dlr/local", secret, R"({"id":"1-0.0","status":"DELIVERED"})", "application/json")->status == 401);  // no token
    CHECK(client.Post("/dlr/local?token=t0k3N", secret, R"({"id":"1-0.0","status":"DELIVERED"})", "application/json")->status == 401);
    CHECK(client.Post("/dlr/local?token=t0k3n", R"({"id":"1-0.0","status":"DELIVERED"})", "application/json")->status == 401);
    CHECK(client.Post("/dlr/local?token=t0k3n", httplib::Headers{{"X-Loa-Secret", "s3creT"}}, R"({"id":"1-0.0","status":"DELIVERED"})", "application/json")->status == 401);
    CHECK(client.Post("/dlr/local?token=t0k3n", secret, "{broken", "application/json")->status == 400);
    CHECK(client.Post("/dlr/local?token=t0k3n", secret, R"({"status":"DELIVERED"})", "application/json")->status == 400);
    CHECK(client.Post("/dlr/local?token=t0k3n", secret, std::string(70 * 1024, 'x'), "application/json")->status == 413);
    CHECK(client.Post("/dlr/local?token=t0k3n", secret, R"({"id":"999-0.3","status":"DELIVERED"})", "application/json")->status == 200);
    CHECK(client.Get("/dlr/local?token=t0k3n&id=999-0.4&status=DELIVERED", secret)->status == 200);
    // The token in the path, as Loa now hands it out: a provider appending "?..." keeps it.
    CHECK(client.Get("/dlr/local/t0k3n?id=999-0.5&status=DELIVERED", secret)->status == 200);
    CHECK(client.Post("/dlr/local/t0k3n", secret, R"({"id":"999-0.6","status":"DELIVERED"})", "application/json")->status == 200);
    CHECK(client.Get("/dlr/local/t0k3N?id=999-0.5&status=DELIVERED", secret)->status == 401);
    CHECK(client.Get("/dlr/local/t0k3N?token=t0k3n&id=999-0.5&status=DELIVERED", secret)->status == 401);  // the path's counts
    CHECK(client.Get("/dlr/local/?id=999-0.5&status=DELIVERED", secret)->status == 404);
    CHECK(client.Get("/dlr/local/t0k3n/x?id=999-0.5&status=DELIVERED", secret)->status == 404);

    // A real job: reports move messages forward and never back.
    std::string job = send_job(cfg, "phuong-6", "x");
    auto counts = [&] { return job_status(cfg, job)["counts"]; };
    REQUIRE(wait_until([&] { return counts()["sent"] == 2; }, std::chrono::seconds(20)));
    std::string ref0 = job + ".0", ref1 = job + ".1";
    CHECK(client.Post("/dlr/local?token=t0k3n", secret, json{{"id", ref0}, {"status", "DELIVERED"}}.dump(), "application/json")->status == 200);
    CHECK(client.Post("/dlr/local?token=t0k3n", secret, json{{"id", ref0}, {"status", "FAILED"}}.dump(), "application/json")->status == 200);
    CHECK(client.Post("/dlr/local?token=t0k3n", secret, json{{"id", ref0}, {"status", "DELIVERED"}}.dump(), "application/json")->status == 200);
    // Form-encoded, keyed by the provider's own id, resolved through the id Loa recorded.
    std::string pid = message(*redis.connect(), job, 1).progress.provider_id;
    REQUIRE(pid.rfind("fp-", 0) == 0);
    CHECK(client.Post("/dlr/local?token=t0k3n", secret, "id=" + pid + "&status=FAILED", "application/x-www-form-urlencoded")->status == 200);
    auto c = counts();
    CHECK(c["delivered"] == 1);
    CHECK(c["failed"] == 1);
    CHECK(c["sent"] == 0);
    CHECK(gw.log().find("report for unknown message 999-0.3") != std::string::npos);
    // An id with a line break cannot forge a log line.
    CHECK(client.Post("/dlr/local?token=t0k3n", secret, R"({"id":"999-0.8\n2026-01-01 info FORGED","status":"DELIVERED"})",
                      "application/json")->status == 200);
    REQUIRE(wait_until([&] { return gw.log().find("FORGED") != std::string::npos; }, std::chrono::seconds(5)));
    CHECK(gw.log().find("\nFORGED") == std::string::npos);
    CHECK(gw.log().find("\n2026-01-01 info FORGED") == std::string::npos);
    CHECK(gw.log().find("\\x0a2026-01-01 info FORGED") != std::string::npos);

    CHECK(client.Get("/metrics")->status == 401);  // webhook.metrics_token set
    CHECK(client.Get("/metrics", httplib::Headers{{"Authorization", "Bearer wrong"}})->status == 401);
    auto metrics = client.Get("/metrics", httplib::Headers{{"Authorization", "Bearer m3tr1cs"}});
    REQUIRE(metrics->status == 200);
    CHECK(metrics->body.find("loa_messages_total{provider=\"local\",state=\"delivered\"} 1") != std::string::npos);
    CHECK(metrics->body.find("loa_messages_total{provider=\"local\",state=\"failed\"} 1") != std::string::npos);
    CHECK(metrics->body.find("loa_dlr_total{provider=\"local\",outcome=\"duplicate\"} 2") != std::string::npos);
  }
}

TEST_SUITE("integration") {
  // The webhook under attack from many addresses: slow-loris sockets, idle connections,
  // endless chunked bodies and gzip bombs, each reconnected when dropped. Genuine reports
  // and /healthz still get their answer within a second, and the daemon stays small.
  TEST_CASE("webhook under abuse: genuine reports and /healthz answered within 1 s, memory under 128 MiB") {
    Rig rig(2);
    auto& [dir, redis, provider, cfg] = rig;
    Gateway gw(dir, cfg, "gw-1", "gw.log");
    auto r = run({bin("loa-webhook-abuse"), "--port", std::to_string(gw.port()), "--report-path",
                  "/dlr/local?token=t0k3n", "--pid", std::to_string(gw.process().pid()), "--slowloris", "1000",
                  "--idle", "10000", "--chunked", "20", "--gzip", "20", "--seconds", "8"});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    auto got = nlohmann::json::parse(r.out);
    MESSAGE(got.dump());
    CHECK(got["genuine"]["requests"].get<int>() >= 20);
    CHECK(got["genuine"]["failures"] == 0);
    CHECK(got["genuine"]["report_ms"]["max"].get<double>() < 1000);
    CHECK(got["genuine"]["healthz_ms"]["max"].get<double>() < 1000);
    if (!LOA_SANITIZED) CHECK(got["daemon_kib"]["hwm"].get<long>() < 128 * 1024);  // ASan's shadow memory is not the daemon's
    CHECK(got["dropped_by_server"]["chunked"].get<long>() > 0);  // endless bodies are cut off
    CHECK(got["dropped_by_server"]["idle"].get<long>() > 0);     // idle ones shut near the limit (the deadline is 10 s)
    CHECK(got["dropped_by_server"]["gzip"].get<long>() > 0);     // bombs refused, never inflated
    CHECK(gw.process().running());
  }
}
