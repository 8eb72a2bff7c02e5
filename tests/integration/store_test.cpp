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

// A fresh redis-server and a JobStore on it (prefix "t").
struct Store {
  TempDir dir;
  RedisServer redis{dir};
  std::unique_ptr<loa::store::Redis> r = redis.connect();
  JobStore js{*r, "t"};

  // Job "1-0" of `n` messages, fully expanded, and the `k` that `owner` takes from it.
  std::vector<loa::store::Outbound> expanded_and_taken(int n, int k, const std::string& owner) {
    make_job(js, "1-0", n);
    REQUIRE(js.finish_expansion("1-0", n).value());
    std::int64_t wait = 0;
    auto taken = js.take("p", k, 30000, owner, 0, 1, true, wait);
    REQUIRE(taken);
    REQUIRE(static_cast<int>(taken->size()) == k);
    return *taken;
  }
};
}  // namespace

TEST_SUITE("integration/store") {
  TEST_CASE_FIXTURE(Store, "token bucket: burst at once, then one per 1/rate, wait told exactly") {
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

  TEST_CASE_FIXTURE(Store, "token bucket: no 1-second window ever holds more than rate + burst") {
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

  TEST_CASE_FIXTURE(Store, "round-robin across jobs: a small job is not held back by a big one; urgent goes first") {
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

  TEST_CASE_FIXTURE(Store, "quiet hours: only urgent messages are taken") {
    make_job(js, "1-0", 5);
    std::int64_t wait = 0;
    CHECK(js.take("p", 10, 30000, "i", 0, 1, false, wait)->empty());
    make_job(js, "2-0", 2, true);
    CHECK(js.take("p", 10, 30000, "i", 0, 1, false, wait)->size() == 2);
    CHECK(js.take("p", 10, 30000, "i", 0, 1, true, wait)->size() == 5);
  }

  TEST_CASE_FIXTURE(Store, "leases: a dead gateway's unanswered messages become unknown, nothing it had answered or gave up") {
    auto first = expanded_and_taken(4, 4, "gw-a");
    CHECK(first[0].lease == first[3].lease);  // one run of one job: one lease
    // gw-a answers two of them: 0 sent, 1 to be retried; its lease stays (2 and 3 are open).
    REQUIRE(js.record("p", {{"1-0.0", "sent", "pid-0", "", 0, ""}, {"1-0.1", "retry", "", "HTTP 503", 0, "p"}}, {}, false));
    REQUIRE(js.promote_retries().value() == 1);
    // gw-b takes message 1 again, under a lease of its own.
    std::int64_t wait = 0;
    auto second = js.take("p", 4, 30000, "gw-b", 0, 1, true, wait);
    REQUIRE(second->size() == 1);
    CHECK((*second)[0].ref == "1-0.1");
    CHECK((*second)[0].attempts == 2);
    CHECK((*second)[0].lease != first[0].lease);
    // gw-a restarts: its own leases are resolved at once.
    CHECK(js.recover("gw-a", true).value() == 2);
    auto state = [&](int i) { return js.message("1-0", i).value()->get("s"); };
    CHECK(state(0) == "sent");
    CHECK(state(1) == "sending");  // gw-b's now, not gw-a's
    CHECK(state(2) == "unknown");
    CHECK(state(3) == "unknown");
    CHECK(js.message("1-0", 2).value()->get("e").find("not re-sent") != std::string::npos);
    auto st = js.status("1-0").value();
    CHECK(st->counts["sent"] == 1);
    CHECK(st->counts["sending"] == 1);
    CHECK(st->counts["unknown"] == 2);
    // gw-b answers and releases its lease; nothing is left in flight.
    REQUIRE(js.record("p", {{"1-0.1", "delivered", "pid-1", "", 0, ""}}, {(*second)[0].lease}, false));
    CHECK(r->command({"ZCARD", "t:inflight"})->as_int() == 0);
    CHECK(js.status("1-0").value()->state == "done");
  }

  TEST_CASE_FIXTURE(Store, "a delivery report that beats the send's answer, and reports for later parts, never regress a state") {
    auto report = [&](const std::string& ref, const std::string& state, const std::string& error) {
      auto r = js.apply_reports("p", {{ref, "", state, error}}).value();
      REQUIRE(r.size() == 1);
      return r[0].result;
    };
    auto taken = expanded_and_taken(1, 1, "gw");
    CHECK(report("1-0.0", "delivered", "") == "applied");  // still 'sending' here
    REQUIRE(js.record("p", {{"1-0.0", "sent", "pid-9", "", 0, ""}}, {taken[0].lease}, false));
    auto m = js.message("1-0", 0).value();
    CHECK(m->get("s") == "delivered");  // the late answer only adds the provider's id
    CHECK(m->get("pid") == "pid-9");
    // A second part's report, delivered or failed, is a repeat: nothing moves back.
    CHECK(report("1-0.0", "failed", "part 2 lost") == "duplicate");
    CHECK(report("1-0.0", "delivered", "") == "duplicate");
    CHECK(js.message("1-0", 0).value()->get("s") == "delivered");
    auto st = js.status("1-0").value();
    CHECK(st->counts["delivered"] == 1);
    CHECK(st->counts["sent"] == 0);
    CHECK(st->counts["sending"] == 0);
    CHECK(st->state == "done");
    CHECK(report("1-0.7", "delivered", "") == "unknown");
  }

  TEST_CASE_FIXTURE(Store, "a request's delivery reports apply in one call: by ref or by the provider's id, repeats and unknowns told apart") {
    auto taken = expanded_and_taken(3, 3, "gw");
    REQUIRE(js.record("p", {{"1-0.0", "sent", "pid-0", "", 0, ""}, {"1-0.1", "sent", "pid-1", "", 0, ""},
                            {"1-0.2", "sent", "pid-2", "", 0, ""}}, {taken[0].lease}, true));
    // pid-2 was sent three days ago: its id is in that day's map (maps are kept 15 days).
    auto maps = r->command({"KEYS", "t:dlr:p:*"}).value();
    REQUIRE(maps.elements.size() == 1);
    const std::string today = maps.elements[0].text();
    const long long day = std::stoll(today.substr(today.rfind(':') + 1));
    REQUIRE(r->command({"HDEL", today, "pid-2"}));
    REQUIRE(r->command({"HSET", "t:dlr:p:" + std::to_string(day - 3), "pid-2", "1-0.2"}));

    auto got = js.apply_reports("p", {{"", "pid-0", "delivered", ""},
                                      {"1-0.1", "", "failed", "UNDELIV"},
                                      {"", "pid-0", "failed", "part 2 lost"},  // a later part's report
                                      {"", "pid-x", "delivered", ""},
                                      {"", "pid-2", "delivered", ""}});
    REQUIRE(got);
    REQUIRE(got->size() == 5);
    CHECK((*got)[0].result == "applied");
    CHECK((*got)[0].ref == "1-0.0");
    CHECK((*got)[1].result == "applied");
    CHECK((*got)[2].result == "duplicate");
    CHECK((*got)[3].result == "unknown");
    CHECK((*got)[3].ref == "");
    CHECK((*got)[4].result == "applied");
    CHECK((*got)[4].ref == "1-0.2");
    CHECK(js.message("1-0", 0).value()->get("s") == "delivered");
    CHECK(js.message("1-0", 1).value()->get("s") == "failed");
    CHECK(js.message("1-0", 1).value()->get("e") == "UNDELIV");
    CHECK(js.message("1-0", 2).value()->get("s") == "delivered");
    auto st = js.status("1-0").value();
    CHECK(st->counts["delivered"] == 2);
    CHECK(st->counts["failed"] == 1);
    CHECK(st->counts["sent"] == 0);
    CHECK(st->state == "done");
    CHECK(js.apply_reports("p", {}).value().empty());
  }

  TEST_CASE_FIXTURE(Store, "a delivery report changes only a message handed to the provider whose endpoint got it") {
    auto taken = expanded_and_taken(3, 3, "gw");
    // 1-0.1 fails over from p to q; the others stay with p.
    REQUIRE(js.record("p", {{"1-0.0", "sent", "", "", 0, ""}, {"1-0.1", "retry", "", "HTTP 503", 0, "q"},
                            {"1-0.2", "sent", "", "", 0, ""}}, {taken[0].lease}, false));
    REQUIRE(js.promote_retries().value() == 1);
    std::int64_t wait = 0;
    auto on_q = js.take("q", 4, 30000, "gw", 0, 1, true, wait);
    REQUIRE(on_q);
    REQUIRE(on_q->size() == 1);
    auto one = [&](const std::string& provider, const std::string& ref, const std::string& state) {
      auto r = js.apply_reports(provider, {{ref, "", state, "x"}}).value();
      REQUIRE(r.size() == 1);
      return r[0].result;
    };
    CHECK(one("q", "1-0.0", "failed") == "foreign");      // q never had it
    CHECK(one("other", "1-0.2", "failed") == "foreign");  // nor had a provider of no route
    CHECK(js.message("1-0", 0).value()->get("s") == "sent");
    CHECK(js.message("1-0", 2).value()->get("s") == "sent");
    CHECK(one("p", "1-0.1", "delivered") == "applied");   // p had it before q: its report counts
    CHECK(one("q", "1-0.1", "failed") == "duplicate");
    CHECK(one("p", "1-0.0", "delivered") == "applied");
    CHECK(js.message("1-0", 0).value()->get("s") == "delivered");
    CHECK(js.message("1-0", 1).value()->get("s") == "delivered");
    auto st = js.status("1-0").value();
    CHECK(st->counts["delivered"] == 2);
    CHECK(st->counts["sent"] == 1);
  }

  TEST_CASE_FIXTURE(Store, "a Redis that lost its scripts (restart, SCRIPT FLUSH) gets them again, nothing runs twice") {
    make_job(js, "1-0", 3);
    std::int64_t wait = 0;
    REQUIRE(r->command({"SCRIPT", "FLUSH"}));
    // Record (nothing) and take pipelined: both scripts are unknown to Redis now.
    REQUIRE(js.begin_record_and_take("p", {}, {}, false, 2, 30000, "i", 0, 1, true));
    auto got = js.end_record_and_take(wait);
    REQUIRE(got);
    CHECK(got->size() == 2);
    REQUIRE(r->command({"SCRIPT", "FLUSH"}));
    auto rest = js.take("p", 5, 30000, "i", 0, 1, true, wait);
    REQUIRE(rest);
    CHECK(rest->size() == 1);  // the third, once: the first two stay taken
    CHECK(js.take("p", 5, 30000, "i", 0, 1, true, wait)->empty());
  }
}
