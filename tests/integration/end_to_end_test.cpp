// One announcement end to end: loa send -> Redis -> loa-gatewayd -> fake provider ->
// delivery reports -> loa status/report. Real processes, real Redis, loopback HTTP.
#include <doctest/doctest.h>

#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "tests/integration/harness.h"

using namespace loa::test;
using nlohmann::json;

namespace {
bool finished(const std::string& cfg, const std::string& job, int delivered) {
  auto s = job_status(cfg, job);
  return s["state"] == "done" && s["counts"]["delivered"].get<int>() >= delivered;
}
}  // namespace

TEST_SUITE("integration") {
  TEST_CASE("reports posted in JSON lists (as Infobip posts them): full lists and the partial one the linger sends; every message delivered") {
    TempDir dir;
    RedisServer redis(dir);
    FakeProvider provider(dir, "fake", {"--dlr-batch", "50", "--dlr-delay-ms", "0", "--threads", "2"});
    write_ward(dir, "phuong-6", 130);  // two full lists and more
    auto cfg = write_config(dir, redis.url(), provider.port());
    Gateway gw(dir, cfg, "gw-1", "gw.log");
    std::string job = send_job(cfg, "phuong-6", "lists");
    REQUIRE_MESSAGE(wait_until([&] { return finished(cfg, job, 130); }, std::chrono::seconds(30)), gw.log());
    auto s = job_status(cfg, job);
    CHECK(s["counts"]["delivered"] == 130);
    CHECK(s["counts"]["sent"] == 0);
    CHECK(provider.log_lines().size() == 130);
  }

  TEST_CASE("a ward of 60 residents gets exactly one correct message each, with skipped rows reported") {
    TempDir dir;
    RedisServer redis(dir);
    FakeProvider provider(dir, "fake", {"--dlr-delay-ms", "20"});
    auto numbers = write_ward(dir, "phuong-6", 60);
    // Broken rows after the good ones: a landline, an invalid number, a repeat, a malformed row.
    std::string csv = dir.read("wards/phuong-6.csv");
    csv += "Bà Cố Định,0290 3831 234,Khóm 1\nÔng Sai Số,0912 345,Khóm 2\nCư dân lặp,+84912000005,Khóm 3\nHàng hỏng,0912999999,Khóm 1,thừa\n";
    dir.write("wards/phuong-6.csv", csv);
    auto cfg = write_config(dir, redis.url(), provider.port());
    Gateway gw(dir, cfg, "gw-1", "gw.log");

    std::string job = send_job(cfg, "phuong-6", "họp tổ dân phố lúc 19 giờ.");
    CHECK(job.find('-') != std::string::npos);
    REQUIRE_MESSAGE(wait_until([&] { return finished(cfg, job, 60); }, std::chrono::seconds(30)), gw.log());

    auto s = job_status(cfg, job);
    CHECK(s["id"] == job);
    CHECK(s["total"] == 64);
    CHECK(s["counts"]["delivered"] == 60);
    CHECK(s["counts"]["skipped"] == 4);
    for (const char* zero : {"queued", "sending", "sent", "failed", "unknown", "cancelled"}) CHECK(s["counts"][zero] == 0);

    // The provider got each resident exactly once, with the exact personalised text.
    std::map<std::string, std::string> got;
    for (const auto& line : provider.log_lines()) {
      auto j = json::parse(line);
      CHECK_MESSAGE(got.emplace(j["to"].get<std::string>(), j["text"].get<std::string>()).second, "sent twice: ", line);
      CHECK(j["unicode"] == "1");
    }
    REQUIRE(got.size() == 60);
    for (int i = 0; i < 60; ++i) {
      std::string to = "84" + numbers[static_cast<size_t>(i)].substr(1);
      REQUIRE(got.count(to));
      CHECK(got[to] == fmt::format("Phường 6 kính báo Cư dân {} (Khóm {}): họp tổ dân phố lúc 19 giờ.", i, i % 3 + 1));
    }

    // The report: one row per recipient, numbers masked unless asked.
    auto report = run_loa(cfg, {"report", job});
    REQUIRE(report.code == 0);
    CHECK(report.out.find("0912***000") != std::string::npos);
    CHECK(report.out.find("0912000000") == std::string::npos);
    CHECK(report.out.find("landline, cannot receive SMS") != std::string::npos);
    CHECK(report.out.find("invalid phone number") != std::string::npos);
    CHECK(report.out.find("repeat of row 7") != std::string::npos);  // Cư dân 5's row
    CHECK(report.out.find("malformed row: 4 fields, the header has 3") != std::string::npos);
    auto full = run_loa(cfg, {"report", job, "--csv", "--full-numbers"});
    REQUIRE(full.code == 0);
    CHECK(full.out.rfind("\xEF\xBB\xBF", 0) == 0);
    CHECK(full.out.find("0912000000") != std::string::npos);
    int lines = 0;
    for (char c : full.out) lines += c == '\n';
    CHECK(lines == 65);  // header + 64 rows

    // Numbers never appear whole in the daemon's log above debug level.
    std::string log = gw.log();
    std::istringstream in(log);
    for (std::string line; std::getline(in, line);)
      if (line.find(" debug ") == std::string::npos) CHECK_MESSAGE(line.find("0912000001") == std::string::npos, line);
  }

  TEST_CASE("a repeated --key enqueues nothing and prints the first job's id") {
    Rig rig(5);
    auto& [dir, redis, provider, cfg] = rig;
    Gateway gw(dir, cfg, "gw-1", "gw.log");
    std::vector<std::string> args{"send", "--template", "thong-bao", "--ward", "phuong-6", "--var", "noi_dung=x", "--key", "tiem-2026-12"};
    auto first = run_loa(cfg, args);
    auto second = run_loa(cfg, args);
    REQUIRE(first.code == 0);
    REQUIRE(second.code == 0);
    CHECK(job_id(first) == job_id(second));
    CHECK(second.out.find("already used") != std::string::npos);
    REQUIRE(wait_until([&] { return finished(cfg, job_id(first), 5); }, std::chrono::seconds(20)));
    auto jobs = run_loa(cfg, {"jobs", "--json"});
    CHECK(json::parse(jobs.out).size() == 1);
    CHECK(provider.log_lines().size() == 5);
    CHECK(redis.connect()->command({"XLEN", "t:jobs"})->as_int() == 1);
  }

  TEST_CASE("garbage on the stream becomes rejected jobs with reasons; the gateway goes on") {
    Rig rig(3);
    auto& [dir, redis, provider, cfg] = rig;
    Gateway gw(dir, cfg, "gw-1", "gw.log");
    auto r = redis.connect();
    REQUIRE(r->command({"XADD", "t:jobs", "*", "job", "{not json"}));
    REQUIRE(r->command({"XADD", "t:jobs", "*", "something", "else"}));
    REQUIRE(r->command({"XADD", "t:jobs", "*", "job", R"({"template":"khong-co","wards":["phuong-6"]})"}));
    REQUIRE(r->command({"XADD", "t:jobs", "*", "job", R"({"template":"thong-bao","wards":["phuong-9"],"vars":{"noi_dung":"x"}})"}));
    auto good = run_loa(cfg, {"send", "--template", "thong-bao", "--ward", "phuong-6", "--var", "noi_dung=x"});
    REQUIRE(good.code == 0);
    REQUIRE(wait_until([&] { return finished(cfg, job_id(good), 3); }, std::chrono::seconds(20)));
    auto jobs = json::parse(run_loa(cfg, {"jobs", "--json"}).out);
    REQUIRE(jobs.size() == 5);
    std::multiset<std::string> states;
    std::string reasons;
    for (const auto& j : jobs) {
      states.insert(j["state"].get<std::string>());
      if (j.contains("reason")) reasons += j["reason"].get<std::string>() + "\n";
    }
    CHECK(states.count("rejected") == 4);
    CHECK(states.count("done") == 1);
    CHECK(reasons.find("not valid JSON") != std::string::npos);
    CHECK(reasons.find("no \"job\" field") != std::string::npos);
    CHECK(reasons.find("unknown template \"khong-co\"") != std::string::npos);
    CHECK(reasons.find("unknown ward \"phuong-9\"") != std::string::npos);
    CHECK(r->command({"XPENDING", "t:jobs", "gw"})->elements.at(0).as_int() == 0);  // all acknowledged
  }

  TEST_CASE("validation failures exit 2 and enqueue nothing; --dry-run enqueues nothing") {
    TempDir dir;
    RedisServer redis(dir);
    write_ward(dir, "phuong-6", 3);
    auto cfg = write_config(dir, redis.url(), 9);
    auto xlen = [&] { return redis.connect()->command({"XLEN", "t:jobs"})->as_int(); };

    auto no_var = run_loa(cfg, {"send", "--template", "thong-bao", "--ward", "phuong-6"});
    CHECK(no_var.code == 2);
    CHECK(no_var.err.find("needs variable \"noi_dung\"") != std::string::npos);
    auto no_ward = run_loa(cfg, {"send", "--template", "thong-bao", "--ward", "phuong-7", "--var", "noi_dung=x"});
    CHECK(no_ward.code == 2);
    auto path = run_loa(cfg, {"send", "--template", "../loa", "--ward", "phuong-6"});
    CHECK(path.code == 2);
    auto too_long = run_loa(cfg, {"send", "--template", "thong-bao", "--ward", "phuong-6", "--var", "noi_dung=" + std::string(300, 'x')});
    CHECK(too_long.code == 2);
    CHECK(too_long.err.find("over max_segments 3") != std::string::npos);
    auto dry = run_loa(cfg, {"send", "--template", "thong-bao", "--ward", "phuong-6", "--var", "noi_dung=x", "--dry-run"});
    CHECK(dry.code == 0);
    CHECK(dry.out.find("3 message(s)") != std::string::npos);
    CHECK(xlen() == 0);
    auto preview = run_loa(cfg, {"preview", "--template", "thong-bao", "--ward", "phuong-6", "--var", "noi_dung=x", "--json"});
    REQUIRE(preview.code == 0);
    auto p = json::parse(preview.out);
    CHECK(p["totals"]["messages"] == 3);
    CHECK(p["messages"][0]["text"] == "Phường 6 kính báo Cư dân 0 (Khóm 1): x");
    CHECK(p["messages"][0]["encoding"] == "UCS-2");
    CHECK(run_loa(cfg, {"status", "123-0"}).code == 2);
    CHECK(run_loa(cfg, {"frobnicate"}).code == 2);
    CHECK(run_loa(cfg, {"send", "--help"}).code == 0);
    CHECK(run_loa(cfg, {"check"}).code == 0);

    dir.write("templates/hong.yaml", "body: \"{{khong_ai_co}}\"\n");
    auto check = run_loa(cfg, {"check"});
    CHECK(check.code == 2);
    CHECK(check.err.find("hong.yaml:1: the body uses {{khong_ai_co}}") != std::string::npos);

    TempDir other;
    other.write("loa.yaml", "redis: {url: 'unix:///nonexistent.sock'}\nproviders: [{name: p, type: file}]\n");
    other.write("wards/phuong-6.csv", "ho_ten,so_dien_thoai\nA,0912345678\n");
    other.write("templates/t.yaml", "body: hi\n");
    auto down = run_loa(other.file("loa.yaml"), {"send", "--template", "t", "--ward", "phuong-6"});
    CHECK(down.code == 1);
    CHECK(down.err.find("cannot connect to Redis") != std::string::npos);
  }

  TEST_CASE("an opted-out number is skipped with its reason") {
    Rig rig(4);
    auto& [dir, redis, provider, cfg] = rig;
    Gateway gw(dir, cfg, "gw-1", "gw.log");
    REQUIRE(run_loa(cfg, {"optout", "add", "+84 912 000 002", "--reason", "xin ngừng nhận"}).code == 0);
    CHECK(run_loa(cfg, {"optout", "list"}).out.find("0912000002") != std::string::npos);
    CHECK(run_loa(cfg, {"optout", "add", "0290 3831 234"}).code == 2);
    std::string job = send_job(cfg, "phuong-6", "x");
    REQUIRE(wait_until([&] { return finished(cfg, job, 3); }, std::chrono::seconds(20)));
    CHECK(job_status(cfg, job)["counts"]["skipped"] == 1);
    CHECK(run_loa(cfg, {"report", job}).out.find("opted out") != std::string::npos);
    CHECK(provider.log_lines().size() == 3);
  }
}
