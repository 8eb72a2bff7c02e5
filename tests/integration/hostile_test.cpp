// The trust surface as an attacker meets it (issue 29): a stranger on the network, an
// officer of another ward, someone holding the gateway's own Redis user. Each case is an
// attack that worked once, tried against the real processes on loopback.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <map>
#include <csignal>
#include <filesystem>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include <httplib.h>

#include <nlohmann/json.hpp>

#include "core/store/audit_store.h"
#include "tests/integration/harness.h"

using namespace loa::test;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {


// "<status> <body>" of one request, "no answer" when there was none.
std::string call(int port, const std::string& method, const std::string& path, const std::string& token = "") {
  httplib::Client c("127.0.0.1", port);
  c.set_read_timeout(10, 0);
  httplib::Headers h;
  if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
  auto r = method == "GET" ? c.Get(path, h) : c.Post(path, h, "{}", "application/json");
  return r ? std::to_string(r->status) + " " + r->body : std::string("no answer");
}

}  // namespace

TEST_SUITE("integration/hostile") {
  TEST_CASE("the Redis password is in no answer and no log line, after Redis drops idle connections and restarts") {
    const std::string password = "s3cr3t-Pw/9";
    TempDir dir;
    RedisServer redis(dir, true, password);
    FakeProvider provider(dir, "fake");
    write_ward(dir, "phuong-6", 3);
    auto cfg = write_config(dir, redis.url(), provider.port(), "", "api: { listen: \"127.0.0.1:0\", token_failures_per_minute: 1000 }\n");
    const std::string token = account(cfg, {"lan", "--role", "officer", "--wards", "phuong-6"});
    Gateway gw(dir, cfg, "gw-1", "gw.log");
    const int api = gw.api_port();
    REQUIRE(call(api, "GET", "/api/v1/jobs", token).rfind("200 ", 0) == 0);
    REQUIRE(call(gw.port(), "GET", "/healthz") == "200 ok\n");

    // What a stranger and an official are told: /healthz, the API with a token, with a
    // wrong one (both need Redis), a few times so that every server thread is asked.
    std::string told;
    auto ask_all = [&] {
      for (int i = 0; i < 6; ++i) {
        told += call(gw.port(), "GET", "/healthz") + "\n";
        told += call(api, "GET", "/api/v1/jobs", token) + "\n";
        told += call(api, "GET", "/api/v1/jobs", "loa_forged") + "\n";
      }
    };
    // Redis closes connections idle for a second: the servers' threads find theirs dead.
    REQUIRE(redis.connect()->command({"CONFIG", "SET", "timeout", "1"}));
    std::this_thread::sleep_for(2500ms);
    ask_all();
    // Redis down, then back.
    redis.process().signal(SIGKILL);
    redis.process().wait(5s);
    std::this_thread::sleep_for(300ms);
    ask_all();
    CHECK(told.find("503 ") != std::string::npos);  // the attack was made: Redis did fail under requests
    redis.kill_and_restart(200ms);
    REQUIRE_MESSAGE(wait_until([&] { return call(gw.port(), "GET", "/healthz") == "200 ok\n"; }, 20s), gw.log());
    ask_all();

    CHECK_MESSAGE(told.find(password) == std::string::npos, told);
    CHECK_MESSAGE(told.find("s3cr3t") == std::string::npos, told);
    // What /healthz tells anyone: no address, no error, only that Redis is unreachable.
    for (std::size_t at = told.find("503 redis"); at != std::string::npos; at = told.find("503 redis", at + 1))
      CHECK(told.compare(at, 22, "503 redis unavailable\n") == 0);
    CHECK(told.find("unix://") == std::string::npos);
    const std::string log = gw.log();
    CHECK(log.find("Redis") != std::string::npos);  // it did log the failures...
    CHECK_MESSAGE(log.find(password) == std::string::npos, log);  // ...without the password
    CHECK(log.find("unix://:***@") != std::string::npos);
  }

  TEST_CASE("the audit trail cut from the front or deleted no longer verifies; retention's own cut does") {
    Rig rig(2, {}, "", "retention: { audit_days: 30 }\n");
    auto& [dir, redis, provider, cfg] = rig;
    auto c = redis.connect();
    plant_old_audit(*c, 3, 40);  // older than audit_days
    account(cfg, {"lan", "--role", "officer", "--wards", "phuong-6"});
    account(cfg, {"mai", "--role", "approver", "--wards", "phuong-6"});
    account(cfg, {"ke-gian", "--role", "admin"});  // made seconds ago: what an attacker would hide
    auto purge = run_loa(cfg, {"purge"});
    REQUIRE_MESSAGE(purge.code == 0, purge.err);
    CHECK(purge.out.find("3 audit entries") != std::string::npos);
    auto good = run_loa(cfg, {"audit", "--verify"});
    REQUIRE_MESSAGE(good.code == 0, good.out);
    const json trail = json::parse(run_loa(cfg, {"audit", "--json"}).out);
    std::size_t made = 0;
    while (made < trail.size() && !(trail[made]["action"] == "account-add" && trail[made]["summary"].dump().find("ke-gian") != std::string::npos))
      ++made;
    REQUIRE(made > 0);
    REQUIRE(made < trail.size());

    SUBCASE("cut from the front with the ordinary Loa user: audit:base set to a later hash, older entries trimmed") {
      REQUIRE(c->command({"SET", "t:audit:base", trail[made - 1]["hash"].get<std::string>()}));
      REQUIRE(c->command({"XTRIM", "t:audit", "MINID", trail[made]["id"].get<std::string>()}));
      auto v = run_loa(cfg, {"audit", "--verify"});
      CHECK(v.code == 1);
      CHECK_MESSAGE(v.out.find("cut from the front") != std::string::npos, v.out);
    }
    SUBCASE("the whole trail deleted") {
      REQUIRE(c->command({"DEL", "t:audit", "t:audit:head", "t:audit:base"}));
      auto v = run_loa(cfg, {"audit", "--verify"});
      CHECK(v.code == 1);
      CHECK_MESSAGE(v.out.find("deleted") != std::string::npos, v.out);
    }
    SUBCASE("a cut that took entries younger than the retention period, even recorded as a cut") {
      loa::store::AuditStore audit(*c, "t");
      auto cut = audit.trim(1, "lan", "127.0.0.1");  // "retention" of a millisecond
      REQUIRE(cut);
      CHECK(*cut > 0);
      auto v = run_loa(cfg, {"audit", "--verify"});
      CHECK(v.code == 1);
      CHECK_MESSAGE(v.out.find("younger than the retention period") != std::string::npos, v.out);
    }
  }

  TEST_CASE("an idempotency key is the sender's own: another ward's officer with the same key gets a job of their own") {
    Rig rig(2, {}, "", "api: { listen: \"127.0.0.1:0\" }\n");
    auto& [dir, redis, provider, cfg] = rig;
    add_ward(dir, "phuong-7", "Phường 7", 2);
    const std::string lan = account(cfg, {"lan", "--role", "officer", "--wards", "phuong-7"});
    const std::string mai = account(cfg, {"mai", "--role", "officer", "--wards", "phuong-6"});
    Gateway gw(dir, cfg, "gw-1", "gw.log");
    const int api = gw.api_port();
    auto post = [&](const std::string& token, const std::string& ward, const std::string& text) {
      httplib::Client c("127.0.0.1", api);
      c.set_read_timeout(10, 0);
      const std::string body =
          json{{"template", "thong-bao"}, {"wards", {ward}}, {"vars", {{"noi_dung", text}}}, {"key", "hop-15-3"}}.dump();
      auto r = c.Post("/api/v1/jobs", {{"Authorization", "Bearer " + token}}, body, "application/json");
      REQUIRE(r);
      return std::make_pair(r->status, json::parse(r->body, nullptr, false));
    };
    auto [s7, a7] = post(lan, "phuong-7", "họp tổ 15/3");
    REQUIRE_MESSAGE(s7 == 202, a7.dump());
    const std::string job7 = a7["id"];
    auto [s6, a6] = post(mai, "phuong-6", "họp tổ 15/3");
    CHECK_MESSAGE(s6 == 202, a6.dump());  // made, not a repeat of phuong-7's
    CHECK(a6.value("repeat", false) == false);
    CHECK(a6.dump().find(job7) == std::string::npos);  // and phuong-7's id is not told
    // The same official, the same key, the same announcement: a repeat, their own job.
    auto [again, a7b] = post(lan, "phuong-7", "họp tổ 15/3");
    CHECK(again == 200);
    CHECK(a7b["id"] == job7);
    CHECK(a7b["repeat"] == true);
    // The same key for a different announcement: refused, nothing enqueued.
    auto [other, a7c] = post(lan, "phuong-7", "họp tổ 16/3");
    CHECK(other == 409);
    CHECK(a7c.dump().find(job7) == std::string::npos);
    // The local command line alike: the key is its sender's.
    auto local = run_loa(cfg, {"send", "--template", "thong-bao", "--ward", "phuong-6", "--var", "noi_dung=khác",
                               "--key", "hop-15-3", "--yes"});
    CHECK_MESSAGE(local.code == 0, local.err);
    CHECK(local.out.find("already used") == std::string::npos);
    auto local_other = run_loa(cfg, {"send", "--template", "thong-bao", "--ward", "phuong-6", "--var", "noi_dung=khác nữa",
                                     "--key", "hop-15-3", "--yes"});
    CHECK(local_other.code == 2);
    CHECK(local_other.err.find("different announcement") != std::string::npos);
    CHECK(wait_until([&] { return job_status(cfg, job7)["state"] == "done"; }, 20s));
  }

  TEST_CASE("a provider's error that quotes the destination: no full number in the report, status or log above debug") {
    TempDir dir;
    RedisServer redis(dir);
    httplib::Server refusing;  // answers as providers do: the number quoted back
    refusing.Post("/send", [](const httplib::Request& req, httplib::Response& res) {
      std::string to = req.has_param("to") ? req.get_param_value("to") : json::parse(req.body, nullptr, false).value("to", "");
      to = to.substr(to.size() >= 9 ? to.size() - 9 : 0);
      res.status = 400;
      res.set_content("{\"error\":\"invalid destination 84" + to + "\"}", "application/json");
    });
    const int port = refusing.bind_to_any_port("127.0.0.1");
    std::thread serving([&] { refusing.listen_after_bind(); });
    const auto numbers = write_ward(dir, "phuong-6", 3);
    auto cfg = write_config(dir, redis.url(), port);
    {
      Gateway gw(dir, cfg, "gw-1", "gw.log");
      const std::string job = send_job(cfg, "phuong-6");
      REQUIRE_MESSAGE(wait_until([&] { return job_status(cfg, job)["state"] == "done"; }, 20s), gw.log());
      REQUIRE(job_status(cfg, job)["counts"].value("failed", 0) == 3);
      const std::string csv = run_loa(cfg, {"report", job, "--csv"}).out;
      const std::string shown = csv + run_loa(cfg, {"status", job}).out + job_status(cfg, job).dump();
      CHECK(csv.find("invalid destination 8491***") != std::string::npos);  // the reason is there, masked
      std::string log_above_debug;
      std::istringstream lines(gw.log());
      for (std::string line; std::getline(lines, line);)
        if (line.find(" debug ") == std::string::npos) log_above_debug += line + "\n";
      CHECK(log_above_debug.find("invalid destination") != std::string::npos);
      for (const auto& n : numbers) {
        const std::string national = n.substr(n.size() - 9);
        CHECK_MESSAGE(shown.find(national) == std::string::npos, shown);
        CHECK_MESSAGE(log_above_debug.find(national) == std::string::npos, log_above_debug);
      }
    }
    refusing.stop();
    serving.join();
  }

  TEST_CASE("two Content-Length fields are refused with 400 and the connection closed (no request smuggling)") {
    Rig rig(1);
    auto& [dir, redis, provider, cfg] = rig;
    Gateway gw(dir, cfg, "gw-1", "gw.log");
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(gw.port()));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    const std::string smuggled = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
    const std::string req = "POST /dlr/local/t0k3n HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                            "Content-Length: 2\r\nContent-Length: " + std::to_string(2 + smuggled.size()) +
                            "\r\n\r\n{}" + smuggled;
    REQUIRE(::send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size()));
    std::string got;
    char buf[4096];
    for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) got.append(buf, static_cast<std::size_t>(n));
    ::close(fd);
    CHECK_MESSAGE(got.rfind("HTTP/1.1 400", 0) == 0, got);
    CHECK(got.find("HTTP/1.1", 1) == std::string::npos);  // one answer: the rest was not read as a request
  }

  TEST_CASE("guessing tokens: each failure counted and logged (once a while), and an address that keeps failing is slowed") {
    Rig rig(1, {}, "", "api: { listen: \"127.0.0.1:0\" }\n");
    auto& [dir, redis, provider, cfg] = rig;
    const std::string token = account(cfg, {"lan", "--role", "officer", "--wards", "phuong-6"});
    Gateway gw(dir, cfg, "gw-1", "gw.log");
    const int api = gw.api_port();
    for (int i = 0; i < 10; ++i) CHECK(call(api, "GET", "/api/v1/jobs", "loa_guess" + std::to_string(i)).rfind("401 ", 0) == 0);
    // The eleventh try, and any token at all from that address, wait out the minute.
    httplib::Client c("127.0.0.1", api);
    auto slowed = c.Get("/api/v1/jobs", {{"Authorization", "Bearer loa_guess10"}});
    REQUIRE(slowed);
    CHECK(slowed->status == 429);
    CHECK(std::stoi(slowed->get_header_value("Retry-After")) > 0);
    CHECK(call(api, "GET", "/api/v1/jobs", token).rfind("429 ", 0) == 0);
    httplib::Client hook("127.0.0.1", gw.port());
    const std::string metrics = hook.Get("/metrics")->body;
    CHECK(metrics.find("loa_api_token_failures_total{outcome=\"refused\"} 10") != std::string::npos);
    CHECK(metrics.find("loa_api_token_failures_total{outcome=\"slowed\"} 2") != std::string::npos);
    const std::string log = gw.log();
    const auto said = log.find("refused an unknown or revoked token from 127.0.0.1");
    CHECK(said != std::string::npos);
    CHECK(log.find("refused an unknown or revoked token", said + 1) == std::string::npos);  // not a line per try
  }

  TEST_CASE("a Redis that takes the connection and never answers: the gateway keeps trying, a line per try, never exits") {
    RawServer black_hole([](int fd) {
      char buf[256];
      while (::recv(fd, buf, sizeof buf, 0) > 0) {  // reads, answers nothing
      }
    });
    TempDir dir;
    FakeProvider provider(dir, "fake");
    write_ward(dir, "phuong-6", 1);
    auto cfg = write_config(dir, "redis://127.0.0.1:" + std::to_string(black_hole.port()), provider.port());
    Process gw({bin("loa-gatewayd"), "--config", cfg}, dir.file("gw.out"), dir.file("gw.err"), {{"LOA_INSTANCE_ID", "gw"}});
    // Each try waits 5 s for an answer, then 1 s, 2 s... before the next.
    std::this_thread::sleep_for(12s);
    CHECK(gw.running());
    const std::string log = read_file(dir.file("gw.err")) + read_file(dir.file("gw.out"));
    std::size_t tries = 0;
    for (auto at = log.find("trying again in"); at != std::string::npos; at = log.find("trying again in", at + 1)) ++tries;
    CHECK_MESSAGE(tries >= 2, log);
    CHECK(tries <= 3);
    gw.signal(SIGTERM);
    CHECK(gw.wait(10s) == 0);
  }

  TEST_CASE("the file provider on a full disk: no torn line, a message not written is not delivered, and goes once room comes") {
    TempDir dir;
    auto disk = SmallDisk::mount(dir.file("outbox"), "64k");
    if (!disk) {
      MESSAGE("skipped: cannot mount a tmpfs here");
      return;
    }
    RedisServer redis(dir);
    write_ward(dir, "phuong-6", 40);
    // Room for a few lines only; the rest of the disk taken.
    run({"dd", "if=/dev/zero", "of=" + dir.file("outbox/filler"), "bs=1k", "count=60"});
    auto cfg = write_config(dir, redis.url(), 1, "", "");
    {
      std::string text = dir.read("loa.yaml");
      const auto at = text.find("providers:");
      REQUIRE(at != std::string::npos);
      text = text.substr(0, at) + "retry: { max_attempts: 100, base_delay_ms: 200, max_delay_ms: 500 }\nproviders:\n  - name: local\n    type: file\n    path: " +
             dir.file("outbox/outbox.jsonl") + "\n";
      const std::string quick = "retry: { max_attempts: 3, base_delay_ms: 50, max_delay_ms: 200 }\n";
      REQUIRE(text.find(quick) != std::string::npos);
      text.replace(text.find(quick), quick.size(), "");
      dir.write("loa.yaml", text);
    }
    Gateway gw(dir, cfg, "gw-1", "gw.log");
    const std::string job = send_job(cfg, "phuong-6");
    REQUIRE_MESSAGE(wait_until([&] { return gw.log().find("cannot write outbox") != std::string::npos; }, 20s), gw.log());
    auto lines_of = [&] {
      std::vector<json> lines;
      std::istringstream in(read_file(dir.file("outbox/outbox.jsonl")));
      for (std::string line; std::getline(in, line);) {
        auto j = json::parse(line, nullptr, false);
        CHECK_MESSAGE(!j.is_discarded(), "a torn line: ", line);
        lines.push_back(j);
      }
      return lines;
    };
    const auto while_full = lines_of();
    const auto counts = job_status(cfg, job)["counts"];
    CHECK(counts.value("delivered", 0) == static_cast<int>(while_full.size()));  // written = delivered, no more
    CHECK(while_full.size() < 40);
    // Room again: the rest go, each once.
    std::filesystem::remove(dir.file("outbox/filler"));
    REQUIRE_MESSAGE(wait_until([&] { return job_status(cfg, job)["state"] == "done"; }, 30s), gw.log());
    const auto all = lines_of();
    std::set<std::string> refs;
    for (const auto& l : all) refs.insert(l.value("ref", ""));
    CHECK(all.size() == 40);
    CHECK(refs.size() == 40);
    CHECK(job_status(cfg, job)["counts"].value("delivered", 0) == 40);
  }

  TEST_CASE("control characters: refused where they cannot belong, escaped wherever free text is shown") {
    Rig rig(2, {}, "", "api: { listen: \"127.0.0.1:0\" }\napproval: { urgent: true }\n");
    auto& [dir, redis, provider, cfg] = rig;
    const std::string mai = account(cfg, {"mai", "--role", "approver", "--wards", "phuong-6"});
    Gateway gw(dir, cfg, "gw-1", "gw.log");
    const std::string forged = "ok\n2026-12-07 08:00  chu-tich  approved  1-0  \x1b[2J\x1b[31mpwned";
    // A var, a key, an area with an escape or a line break: refused, nothing enqueued.
    for (const std::vector<std::string>& extra :
         {std::vector<std::string>{"--var", "noi_dung=a\x1b[2Jb"}, {"--var", "noi_dung=x", "--key", "k\nk"},
          {"--var", "noi_dung=x", "--area", "Khóm\x07 1"}}) {
      std::vector<std::string> args{"send", "--template", "thong-bao", "--ward", "phuong-6", "--yes"};
      args.insert(args.end(), extra.begin(), extra.end());
      auto r = run_loa(cfg, args);
      CHECK_MESSAGE(r.code == 2, r.out, r.err);
      CHECK(r.err.find("control character") != std::string::npos);
    }
    // A reason with a forged line: refused by loa and by the API, the job still waiting.
    const std::string job = send_job(cfg, "phuong-6", "họp", {"--urgent"});
    REQUIRE(wait_until([&] { return job_status(cfg, job)["state"] == "awaiting_approval"; }, 10s));
    auto rejected = run_loa(cfg, {"reject", job, "--reason", forged});
    CHECK(rejected.code == 2);
    auto not_utf8 = run_loa(cfg, {"reject", job, "--reason", "l\xff\xfe do"});
    CHECK(not_utf8.code == 2);  // refused before anything was done, not a crash after
    CHECK(not_utf8.err.find("UTF-8") != std::string::npos);
    CHECK(run_loa(cfg, {"optout", "add", "0912000001", "--reason", forged}).code == 2);
    httplib::Client c("127.0.0.1", gw.api_port());
    auto api = c.Post("/api/v1/jobs/" + job + "/reject", {{"Authorization", "Bearer " + mai}}, json{{"reason", forged}}.dump(),
                      "application/json");
    REQUIRE(api);
    CHECK(api->status == 400);
    CHECK(job_status(cfg, job)["state"] == "awaiting_approval");
    // What reached Redis some other way is shown escaped: a stored reason and an audit entry.
    auto r = redis.connect();
    REQUIRE(r->command({"HSET", "t:job:" + job, "reason", forged}));
    auto status = run_loa(cfg, {"status", job});
    CHECK(status.out.find('\x1b') == std::string::npos);
    CHECK(status.out.find("\\x1b[2J") != std::string::npos);
    CHECK(status.out.find("\n2026-12-07 08:00") == std::string::npos);  // no forged line
    auto jobs = run_loa(cfg, {"jobs"});
    CHECK(jobs.out.find('\x1b') == std::string::npos);
    loa::store::AuditStore audit(*r, "t");
    REQUIRE(audit.append({.actor = "mai\n2026-12-07 08:00  chu-tich", .source = "x", .action = "reject", .job = job,
                          .summary = {{"reason", forged}}}));
    auto trail = run_loa(cfg, {"audit"});
    CHECK(trail.out.find('\x1b') == std::string::npos);
    CHECK(trail.out.find("\n2026-12-07 08:00") == std::string::npos);
    CHECK(trail.out.find("\\x0a2026-12-07 08:00") != std::string::npos);
  }

  TEST_CASE("loa --server to this machine never hands the token to $http_proxy; to another it says a proxy will have it") {
    Rig rig(1, {}, "", "api: { listen: \"127.0.0.1:0\" }\n");
    auto& [dir, redis, provider, cfg] = rig;
    const std::string token = account(cfg, {"lan", "--role", "officer", "--wards", "phuong-6"});
    Gateway gw(dir, cfg, "gw-1", "gw.log");
    std::atomic<int> proxied{0};
    RawServer proxy([&](int fd) {  // a proxy that would see the Authorization header
      ++proxied;
      std::string buf;
      read_request(fd, buf);
    });
    const std::string proxy_url = "http://127.0.0.1:" + std::to_string(proxy.port());
    const std::map<std::string, std::string> env{{"LOA_TOKEN", token},         {"LOA_CONFIG", "/nonexistent/loa.yaml"},
                                                 {"http_proxy", proxy_url},    {"https_proxy", proxy_url},
                                                 {"all_proxy", proxy_url},     {"no_proxy", ""},
                                                 {"LC_ALL", "en_US.UTF-8"}};
    auto jobs = run({bin("loa"), "--server", "http://127.0.0.1:" + std::to_string(gw.api_port()), "jobs"}, env);
    CHECK_MESSAGE(jobs.code == 0, jobs.err);
    CHECK(proxied.load() == 0);
    CHECK(jobs.err.find("proxy") == std::string::npos);
    // A name that only starts like a loopback address is another machine: warned about (and
    // the request goes to the proxy, which here answers nothing).
    auto far = run({bin("loa"), "--server", "http://127.0.0.1.example.invalid:1", "jobs"}, env);
    CHECK(far.code != 0);
    CHECK_MESSAGE(far.err.find("goes through that proxy") != std::string::npos, far.err);
    CHECK(far.err.find("plain HTTP") != std::string::npos);
  }
}
