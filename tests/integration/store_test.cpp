// The Redis scripts against a real redis-server with the clock injected: the shared token
// bucket (GCRA), round-robin across jobs, urgent first, quiet hours.
#include <doctest/doctest.h>

#include <deque>
#include <map>

#include "core/store/job_store.h"
#include "tests/integration/harness.h"

using namespace loa::test;
using loa::store::JobStore;

namespace {
// Stores a queued job of `n` messages for provider "p".
void make_job(JobStore& js, const std::string& id, int n, bool urgent = false) {
  loa::jobs::JobSpec spec{"t", {"w"}, {}, {}, {}, {}, urgent, {}};
  REQUIRE(js.admit(id, loa::jobs::to_json(spec), spec, "queued", "", std::nullopt));
  std::vector<loa::store::ExpandedRow> rows;
  for (int i = 0; i < n; ++i) {
    loa::store::ExpandedRow r;
    r.index = i;
    r.ward = "w";
    r.row = std::to_string(i + 2);
    r.phone = "0912000000";
    r.text = "x";
    r.segments = "1";
    r.unicode = "0";
    r.state = "queued";
    r.provider = "p";
    r.route = "p";
    rows.push_back(r);
  }
  REQUIRE(js.expand_chunk(id, 0, rows, 30000).value());
}

std::string job_of(const std::string& ref) { return ref.substr(0, ref.rfind('.')); }
}  // namespace

TEST_SUITE("integration/store") {
  TEST_CASE("token bucket: burst at once, then one per 1/rate, wait told exactly") {
    TempDir dir;
    RedisServer redis(dir);
    auto r = redis.connect();
    JobStore js(*r, "t");
    make_job(js, "1-0", 50);
    std::int64_t wait = 0;
    const std::int64_t t0 = 1'000'000;
    CHECK(js.take("p", 100, 30000, "i", 10, 2, true, wait, t0)->size() == 2);
    CHECK(wait == 0);
    CHECK(js.take("p", 100, 30000, "i", 10, 2, true, wait, t0)->empty());
    CHECK(wait == 100);
    CHECK(js.take("p", 100, 30000, "i", 10, 2, true, wait, t0 + 50)->empty());
    CHECK(wait == 50);
    CHECK(js.take("p", 100, 30000, "i", 10, 2, true, wait, t0 + 100)->size() == 1);
    CHECK(js.take("p", 100, 30000, "i", 10, 2, true, wait, t0 + 5000)->size() == 2);  // idle time earns no more than the burst
  }

  TEST_CASE("token bucket: no 1-second window ever holds more than rate + burst") {
    TempDir dir;
    RedisServer redis(dir);
    auto r = redis.connect();
    JobStore js(*r, "t");
    make_job(js, "1-0", 400);
    const double rate = 50;
    const int burst = 5;
    std::vector<std::int64_t> sends;
    std::int64_t wait = 0;
    // Ask every 3 ms for 3 s, as several greedy gateways would.
    for (std::int64_t t = 0; t < 3000; t += 3) {
      auto got = js.take("p", 20, 30000, "i", rate, burst, true, wait, 2'000'000 + t);
      REQUIRE(got.has_value());
      for (size_t k = 0; k < got->size(); ++k) sends.push_back(t);
    }
    size_t most = 0;
    for (size_t i = 0, j = 0; i < sends.size(); ++i) {
      while (sends[i] - sends[j] >= 1000) ++j;
      most = std::max(most, i - j + 1);
    }
    CHECK(most <= static_cast<size_t>(rate) + burst - 1);
    CHECK(most >= static_cast<size_t>(rate));
    CHECK(sends.size() >= 150);  // the limit, not less: 3 s at 50/s
    CHECK(sends.size() <= 150 + burst + 1);
  }

  TEST_CASE("round-robin across jobs: a small job is not held back by a big one; urgent goes first") {
    TempDir dir;
    RedisServer redis(dir);
    auto r = redis.connect();
    JobStore js(*r, "t");
    make_job(js, "1-0", 200);
    make_job(js, "2-0", 5);
    std::int64_t wait = 0;
    std::vector<std::string> order;
    for (int i = 0; i < 10; ++i) {
      auto got = js.take("p", 1, 30000, "i", 0, 1, true, wait);
      REQUIRE(got.has_value());
      for (const auto& o : *got) order.push_back(job_of(o.ref));
    }
    CHECK(std::count(order.begin(), order.end(), "2-0") == 5);  // all of the small job within 10 sends

    make_job(js, "3-0", 3, /*urgent=*/true);
    auto next = js.take("p", 3, 30000, "i", 0, 1, true, wait);
    REQUIRE(next->size() == 3);
    for (const auto& o : *next) CHECK(job_of(o.ref) == "3-0");
  }

  TEST_CASE("quiet hours: only urgent messages are taken") {
    TempDir dir;
    RedisServer redis(dir);
    auto r = redis.connect();
    JobStore js(*r, "t");
    make_job(js, "1-0", 5);
    std::int64_t wait = 0;
    CHECK(js.take("p", 10, 30000, "i", 0, 1, false, wait)->empty());
    make_job(js, "2-0", 2, true);
    CHECK(js.take("p", 10, 30000, "i", 0, 1, false, wait)->size() == 2);
    CHECK(js.take("p", 10, 30000, "i", 0, 1, true, wait)->size() == 5);
  }
}
