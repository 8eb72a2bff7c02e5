// Running the daemon as a ward office and its IT staff do: scheduled sends, quiet hours,
// cancel, SIGTERM drain and restart, SIGHUP with a broken template, /metrics, systemd units.
#include <doctest/doctest.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "core/util/time.h"
#include "tests/integration/harness.h"

using namespace loa::test;
using nlohmann::json;

namespace {
std::string iso_utc(std::int64_t ms) {
  std::string local = loa::util::format_local(ms, "UTC");
  return local.substr(0, 10) + "T" + local.substr(11) + "Z";
}

// A metric's value from a Prometheus text page, -1 when absent.
double metric(const std::string& page, const std::string& series) {
  auto at = page.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(page.substr(at + series.size() + 2));
}
// What Prometheus' users rely on, checked on a page: every sample's family has one # TYPE,
// all samples of a family carry the same label names (histograms: besides `le`), counters
// end in _total. The errors found.
std::vector<std::string> exposition_problems(const std::string& page) {
  std::vector<std::string> problems;
  std::map<std::string, std::string> types;
  std::map<std::string, std::string> labels_of;
  std::istringstream in(page);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("# TYPE ", 0) == 0) {
      std::istringstream t(line.substr(7));
      std::string name, type;
      t >> name >> type;
      if (!types.emplace(name, type).second) problems.push_back("two # TYPE lines for " + name);
      if (type == "counter" && !name.ends_with("_total")) problems.push_back("counter " + name + " does not end in _total");
      continue;
    }
    if (line.empty() || line[0] == '#') continue;
    const auto brace = line.find('{');
    std::string name = line.substr(0, std::min(brace, line.find(' ')));
    std::string keys;
    if (brace != std::string::npos) {
      const std::string inside = line.substr(brace + 1, line.find('}') - brace - 1);
      for (std::size_t at = 0; at < inside.size();) {
        auto eq = inside.find('=', at);
        std::string key = inside.substr(at, eq - at);
        if (key != "le") keys += key + ",";
        auto close = inside.find('"', inside.find('"', eq) + 1);
        at = close + 2;
      }
    }
    std::string fam = name;
    for (const char* suffix : {"_bucket", "_sum", "_count"})
      if (!types.count(fam) && fam.ends_with(suffix)) fam = fam.substr(0, fam.size() - std::strlen(suffix));
    if (!types.count(fam)) problems.push_back("no # TYPE for " + name);
    auto [it, fresh] = labels_of.emplace(fam, keys);
    if (!fresh && it->second != keys) problems.push_back(fam + " has labels {" + it->second + "} and {" + keys + "}");
  }
  return problems;
}
}  // namespace

