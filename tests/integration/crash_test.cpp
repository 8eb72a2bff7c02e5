// kill -9 of the gateway mid-job, then a restart: every resident accounted for exactly once.
#include <doctest/doctest.h>

#include <csignal>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "tests/integration/harness.h"

using namespace loa::test;
using nlohmann::json;

TEST_SUITE("integration") {
  TEST_CASE("kill -9 mid-job, restart: nothing lost, nothing sent twice, in-flight ones unknown") {
    TempDir dir;
    RedisServer redis(dir);
    // A slow provider, so that requests are in flight at the moment of the kill.
    FakeProvider provider(dir, "fake", {"--latency-ms", "150"});
    const int residents = 300;
    write_ward(dir, "phuong-6", residents);
    auto cfg = write_config(dir, redis.url(), provider.port());
    std::string job = send_job(cfg, "phuong-6", "x");
    auto status = [&] { return job_status(cfg, job); };

    {
      Gateway gw(dir, cfg, "gw-crash", "gw1.log");
      REQUIRE(wait_until([&] { return provider.log_lines().size() >= 40; }, std::chrono::seconds(30)));
      gw.process().signal(SIGKILL);
      CHECK(gw.process().wait(std::chrono::seconds(5)) == 128 + SIGKILL);
    }
    auto mid = status();
    CHECK(mid["state"] != "done");
    CHECK(mid["counts"]["sending"].get<int>() > 0);  // requests were in flight

    Gateway again(dir, cfg, "gw-crash", "gw2.log");
    REQUIRE_MESSAGE(wait_until([&] { return status()["state"] == "done"; }, std::chrono::seconds(60)), again.log());
    auto done = status();
    auto c = done["counts"];
    CHECK(done["total"] == residents);
    CHECK(c["queued"] == 0);
    CHECK(c["sending"] == 0);
    int unknown = c["unknown"].get<int>();
    CHECK(unknown > 0);
    CHECK(c["sent"].get<int>() + c["delivered"].get<int>() + unknown == residents);

    // The provider never saw a resident twice.
    std::map<std::string, int> seen;
    for (const auto& line : provider.log_lines()) ++seen[json::parse(line)["ref"].get<std::string>()];
    for (const auto& [ref, n] : seen) CHECK_MESSAGE(n == 1, ref, " sent ", n, " times");
    // Everything reported sent reached the provider; unknown ones at most once.
    CHECK(static_cast<int>(seen.size()) >= residents - unknown);
    CHECK(static_cast<int>(seen.size()) <= residents);
    CHECK(again.log().find("now 'unknown'") != std::string::npos);

    // An operator may resend the unknown ones on purpose.
    auto retry = run_loa(cfg, {"retry", job, "--unknown"});
    REQUIRE(retry.code == 0);
    CHECK(retry.out.find(std::to_string(unknown) + " message(s) queued again") != std::string::npos);
    REQUIRE(wait_until([&] { return status()["state"] == "done"; }, std::chrono::seconds(30)));
    CHECK(status()["counts"]["unknown"] == 0);
  }
}
