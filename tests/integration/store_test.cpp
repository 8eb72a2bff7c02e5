// The Redis scripts against a real redis-server with the clock injected: the shared token
// bucket (GCRA), round-robin across jobs, urgent first, quiet hours, leases, reports.
#include <doctest/doctest.h>

#include <deque>
#include <map>

#include "core/store/dispatch_store.h"
#include "core/store/expansion_store.h"
#include "core/store/intake_store.h"
#include "core/store/control_store.h"
#include "core/store/query_store.h"
#include "core/store/report_store.h"
#include "providers/provider.h"
#include "tests/integration/harness.h"

using namespace loa::test;
using loa::jobs::JobState;
using loa::jobs::MessageState;
using loa::store::Outcome;
using loa::store::ReportEffect;
using loa::store::SendOutcome;

namespace {
std::string job_of(const std::string& ref) { return ref.substr(0, ref.rfind('.')); }

// A fresh redis-server and each stage's store on it (prefix "t").
struct Store {
  TempDir dir;
  RedisServer redis{dir};
  std::unique_ptr<loa::store::Redis> r = redis.connect();
  loa::store::IntakeStore intake{*r, "t"};
  loa::store::ExpansionStore expansion{*r, "t"};
  loa::store::DispatchStore dispatch{*r, "t"};
  loa::store::ReportStore reports{*r, "t"};
  loa::store::QueryStore queries{*r, "t"};
  loa::store::ControlStore control{*r, "t"};

  // Stores a queued job of `n` messages for provider "p".
  void make_job(const std::string& id, int n, bool urgent = false) {
    loa::jobs::JobSpec spec{"t", {"w"}, {}, {}, {}, {}, urgent, {}};
    REQUIRE(intake.admit({.id = id, .spec_json = loa::jobs::to_json(spec), .spec = spec}));
    std::vector<loa::store::ExpandedRow> rows;
    for (int i = 0; i < n; ++i) {
      loa::store::ExpandedRow row;
      row.index = i;
      row.data = {.ward = "w", .row = std::to_string(i + 2), .phone = "0912000000", .route = "p", .text = "x"};
      rows.push_back(row);
    }
    REQUIRE(expansion.expand_chunk(id, 0, rows, 30000).value());
  }

  // take() as a dispatcher of `provider` for `owner` asks; `clock` injects the time.
  std::expected<std::vector<loa::store::Outbound>, std::string> take(
      const std::string& provider, int n, const std::string& owner = "i", double rate = 0, int burst = 1,
      bool bulk = true, std::optional<std::int64_t> clock = std::nullopt) {
    // The dispatcher's own call, with nothing to record.
    auto sent = dispatch.begin_record_and_take({.provider = provider},
                                               {.provider = provider, .max = n, .lease_ms = 30000, .instance = owner,
                                                .rate = rate, .burst = burst, .bulk_allowed = bulk, .clock_ms = clock});
    if (!sent) return std::unexpected(sent.error());
    auto t = dispatch.end_record_and_take();
    if (!t) return std::unexpected(t.error());
    wait = t->wait_ms;
    return std::move(t->messages);
  }
  std::int64_t wait = 0;  ///< the last take's wait

  std::expected<void, std::string> record(const std::string& provider, std::vector<Outcome> outcomes,
                                          std::vector<std::string> releases, bool map_ids) {
    // The dispatcher's own call, taking nothing.
    auto sent = dispatch.begin_record_and_take(
        {.provider = provider, .outcomes = std::move(outcomes), .releases = std::move(releases), .map_ids = map_ids},
        {.provider = provider, .max = 0});
    if (!sent) return std::unexpected(sent.error());
    auto done = dispatch.end_record_and_take();
    if (!done) return std::unexpected(done.error());
    return {};
  }
  loa::store::MessageProgress progress(const std::string& job, int i) {
    return message(*r, job, i).progress;
  }