TEST_SUITE("integration/operations") {
  TEST_CASE("/metrics: every series from start-up, one label set per name, counters that never go down") {
    Rig rig(20);
    auto& [dir, redis, provider, cfg] = rig;
    std::optional<Gateway> gw;
    gw.emplace(dir, cfg, "gw-1", "gw.log");
    auto page = [&] {
      httplib::Client client("127.0.0.1", gw->port());
      auto r = client.Get("/metrics");
      REQUIRE(r);
      REQUIRE(r->status == 200);
      for (const auto& p : exposition_problems(r->body)) FAIL_CHECK(p);
      // promtool's own lint, where Prometheus is installed.
      if (std::system("command -v promtool >/dev/null 2>&1") == 0) {
        dir.write("metrics.txt", r->body);
        auto lint = run({"/bin/sh", "-c", "promtool check metrics < " + dir.file("metrics.txt")});
        CHECK_MESSAGE(lint.code == 0, lint.out, lint.err);
      }
      return r->body;
    };
    const std::string start = page();
    for (const char* series :
         {"loa_messages_total{provider=\"local\",state=\"sent\"}", "loa_messages_total{provider=\"local\",state=\"delivered\"}",
          "loa_send_outcomes_total{provider=\"local\",outcome=\"retry\"}", "loa_dlr_total{provider=\"local\",outcome=\"applied\"}",
          "loa_webhook_dropped_total{reason=\"deadline\"}", "loa_rate_limit_wait_seconds_total{provider=\"local\"}",
          "loa_provider_request_seconds_count{provider=\"local\"}", "loa_jobs{state=\"done\"}",
          "loa_jobs{state=\"awaiting_approval\"}", "loa_queue_waiting{provider=\"local\"}", "loa_queue_depth{queue=\"in_flight\"}"}) {
      CAPTURE(series);
      CHECK(metric(start, series) == 0);
    }
    const std::string one = send_job(cfg, "phuong-6", "một"), two = send_job(cfg, "phuong-6", "hai");
    REQUIRE(wait_until([&] { return job_status(cfg, one)["state"] == "done" && job_status(cfg, two)["state"] == "done"; },
                       std::chrono::seconds(20)));
    const std::string after = page();
    CHECK(metric(after, "loa_messages_total{provider=\"local\",state=\"sent\"}") == 40);
    CHECK(metric(after, "loa_send_outcomes_total{provider=\"local\",outcome=\"sent\"}") == 40);
    CHECK(metric(after, "loa_provider_request_seconds_count{provider=\"local\"}") == 40);
    CHECK(metric(after, "loa_jobs{state=\"done\"}") == 2);
    CHECK(metric(after, "loa_jobs{state=\"sending\"}") == 0);
    // The jobs by state are the cluster's, kept in Redis: counted again by the next gateway
    // when the count is missing (a Redis from before it was kept).
    gw.reset();
    REQUIRE(redis.connect()->command({"DEL", "t:jobstates"}));
    gw.emplace(dir, cfg, "gw-2", "gw2.log");
    CHECK(metric(page(), "loa_jobs{state=\"done\"}") == 2);
  }


  TEST_CASE("send --at: scheduled until then, nothing early, all on time") {
    Rig rig(10);
    auto& [dir, redis, provider, cfg] = rig;
    Gateway gw(dir, cfg, "gw-1", "gw.log");
    // Whole seconds, as ISO 8601 gives them.
    const std::int64_t at = (loa::util::now_ms() / 1000 + 4) * 1000;
    std::string job = send_job(cfg, "phuong-6", "x", {"--at", iso_utc(at)});
    REQUIRE(wait_until([&] { return job_status(cfg, job)["state"] == "scheduled"; }, std::chrono::seconds(5)));
    CHECK(run_loa(cfg, {"status", job}).out.find("waiting: scheduled for") != std::string::npos);
    REQUIRE(wait_until([&] { return job_status(cfg, job)["state"] == "done"; }, std::chrono::seconds(20)));
    auto lines = provider.log_lines();
    REQUIRE(lines.size() == 10);
    for (const auto& l : lines) {
      auto t = json::parse(l)["at"].get<std::int64_t>();
      CHECK(t >= at);         // nothing early
      CHECK(t <= at + 2000);  // on time, within two seconds
    }
    auto past = run_loa(cfg, {"send", "--template", "thong-bao", "--ward", "phuong-6", "--var", "noi_dung=x", "--at", "2020-01-01 07:00"});
    CHECK(past.code == 2);
    CHECK(past.err.find("in the past") != std::string::npos);
    auto bad = run_loa(cfg, {"send", "--template", "thong-bao", "--ward", "phuong-6", "--var", "noi_dung=x", "--at", "mai 7 giờ"});
    CHECK(bad.code == 2);
    CHECK(bad.err.find("--at") != std::string::npos);
  }

  TEST_CASE("quiet hours covering now: nothing is sent and status says why; --urgent goes") {
    TempDir dir;
    RedisServer redis(dir);
    FakeProvider provider(dir, "fake");
    write_ward(dir, "phuong-6", 5);
    int now = loa::util::minute_of_day(loa::util::now_ms(), "Asia/Ho_Chi_Minh");
    int start = (now + 24 * 60 - 2) % (24 * 60), end = (now + 120) % (24 * 60);
    auto cfg = write_config(dir, redis.url(), provider.port(), "",
                            fmt::format("quiet_hours: {{ start: \"{:02}:{:02}\", end: \"{:02}:{:02}\" }}\n", start / 60,
                                        start % 60, end / 60, end % 60));
    Gateway gw(dir, cfg, "gw-1", "gw.log");
    std::string bulk = send_job(cfg, "phuong-6", "x");
    std::this_thread::sleep_for(std::chrono::seconds(3));
    CHECK(provider.log_lines().empty());
    auto st = job_status(cfg, bulk);
    CHECK(st["counts"]["queued"] == 5);
    CHECK(st["waiting"].get<std::string>().find("quiet hours") == 0);
    std::string urgent = send_job(cfg, "phuong-6", "khẩn", {"--urgent"});
    REQUIRE(wait_until([&] { return job_status(cfg, urgent)["state"] == "done"; }, std::chrono::seconds(15)));
    CHECK(provider.log_lines().size() == 5);
    CHECK(job_status(cfg, bulk)["counts"]["queued"] == 5);  // still waiting for the morning
  }

  TEST_CASE("cancel mid-job: unsent messages cancelled at once, sent ones keep their state") {
    Rig rig(200, {"--latency-ms", "100"}, "    rate_per_second: 40\n");
    auto& [dir, redis, provider, cfg] = rig;
    Gateway gw(dir, cfg, "gw-1", "gw.log");
    std::string job = send_job(cfg, "phuong-6", "x");
    REQUIRE(wait_until([&] { return provider.log_lines().size() >= 10; }, std::chrono::seconds(20)));
    auto c = run_loa(cfg, {"cancel", job});
    REQUIRE_MESSAGE(c.code == 0, c.err);
    auto right_after = job_status(cfg, job);
    CHECK(right_after["state"] == "cancelled");
    CHECK(right_after["counts"]["queued"] == 0);
    CHECK(right_after["counts"]["cancelled"].get<int>() > 100);
    std::this_thread::sleep_for(std::chrono::seconds(2));
    auto later = job_status(cfg, job);
    auto n = later["counts"];
    CHECK(n["sending"] == 0);
    CHECK(n["sent"].get<int>() + n["delivered"].get<int>() + n["cancelled"].get<int>() == 200);
    CHECK(static_cast<int>(provider.log_lines().size()) == n["sent"].get<int>() + n["delivered"].get<int>());
    CHECK(run_loa(cfg, {"cancel", "999-0"}).code == 2);
    CHECK(job_count_mismatch(redis) == "");
  }

  TEST_CASE("SIGTERM mid-job drains; after a restart every message is accounted for once") {
    Rig rig(150, {"--latency-ms", "100"});
    auto& [dir, redis, provider, cfg] = rig;
    std::string job = send_job(cfg, "phuong-6", "x");
    {
      Gateway gw(dir, cfg, "gw-term", "gw1.log");
      REQUIRE(wait_until([&] { return provider.log_lines().size() >= 20; }, std::chrono::seconds(20)));
      gw.process().signal(SIGTERM);
      CHECK(gw.process().wait(std::chrono::seconds(15)) == 0);
      CHECK(gw.log().find("stopped cleanly") != std::string::npos);
    }
    auto mid = job_status(cfg, job);
    CHECK(mid["counts"]["sending"] == 0);  // drained: nothing left in flight
    CHECK(mid["counts"]["unknown"] == 0);
    // Messages taken ahead of free slots but not started went back to the queue, unsent
    // and not counted as an attempt.
    auto r = redis.connect();
    int given_back = 0;
    for (int i = 0; i < 150; ++i) {
      if (message(*r, job, i).progress.error.find("gateway stopping") == std::string::npos) continue;
      ++given_back;
      CHECK(message(*r, job, i).progress.state == loa::jobs::MessageState::queued);
      CHECK(message(*r, job, i).progress.attempts == 0);
    }
    CHECK(given_back > 0);
    Gateway again(dir, cfg, "gw-term", "gw2.log");
    REQUIRE(wait_until([&] { return job_status(cfg, job)["state"] == "done"; }, std::chrono::seconds(30)));
    auto done = job_status(cfg, job)["counts"];
    CHECK(done["sent"].get<int>() + done["delivered"].get<int>() == 150);
    CHECK(done["unknown"] == 0);
    std::map<std::string, int> seen;
    for (const auto& line : provider.log_lines()) ++seen[json::parse(line)["ref"].get<std::string>()];
    CHECK(seen.size() == 150);
    for (const auto& [ref, n] : seen) CHECK_MESSAGE(n == 1, ref);

    httplib::Client client("127.0.0.1", again.port());
    auto page = client.Get("/metrics");
    REQUIRE(page);
    CHECK(metric(page->body, "loa_jobs{state=\"done\"}") == 1);
    CHECK(metric(page->body, "loa_queue_waiting{provider=\"local\"}") == 0);
    CHECK(page->body.find("loa_provider_request_seconds_bucket{provider=\"local\",le=\"+Inf\"}") != std::string::npos);
  }

  TEST_CASE("SIGHUP with a broken template keeps the old one; a good reload takes the new one") {
    Rig rig(3);
    auto& [dir, redis, provider, cfg] = rig;
    Gateway gw(dir, cfg, "gw-1", "gw.log");
    // Enqueued while the template is good, expanded after the bad reload.
    auto at = (loa::util::now_ms() / 1000 + 3) * 1000;
    std::string job = send_job(cfg, "phuong-6", "cũ", {"--at", iso_utc(at)});
    dir.write("templates/thong-bao.yaml", "variables: [noi_dung]\nbody: \"{{#noi_dung}} never closed\"\n");
    gw.process().signal(SIGHUP);
    REQUIRE(wait_until([&] { return gw.log().find("reload refused") != std::string::npos; }, std::chrono::seconds(5)));
    CHECK(gw.log().find("thong-bao.yaml") != std::string::npos);
    REQUIRE(wait_until([&] { return job_status(cfg, job)["state"] == "done"; }, std::chrono::seconds(20)));
    for (const auto& line : provider.log_lines())
      CHECK(json::parse(line)["text"].get<std::string>().find("Phường 6 kính báo") == 0);  // the old body

    dir.write("templates/thong-bao.yaml", "variables: [noi_dung]\nbody: \"Mới: {{noi_dung}}\"\n");
    gw.process().signal(SIGHUP);
    REQUIRE(wait_until([&] { return gw.log().find("reloaded") != std::string::npos; }, std::chrono::seconds(5)));
    auto r = redis.connect();
    REQUIRE(r->command({"XADD", "t:jobs", "*", "job", R"({"template":"thong-bao","wards":["phuong-6"],"vars":{"noi_dung":"mới"}})"}));
    REQUIRE(wait_until([&] { return provider.log_lines().size() == 6; }, std::chrono::seconds(15)));
    CHECK(json::parse(provider.log_lines().back())["text"] == "Mới: mới");
  }

  TEST_CASE("garbage in the config, on the stream and on the command line: refused, never a crash") {
    Rig rig(2);
    auto& [dir, redis, provider, cfg] = rig;
    Gateway gw(dir, cfg, "gw-1", "gw.log");
    std::ifstream in(cfg);
    std::stringstream good;
    good << in.rdbuf();
    // A key that is a list: loa check says where; a reload keeps the running config.
    dir.write("loa.yaml", good.str() + "[a, b]: 1\n");
    auto check = run_loa(cfg, {"check"});
    CHECK(check.code == 2);
    CHECK(check.err.find("a key must be plain text") != std::string::npos);
    gw.process().signal(SIGHUP);
    REQUIRE(wait_until([&] { return gw.log().find("reload refused") != std::string::npos; }, std::chrono::seconds(5)));
    CHECK(gw.process().running());
    CHECK(run({bin("loa-gatewayd"), "--config", cfg, "--check"}).code == 78);
    dir.write("loa.yaml", good.str());
    // Binary and oversized stream entries become rejected jobs; every later command works.
    auto r = redis.connect();
    REQUIRE(r->command({"XADD", "t:jobs", "*", "job", std::string("\xff\xfe\x00\x01{\"template\"", 13)}));
    REQUIRE(r->command({"XADD", "t:jobs", "*", "job", R"({"template":"thong-bao","wards":["phuong-6","phuong-6"]})"}));
    REQUIRE(wait_until([&] { return run_loa(cfg, {"jobs", "--json"}).out.find("named twice") != std::string::npos; },
                       std::chrono::seconds(10)));
    auto jobs = run_loa(cfg, {"jobs", "--json"});
    CHECK(jobs.code == 0);
    CHECK(jobs.out.find("not valid JSON") != std::string::npos);
    CHECK(run_loa(cfg, {"jobs"}).code == 0);
    // A --var that is not UTF-8 is a usage error, nothing enqueued.
    auto sent = run_loa(cfg, {"send", "--template", "thong-bao", "--ward", "phuong-6", "--var", "noi_dung=\xc3\x28"});
    CHECK(sent.code == 2);
    CHECK(sent.err.find("not valid UTF-8") != std::string::npos);
    CHECK(gw.process().running());
  }

  TEST_CASE("the embedded Redis: dies with the gateway, restarted when killed, /healthz says so meanwhile and the log why") {
    TempDir dir;
    FakeProvider provider(dir, "fake");
    write_ward(dir, "phuong-6", 5);
    auto cfg = write_config(dir, "embedded", provider.port());
    // The pid of the gateway's redis-server child, 0 when there is none.
    auto child_redis = [](pid_t parent) {
      auto r = run({"pgrep", "-P", std::to_string(parent), "redis-server"});
      return r.code == 0 ? std::atoi(r.out.c_str()) : 0;
    };
    auto health = [](int port) {
      httplib::Client c("127.0.0.1", port);
      c.set_read_timeout(3, 0);
      auto r = c.Get("/healthz");
      return r ? std::to_string(r->status) + " " + r->body : std::string("no answer");
    };
    {
      Gateway gw(dir, cfg, "gw-1", "gw.log");
      pid_t redis_pid = child_redis(gw.process().pid());
      REQUIRE(redis_pid > 0);
      // Files it writes are not world-readable.
      CHECK((std::filesystem::status(dir.file("state/appendonlydir")).permissions() & std::filesystem::perms::others_read) ==
            std::filesystem::perms::none);
      kill(redis_pid, SIGKILL);
      // /healthz says only that Redis is unreachable; the log says why.
      REQUIRE(wait_until([&] { return health(gw.port()) == "503 redis unavailable\n"; }, std::chrono::seconds(5)));
      CHECK(wait_until([&] { return gw.log().find("embedded Redis was killed") != std::string::npos; }, std::chrono::seconds(5)));
      REQUIRE_MESSAGE(wait_until([&] { return health(gw.port()) == "200 ok\n"; }, std::chrono::seconds(10)), gw.log());
      CHECK(child_redis(gw.process().pid()) != redis_pid);
      std::string job = send_job(cfg, "phuong-6");
      CHECK(wait_until([&] { return job_status(cfg, job)["state"] == "done"; }, std::chrono::seconds(15)));
      // SIGTERM: the gateway and its Redis stop promptly (Redis is not deaf to signals).
      pid_t second = child_redis(gw.process().pid());
      auto start = std::chrono::steady_clock::now();
      gw.process().signal(SIGTERM);
      CHECK(gw.process().wait(std::chrono::seconds(8)) == 0);
      CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
      CHECK(wait_until([&] { return kill(second, 0) != 0; }, std::chrono::seconds(2)));
    }
    {
      // kill -9 of the gateway: its Redis follows it (no orphan).
      Gateway gw(dir, cfg, "gw-2", "gw2.log");
      pid_t redis_pid = child_redis(gw.process().pid());
      REQUIRE(redis_pid > 0);
      gw.process().signal(SIGKILL);
      gw.process().wait(std::chrono::seconds(5));
      CHECK(wait_until([&] { return kill(redis_pid, 0) != 0 || run({"ps", "-o", "stat=", "-p", std::to_string(redis_pid)}).out.find('Z') != std::string::npos; },
                       std::chrono::seconds(3)));
    }
  }

  TEST_CASE("the embedded Redis on a full disk: work stops, /healthz says so, and resumes without help when there is room") {
    TempDir dir;
    // A 4 MiB disk of its own for state_dir (needs root; skipped where mount is refused).
    auto disk = SmallDisk::mount(dir.file("state"), "4m");
    if (!disk) {
      MESSAGE("skipped: cannot mount a tmpfs here");
      return;
    }
    FakeProvider provider(dir, "fake");
    write_ward(dir, "phuong-6", 50);
    auto cfg = write_config(dir, "embedded", provider.port());
    Gateway gw(dir, cfg, "gw-1", "gw.log");
    std::string first = send_job(cfg, "phuong-6", "một");
    REQUIRE(wait_until([&] { return job_status(cfg, first)["state"] == "done"; }, std::chrono::seconds(20)));
    // Fill the disk.
    run({"dd", "if=/dev/zero", "of=" + dir.file("state/filler"), "bs=64k"});
    auto health = [&] {
      httplib::Client c("127.0.0.1", gw.port());
      c.set_read_timeout(3, 0);
      auto r = c.Get("/healthz");
      return r ? r->status : 0;
    };
    auto sent = run_loa(cfg, {"send", "--template", "thong-bao", "--ward", "phuong-6", "--var", "noi_dung=hai"});
    // The stream entry may still fit (then the expansion's writes do not, and Redis exits,
    // as it must with appendfsync always), or be refused (nothing enqueued, loa says so).
    std::string during = sent.code == 0 ? job_id(sent) : "";
    if (!during.empty())
      CHECK(wait_until([&] { return gw.log().find("embedded Redis exited") != std::string::npos; }, std::chrono::seconds(10)));
    std::filesystem::remove(dir.file("state/filler"));
    // Room again: with no one's help Redis is back (restarted if it had exited) and work goes on.
    REQUIRE_MESSAGE(wait_until([&] { return health() == 200; }, std::chrono::seconds(45)), gw.log());
    std::string second = send_job(cfg, "phuong-6", "ba");
    REQUIRE_MESSAGE(wait_until([&] { return job_status(cfg, second)["state"] == "done"; }, std::chrono::seconds(30)), gw.log());
    // (Once, under ASan in CI, this job's counts summed to 100: what it and the log were, if
    // it comes again.)
    const auto second_status = job_status(cfg, second);
    CHECK_MESSAGE(second_status["counts"]["sent"].get<int>() + second_status["counts"]["delivered"].get<int>() == 50,
                  second_status.dump(), "\n", "first ", first, " during ", during, " second ", second, "\n", gw.log());
    CHECK(job_status(cfg, first)["counts"]["delivered"].get<int>() + job_status(cfg, first)["counts"]["sent"].get<int>() == 50);
    if (!during.empty()) {  // taken in when the disk filled: finished now, every resident once
      REQUIRE(wait_until([&] { return job_status(cfg, during)["state"] == "done"; }, std::chrono::seconds(30)));
      auto c = job_status(cfg, during)["counts"];
      CHECK(c["sent"].get<int>() + c["delivered"].get<int>() + c["unknown"].get<int>() == 50);
    }
    std::map<std::string, int> seen;
    for (const auto& line : provider.log_lines()) ++seen[json::parse(line)["ref"].get<std::string>()];
    for (const auto& [ref, n] : seen) CHECK_MESSAGE(n == 1, ref, " sent ", n, " times");
    gw.process().signal(SIGTERM);
    gw.process().wait(std::chrono::seconds(10));
  }

  TEST_CASE("an unreachable Redis with a password: the gateway waits for it, logging each try, the password never shown") {
    TempDir dir;
    FakeProvider provider(dir, "fake");
    write_ward(dir, "phuong-6", 1);
    auto cfg = write_config(dir, "redis://loa:s3cr3t-pw@127.0.0.1:1/0", provider.port());
    Process gw({bin("loa-gatewayd"), "--config", cfg}, dir.file("gw.out"), dir.file("gw.err"), {{"LOA_INSTANCE_ID", "gw"}});
    std::this_thread::sleep_for(std::chrono::milliseconds(3500));
    CHECK(gw.running());  // waiting, not exited
    std::ifstream in(dir.file("gw.err"));
    std::stringstream ss;
    ss << in.rdbuf();
    std::ifstream out(dir.file("gw.out"));
    ss << out.rdbuf();
    const std::string log = ss.str();
    CHECK(log.find("s3cr3t-pw") == std::string::npos);
    CHECK(log.find("redis://loa:***@127.0.0.1:1/0") != std::string::npos);
    const auto tries = [&] {
      std::size_t n = 0;
      for (auto at = log.find("trying again in"); at != std::string::npos; at = log.find("trying again in", at + 1)) ++n;
      return n;
    }();
    CHECK(tries >= 2);
    CHECK(tries <= 3);  // 1 s, 2 s: one line per attempt
    gw.signal(SIGTERM);
    CHECK(gw.wait(std::chrono::seconds(5)) == 0);
  }

  TEST_CASE("the monthly reminder timer's own command, fired twice, sends once") {
    Rig rig(4);
    auto& [dir, redis, provider, cfg] = rig;
    {
      std::ifstream in(std::string(LOA_SOURCE_DIR) + "/templates/tiem-ngua.yaml");
      std::stringstream ss;
      ss << in.rdbuf();
      dir.write("templates/tiem-ngua.yaml", ss.str());
    }
    // ExecStart of the unit, as systemd would run it: %% is %, and the paths point here.
    std::ifstream unit(std::string(LOA_SOURCE_DIR) + "/systemd/loa-tiem-ngua.service");
    std::string text, line;
    while (std::getline(unit, line)) text += line + "\n";
    auto start = text.find("ExecStart=");
    REQUIRE(start != std::string::npos);
    std::string cmd;
    for (size_t i = start + 10; i < text.size(); ++i) {
      if (text[i] == '\\' && text[i + 1] == '\n') {
        ++i;
        continue;
      }
      if (text[i] == '\n') break;
      cmd += text[i];
    }
    for (size_t at; (at = cmd.find("%%")) != std::string::npos;) cmd.replace(at, 2, "%");
    for (auto [from, to] : {std::pair<std::string, std::string>{"@bindir@/loa", bin("loa")}, std::pair<std::string, std::string>{"/etc/loa/loa.yaml", cfg}})
      if (auto at = cmd.find(from); at != std::string::npos) cmd.replace(at, from.size(), to);
    REQUIRE(cmd.rfind("/bin/sh -c '", 0) == 0);
    std::string script = cmd.substr(12, cmd.size() - 13);
    Gateway gw(dir, cfg, "gw-1", "gw.log");
    auto first = run({"/bin/sh", "-c", script});
    auto second = run({"/bin/sh", "-c", script});
    REQUIRE_MESSAGE(first.code == 0, first.err);
    REQUIRE_MESSAGE(second.code == 0, second.err);
    CHECK(job_id(first) == job_id(second));
    CHECK(second.out.find("already used") != std::string::npos);
    REQUIRE(wait_until([&] { return job_status(cfg, job_id(first))["state"] == "done"; }, std::chrono::seconds(20)));
    CHECK(provider.log_lines().size() == 4);
    CHECK(json::parse(provider.log_lines().front())["text"].get<std::string>().find("Trạm Y tế Phường 6: ngày 15/") == 0);
  }

  TEST_CASE("a job another gateway read but never stored is taken over") {
    Rig rig(3);
    auto& [dir, redis, provider, cfg] = rig;
    auto r = redis.connect();
    REQUIRE(r->command({"XGROUP", "CREATE", "t:jobs", "gw", "0", "MKSTREAM"}));
    auto id = r->command({"XADD", "t:jobs", "*", "job", R"({"template":"thong-bao","wards":["phuong-6"],"vars":{"noi_dung":"x"}})"})->text();
    // A gateway "ghost" read it, then died; its entry has been idle for two minutes.
    REQUIRE(r->command({"XREADGROUP", "GROUP", "gw", "ghost", "COUNT", "1", "STREAMS", "t:jobs", ">"}));
    REQUIRE(r->command({"XCLAIM", "t:jobs", "gw", "ghost", "0", id, "IDLE", "120000"}));
    Gateway gw(dir, cfg, "gw-1", "gw.log");
    REQUIRE_MESSAGE(wait_until([&] { return job_status(cfg, id)["state"] == "done"; }, std::chrono::seconds(20)), gw.log());
    CHECK(provider.log_lines().size() == 3);
    CHECK(gw.log().find("took over 1 job(s)") != std::string::npos);
    CHECK(r->command({"XPENDING", "t:jobs", "gw"})->elements.at(0).as_int() == 0);
  }

  TEST_CASE("systemd units pass systemd-analyze verify") {
    if (std::system("command -v systemd-analyze >/dev/null 2>&1") != 0) {
      MESSAGE("systemd-analyze not installed: skipped");
      return;
    }
    TempDir dir;
    namespace fs = std::filesystem;
    std::vector<std::string> units;
    for (const auto& e : fs::directory_iterator(std::string(LOA_SOURCE_DIR) + "/systemd")) {
      auto ext = e.path().extension();
      if (ext != ".service" && ext != ".timer") continue;
      // verify checks that ExecStart binaries exist: point them at the build (installing
      // makes @bindir@ the install prefix's bin).
      std::string text;
      {
        std::ifstream in(e.path());
        std::stringstream ss;
        ss << in.rdbuf();
        text = ss.str();
      }
      for (auto [from, to] : {std::pair<std::string, std::string>{"@bindir@/loa-gatewayd", bin("loa-gatewayd")},
                              std::pair<std::string, std::string>{"@bindir@/loa ", bin("loa") + " "}})
        for (size_t at; (at = text.find(from)) != std::string::npos;) text.replace(at, from.size(), to);
      dir.write(e.path().filename().string(), text);
      units.push_back(dir.file(e.path().filename().string()));
    }
    REQUIRE(units.size() >= 5);
    std::vector<std::string> argv{"systemd-analyze", "verify"};
    argv.insert(argv.end(), units.begin(), units.end());
    auto r = run(argv);
    CHECK_MESSAGE(r.code == 0, r.err);
    CHECK_MESSAGE(r.err.empty(), r.err);  // unknown keys are only warnings: none allowed
    // Each service sandboxed (systemd-analyze's exposure, 0 to 10: under 2 is "OK").
    for (const auto& unit : units) {
      if (!unit.ends_with(".service")) continue;
      auto score = run({"systemd-analyze", "security", "--offline=true", unit});
      CAPTURE(unit);
      auto at = score.out.find("Overall exposure level for ");
      REQUIRE(at != std::string::npos);
      auto colon = score.out.find(": ", at);
      CHECK(std::stod(score.out.substr(colon + 2)) < 2.0);
    }
  }
}