  // Job "1-0" of `n` messages, fully expanded, and the `k` that `owner` takes from it.
  std::vector<loa::store::Outbound> expanded_and_taken(int n, int k, const std::string& owner) {
    make_job("1-0", n);
    REQUIRE(expansion.finish_expansion("1-0", n).value());
    auto taken = take("p", k, owner);
    REQUIRE(taken);
    REQUIRE(static_cast<int>(taken->size()) == k);
    return *taken;
  }
};
}  // namespace

TEST_SUITE("integration/store") {
  TEST_CASE_FIXTURE(Store, "token bucket: burst at once, then one per 1/rate, wait told exactly") {
    make_job("1-0", 50);
    const std::int64_t t0 = 1'000'000;
    CHECK(take("p", 100, "i", 10, 2, true, t0)->size() == 2);
    CHECK(wait == 0);
    CHECK(take("p", 100, "i", 10, 2, true, t0)->empty());
    CHECK(wait == 100);
    CHECK(take("p", 100, "i", 10, 2, true, t0 + 50)->empty());
    CHECK(wait == 50);
    CHECK(take("p", 100, "i", 10, 2, true, t0 + 100)->size() == 1);
    CHECK(take("p", 100, "i", 10, 2, true, t0 + 5000)->size() == 2);  // idle time earns no more than the burst
  }

  TEST_CASE_FIXTURE(Store, "token bucket: no 1-second window ever holds more than rate + burst") {
    make_job("1-0", 400);
    const double rate = 50;
    const int burst = 5;
    std::vector<std::int64_t> sends;
    // Ask every 3 ms for 3 s, as several greedy gateways would.
    for (std::int64_t t = 0; t < 3000; t += 3) {
      auto got = take("p", 20, "i", rate, burst, true, 2'000'000 + t);
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
    make_job("1-0", 200);
    make_job("2-0", 5);
    std::vector<std::string> order;
    for (int i = 0; i < 10; ++i) {
      auto got = take("p", 1, "i", 0, 1, true);
      REQUIRE(got.has_value());
      for (const auto& o : *got) order.push_back(job_of(o.ref));
    }
    CHECK(std::count(order.begin(), order.end(), "2-0") == 5);  // all of the small job within 10 sends

    make_job("3-0", 3, /*urgent=*/true);
    auto next = take("p", 3, "i", 0, 1, true);
    REQUIRE(next->size() == 3);
    for (const auto& o : *next) CHECK(job_of(o.ref) == "3-0");
  }

  TEST_CASE_FIXTURE(Store, "runs: a job alone gives a progress bucket's worth under one lease; jobs together take turns of 16") {
    auto runs_of = [](const std::vector<loa::store::Outbound>& got) {
      std::vector<std::pair<std::string, int>> runs;  // (job, messages) per lease, in order
      for (const auto& o : got) {
        if (runs.empty() || got[&o - got.data() - 1].lease != o.lease) runs.push_back({job_of(o.ref), 0});
        ++runs.back().second;
      }
      return runs;
    };
    make_job("1-0", 300);
    auto alone = take("p", 200);
    REQUIRE(alone);
    REQUIRE(alone->size() == 200);
    CHECK(runs_of(*alone) == std::vector<std::pair<std::string, int>>{{"1-0", 128}, {"1-0", 72}});
    make_job("2-0", 100);
    auto together = take("p", 64);
    REQUIRE(together);
    REQUIRE(together->size() == 64);
    const auto runs = runs_of(*together);
    REQUIRE(runs.size() == 4);
    for (std::size_t k = 0; k < runs.size(); ++k) {
      CAPTURE(k);
      CHECK(runs[k].second == 16);
      if (k > 0) CHECK(runs[k].first != runs[k - 1].first);  // the two alternate
    }
  }

  TEST_CASE_FIXTURE(Store, "quiet hours: only urgent messages are taken") {
    make_job("1-0", 5);
    CHECK(take("p", 10, "i", 0, 1, false)->empty());
    make_job("2-0", 2, true);
    CHECK(take("p", 10, "i", 0, 1, false)->size() == 2);
    CHECK(take("p", 10, "i", 0, 1, true)->size() == 5);
  }

  TEST_CASE_FIXTURE(Store, "leases: a dead gateway's unanswered messages become unknown, nothing it had answered or gave up") {
    auto first = expanded_and_taken(4, 4, "gw-a");
    CHECK(first[0].lease == first[3].lease);  // one run of one job: one lease
    // gw-a answers two of them: 0 sent, 1 to be retried; its lease stays (2 and 3 are open).
    REQUIRE(record("p", {{"1-0.0", SendOutcome::sent, "pid-0", "", 0, ""}, {"1-0.1", SendOutcome::retry, "", "HTTP 503", 0, "p"}}, {}, false));
    REQUIRE(dispatch.promote_retries().value() == 1);
    // gw-b takes message 1 again, under a lease of its own.
    auto second = take("p", 4, "gw-b", 0, 1, true);
    REQUIRE(second->size() == 1);
    CHECK((*second)[0].ref == "1-0.1");
    CHECK((*second)[0].attempts == 2);
    CHECK((*second)[0].lease != first[0].lease);
    // gw-a restarts: its own leases are resolved at once.
    CHECK(dispatch.recover("gw-a", true).value() == 2);
    auto state = [&](int i) { return progress("1-0", i).state; };
    CHECK(state(0) == MessageState::sent);
    CHECK(state(1) == MessageState::sending);  // gw-b's now, not gw-a's
    CHECK(state(2) == MessageState::unknown);
    CHECK(state(3) == MessageState::unknown);
    CHECK(progress("1-0", 2).error.find("not re-sent") != std::string::npos);
    auto st = queries.status("1-0").value();
    CHECK(st->count(MessageState::sent) == 1);
    CHECK(st->count(MessageState::sending) == 1);
    CHECK(st->count(MessageState::unknown) == 2);
    // gw-b answers and releases its lease; nothing is left in flight.
    REQUIRE(record("p", {{"1-0.1", SendOutcome::delivered, "pid-1", "", 0, ""}}, {(*second)[0].lease}, false));
    CHECK(r->command({"ZCARD", "t:inflight"})->as_int() == 0);
    CHECK(queries.status("1-0").value()->state == JobState::done);
  }

  // eSMS answers a RequestId it has seen with 124 ("taken"): a failed message sent again
  // on an operator's word must carry a new reference, and its attempts start afresh; an
  // unknown one keeps its reference (the provider's de-duplication makes that resend safe).
  TEST_CASE_FIXTURE(Store, "retry --failed: a new round (new reference, attempts afresh); retry --unknown: the same") {
    auto first = expanded_and_taken(3, 3, "gw-a");
    CHECK(first[0].round == 0);
    REQUIRE(record("p", {{"1-0.0", SendOutcome::failed, "", "eSMS 108", 0, ""}, {"1-0.1", SendOutcome::unknown, "", "timeout", 0, ""},
                         {"1-0.2", SendOutcome::sent, "pid-2", "", 0, ""}},
                   {first[0].lease}, false));
    CHECK(control.requeue("1-0", MessageState::failed).value() == 1);
    CHECK(control.requeue("1-0", MessageState::unknown).value() == 1);
    auto again = take("p", 3, "gw-a");
    REQUIRE(again);
    REQUIRE(again->size() == 2);
    std::map<std::string, loa::store::Outbound> by_ref;
    for (auto& o : *again) by_ref[o.ref] = o;
    CHECK(by_ref["1-0.0"].round == 1);
    CHECK(by_ref["1-0.0"].attempts == 1);  // afresh
    CHECK(by_ref["1-0.1"].round == 0);
    CHECK(by_ref["1-0.1"].attempts == 2);
    loa::providers::Message m{.ref = "1-0.0", .round = by_ref["1-0.0"].round};
    CHECK(loa::providers::reference_for(m) == "1-0.0r1");
    CHECK(loa::providers::report_ref("1-0.0r1") == "1-0.0");
    CHECK(loa::providers::report_ref("1-0.0") == "1-0.0");
    // Failed again, sent again: round 2. Purging the job takes the rounds with it.
    REQUIRE(record("p", {{"1-0.0", SendOutcome::failed, "", "eSMS 108", 0, ""}}, {}, false));
    CHECK(control.requeue("1-0", MessageState::failed).value() == 1);
    auto third = take("p", 3, "gw-a");
    REQUIRE(third);
    REQUIRE(third->size() == 1);
    CHECK((*third)[0].round == 2);
    CHECK(r->command({"EXISTS", "t:round:1-0"})->as_int() == 1);
  }

  TEST_CASE_FIXTURE(Store, "a delivery report that beats the send's answer, and reports for later parts, never regress a state") {
    auto report = [&](const std::string& ref, MessageState state, const std::string& error) {
      auto r = reports.apply("p", {{ref, "", state, error}}).value();
      REQUIRE(r.size() == 1);
      return r[0].effect;
    };
    auto taken = expanded_and_taken(1, 1, "gw");
    CHECK(report("1-0.0", MessageState::delivered, "") == ReportEffect::applied);  // still 'sending' here
    REQUIRE(record("p", {{"1-0.0", SendOutcome::sent, "pid-9", "", 0, ""}}, {taken[0].lease}, false));
    auto m = progress("1-0", 0);
    CHECK(m.state == MessageState::delivered);  // the late answer only adds the provider's id
    CHECK(m.provider_id == "pid-9");
    // A second part's report, delivered or failed, is a repeat: nothing moves back.
    CHECK(report("1-0.0", MessageState::failed, "part 2 lost") == ReportEffect::duplicate);
    CHECK(report("1-0.0", MessageState::delivered, "") == ReportEffect::duplicate);
    CHECK(progress("1-0", 0).state == MessageState::delivered);
    auto st = queries.status("1-0").value();
    CHECK(st->count(MessageState::delivered) == 1);
    CHECK(st->count(MessageState::sent) == 0);
    CHECK(st->count(MessageState::sending) == 0);
    CHECK(st->state == JobState::done);
    CHECK(report("1-0.7", MessageState::delivered, "") == ReportEffect::unknown);
  }

  TEST_CASE_FIXTURE(Store, "a request's delivery reports apply in one call: by ref or by the provider's id, repeats and unknowns told apart") {
    auto taken = expanded_and_taken(3, 3, "gw");
    REQUIRE(record("p", {{"1-0.0", SendOutcome::sent, "pid-0", "", 0, ""}, {"1-0.1", SendOutcome::sent, "pid-1", "", 0, ""},
                            {"1-0.2", SendOutcome::sent, "pid-2", "", 0, ""}}, {taken[0].lease}, true));
    // pid-2 was sent three days ago: its id is in that day's map (maps are kept 15 days).
    auto maps = r->command({"KEYS", "t:dlr:p:*"}).value();
    REQUIRE(maps.elements.size() == 1);
    const std::string today = maps.elements[0].text();
    const long long day = std::stoll(today.substr(today.rfind(':') + 1));
    REQUIRE(r->command({"HDEL", today, "pid-2"}));
    REQUIRE(r->command({"HSET", "t:dlr:p:" + std::to_string(day - 3), "pid-2", "1-0.2"}));

    auto got = reports.apply("p", {{"", "pid-0", MessageState::delivered, ""},
                                      {"1-0.1", "", MessageState::failed, "UNDELIV"},
                                      {"", "pid-0", MessageState::failed, "part 2 lost"},  // a later part's report
                                      {"", "pid-x", MessageState::delivered, ""},
                                      {"", "pid-2", MessageState::delivered, ""}});
    REQUIRE(got);
    REQUIRE(got->size() == 5);
    CHECK((*got)[0].effect == ReportEffect::applied);
    CHECK((*got)[0].ref == "1-0.0");
    CHECK((*got)[1].effect == ReportEffect::applied);
    CHECK((*got)[2].effect == ReportEffect::duplicate);
    CHECK((*got)[3].effect == ReportEffect::unknown);
    CHECK((*got)[3].ref == "");
    CHECK((*got)[4].effect == ReportEffect::applied);
    CHECK((*got)[4].ref == "1-0.2");
    CHECK(progress("1-0", 0).state == MessageState::delivered);
    CHECK(progress("1-0", 1).state == MessageState::failed);
    CHECK(progress("1-0", 1).error == "UNDELIV");
    CHECK(progress("1-0", 2).state == MessageState::delivered);
    auto st = queries.status("1-0").value();
    CHECK(st->count(MessageState::delivered) == 2);
    CHECK(st->count(MessageState::failed) == 1);
    CHECK(st->count(MessageState::sent) == 0);
    CHECK(st->state == JobState::done);
    CHECK(reports.apply("p", {}).value().empty());
  }

  TEST_CASE_FIXTURE(Store, "messages across progress buckets: taken, recorded and reported in one call each") {
    auto taken = expanded_and_taken(300, 300, "gw");  // buckets 0, 1 and 2
    std::vector<Outcome> sent;
    std::vector<std::string> leases;
    for (const auto& m : taken) {
      sent.push_back({m.ref, SendOutcome::sent, "", "", 0, ""});
      if (std::find(leases.begin(), leases.end(), m.lease) == leases.end()) leases.push_back(m.lease);
    }
    REQUIRE(record("p", sent, leases, false));
    CHECK(r->command({"OBJECT", "ENCODING", "t:ms:1-0:1"})->text() == "listpack");
    const auto before = progress("1-0", 299);
    auto got = reports.apply("p", {{"1-0.299", "", MessageState::delivered, ""},
                                      {"1-0.5", "", MessageState::failed, "UNDELIV"},
                                      {"1-0.130", "", MessageState::delivered, ""},
                                      {"1-0.5", "", MessageState::delivered, ""},
                                      {"1-0.400", "", MessageState::delivered, ""},
                                      // refs that are not <job>.<index>, or an index not as Loa writes it
                                      {"1-0.", "", MessageState::delivered, ""},
                                      {".5", "", MessageState::delivered, ""},
                                      {"1-0.6x", "", MessageState::delivered, ""},
                                      {"1-0.99999999999999999999999", "", MessageState::delivered, ""},
                                      {"1-0.007", "", MessageState::delivered, ""},
                                      {"1-0.-7", "", MessageState::delivered, ""}});
    REQUIRE(got);
    REQUIRE(got->size() == 11);
    for (std::size_t i = 5; i < 11; ++i) {
      CAPTURE(i);
      CHECK((*got)[i].effect == ReportEffect::unknown);
    }
    CHECK(progress("1-0", 7).state == MessageState::sent);
    CHECK((*got)[0].effect == ReportEffect::applied);
    CHECK((*got)[1].effect == ReportEffect::applied);
    CHECK((*got)[2].effect == ReportEffect::applied);
    CHECK((*got)[3].effect == ReportEffect::duplicate);  // 5 is final by then
    CHECK((*got)[4].effect == ReportEffect::unknown);
    CHECK(progress("1-0", 299).state == MessageState::delivered);
    // A report rewrites the state, the times it ends and the lease; the rest stays.
    const auto after = progress("1-0", 299);
    CHECK(after.attempts == before.attempts);
    CHECK(after.provider == "p");
    CHECK(after.lease.empty());
    CHECK(after.taken_at == before.taken_at);
    CHECK(after.sent_at == before.sent_at);
    CHECK(after.provider_id == before.provider_id);
    CHECK(after.done_at >= before.sent_at);
    CHECK(after.report_at == after.done_at);
    CHECK(after.error.empty());
    CHECK(progress("1-0", 130).state == MessageState::delivered);
    CHECK(progress("1-0", 5).state == MessageState::failed);
    CHECK(progress("1-0", 5).error == "UNDELIV");
    CHECK(progress("1-0", 5).done_at >= progress("1-0", 5).taken_at);
    CHECK(progress("1-0", 6).state == MessageState::sent);
    auto st = queries.status("1-0").value();
    CHECK(st->count(MessageState::delivered) == 2);
    CHECK(st->count(MessageState::failed) == 1);
    CHECK(st->count(MessageState::sent) == 297);
  }

  TEST_CASE_FIXTURE(Store, "a delivery report changes only a message handed to the provider whose endpoint got it") {
    auto taken = expanded_and_taken(3, 3, "gw");
    // 1-0.1 fails over from p to q; the others stay with p.
    REQUIRE(record("p", {{"1-0.0", SendOutcome::sent, "", "", 0, ""}, {"1-0.1", SendOutcome::retry, "", "HTTP 503", 0, "q"},
                            {"1-0.2", SendOutcome::sent, "", "", 0, ""}}, {taken[0].lease}, false));
    REQUIRE(dispatch.promote_retries().value() == 1);
    auto on_q = take("q", 4, "gw", 0, 1, true);
    REQUIRE(on_q);
    REQUIRE(on_q->size() == 1);
    auto one = [&](const std::string& provider, const std::string& ref, MessageState state) {
      auto r = reports.apply(provider, {{ref, "", state, "x"}}).value();
      REQUIRE(r.size() == 1);
      return r[0].effect;
    };
    CHECK(one("q", "1-0.0", MessageState::failed) == ReportEffect::foreign);      // q never had it
    CHECK(one("other", "1-0.2", MessageState::failed) == ReportEffect::foreign);  // nor had a provider of no route
    CHECK(progress("1-0", 0).state == MessageState::sent);
    CHECK(progress("1-0", 2).state == MessageState::sent);
    CHECK(one("p", "1-0.1", MessageState::delivered) == ReportEffect::applied);   // p had it before q: its report counts
    CHECK(one("q", "1-0.1", MessageState::failed) == ReportEffect::duplicate);
    CHECK(one("p", "1-0.0", MessageState::delivered) == ReportEffect::applied);
    CHECK(progress("1-0", 0).state == MessageState::delivered);
    CHECK(progress("1-0", 1).state == MessageState::delivered);
    auto st = queries.status("1-0").value();
    CHECK(st->count(MessageState::delivered) == 2);
    CHECK(st->count(MessageState::sent) == 1);
  }

  TEST_CASE_FIXTURE(Store, "a Redis that lost its scripts (restart, SCRIPT FLUSH) gets them again, nothing runs twice") {
    make_job("1-0", 3);
    REQUIRE(r->command({"SCRIPT", "FLUSH"}));
    // Record (nothing) and take pipelined: both scripts are unknown to Redis now.
    REQUIRE(dispatch.begin_record_and_take({.provider = "p", .map_ids = false},
                                           {.provider = "p", .max = 2, .lease_ms = 30000, .instance = "i"}));
    auto got = dispatch.end_record_and_take();
    REQUIRE(got);
    CHECK(got->messages.size() == 2);
    REQUIRE(r->command({"SCRIPT", "FLUSH"}));
    auto rest = take("p", 5, "i", 0, 1, true);
    REQUIRE(rest);
    CHECK(rest->size() == 1);  // the third, once: the first two stay taken
    CHECK(take("p", 5, "i", 0, 1, true)->empty());
  }
}
