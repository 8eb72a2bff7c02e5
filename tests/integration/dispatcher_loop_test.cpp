// The dispatcher's loop against a real Redis but no network: its transport comes from a
// factory (transport::TransportFactory), here one that answers in-process, so what the
// loop does with each kind of answer is seen exactly.
#include <doctest/doctest.h>

#include <mutex>
#include <set>

#include "core/store/expansion_store.h"
#include "core/store/intake_store.h"
#include "core/store/query_store.h"
#include "daemon/dispatcher.h"
#include "tests/integration/harness.h"

using namespace loa::test;
using loa::jobs::MessageState;
using loa::transport::HttpRequest;
using loa::transport::HttpResponse;

namespace {

// Sends to "in-process://p"; an answer of 200 is taken with id "id-<ref>".
class TestProvider final : public loa::providers::Provider {
 public:
  const std::string& name() const override { return name_; }
  std::expected<HttpRequest, loa::providers::ProviderError> build_request(const loa::providers::Message& m) override {
    HttpRequest r;
    r.url = "in-process://p";
    r.body = m.ref;
    return r;
  }
  std::expected<loa::providers::Accepted, loa::providers::ProviderError> parse_response(
      const loa::providers::Message& m, const HttpResponse& r) override {
    if (!r.transport_error.empty() || r.status != 200) return std::unexpected(loa::providers::classify_http(r));
    return loa::providers::Accepted{"id-" + m.ref, false};
  }
  std::expected<std::vector<loa::providers::Report>, loa::providers::ReportFailure> parse_report(
      const loa::providers::IncomingReport&) override {
    return std::vector<loa::providers::Report>{};
  }

 private:
  std::string name_ = "p";
};

// Answers every request at the next poll with `answer`; remembers each request's body.
class InProcessTransport final : public loa::transport::HttpTransport {
 public:
  InProcessTransport(HttpResponse answer, std::multiset<std::string>& seen, std::mutex& mu)
      : answer_(std::move(answer)), seen_(seen), mu_(mu) {}
  void add(std::uint64_t tag, const HttpRequest& req, int) override {
    std::lock_guard lock(mu_);
    seen_.insert(req.body);
    open_.push_back(tag);
  }
  std::size_t in_flight() const override { return open_.size(); }
  std::vector<std::pair<std::uint64_t, HttpResponse>> poll(int, int) override {
    std::vector<std::pair<std::uint64_t, HttpResponse>> done;
    for (auto tag : open_) done.emplace_back(tag, answer_);
    open_.clear();
    return done;
  }

 private:
  HttpResponse answer_;
  std::multiset<std::string>& seen_;
  std::mutex& mu_;
  std::vector<std::uint64_t> open_;
};

// A queued job "1-0" of `n` messages for provider p, and a dispatcher for p whose
// transport answers `answer`; runs until every message has left `queued`/`sending`.
struct Loop {
  TempDir dir;
  RedisServer redis{dir};
  std::unique_ptr<loa::store::Redis> r = redis.connect();
  std::multiset<std::string> seen;
  std::mutex mu;

  loa::store::JobStatus run(int n, HttpResponse answer) {
    loa::jobs::JobSpec spec{"t", {"w"}, {}, {}, {}, {}, false, {}};
    REQUIRE(loa::store::IntakeStore(*r, "t").admit({.id = "1-0", .spec_json = loa::jobs::to_json(spec), .spec = spec}));
    std::vector<loa::store::ExpandedRow> rows;
    for (int i = 0; i < n; ++i)
      rows.push_back({.index = i, .data = {.ward = "w", .row = std::to_string(i), .phone = "0912000000", .route = "p", .text = "x"}});
    loa::store::ExpansionStore expansion(*r, "t");
    REQUIRE(expansion.expand_chunk("1-0", 0, rows, 30000).value());
    REQUIRE(expansion.finish_expansion("1-0", n).value());

    loa::daemon::Context ctx;
    ctx.fixed.redis_prefix = "t";
    ctx.redis_url = redis.url();
    ctx.instance = "gw";
    auto rt = std::make_shared<loa::daemon::Runtime>();
    loa::config::ProviderConfig pc;
    pc.name = "p";
    pc.type = "test";
    pc.max_in_flight = 8;
    pc.timeout_ms = 1000;
    rt->cfg.providers.push_back(pc);
    rt->cfg.retry.max_attempts = 1;
    rt->providers.emplace("p", std::make_shared<TestProvider>());
    ctx.set_runtime(rt);
    loa::daemon::Dispatcher d(ctx, rt, "p", 1, [&](const loa::transport::TransportSpec&) {
      return std::make_unique<InProcessTransport>(answer, seen, mu);
    });
    d.start();
    loa::store::QueryStore queries(*r, "t");
    CHECK(wait_until(
        [&] {
          auto st = queries.status("1-0").value();
          return st && st->state == loa::jobs::JobState::done;
        },
        std::chrono::seconds(10)));
    ctx.stopping = true;
    ctx.work.notify();
    d.join();
    return queries.status("1-0").value().value();
  }
};

}  // namespace

TEST_SUITE("integration/dispatcher") {
  TEST_CASE_FIXTURE(Loop, "every message handed to the transport once, each answer recorded with its id") {
    HttpResponse ok;
    ok.status = 200;
    ok.request_sent = true;
    auto st = run(50, ok);
    CHECK(st.count(MessageState::sent) == 50);
    CHECK(seen.size() == 50);
    for (int i = 0; i < 50; ++i) CHECK(seen.count("1-0." + std::to_string(i)) == 1);
    CHECK(message(*r, "1-0", 7).progress.provider_id == "id-1-0.7");
    CHECK(message(*r, "1-0", 7).progress.attempts == 1);
  }

  TEST_CASE_FIXTURE(Loop, "no answer after the request was written: unknown, never sent again") {
    HttpResponse lost;
    lost.transport_error = "connection lost";
    lost.request_sent = true;
    // Four, below the circuit breaker's threshold (five failures take the provider out of
    // rotation for 10 s).
    auto st = run(4, lost);
    CHECK(st.count(MessageState::unknown) == 4);
    CHECK(seen.size() == 4);  // one request each
    CHECK(message(*r, "1-0", 3).progress.error.find("after the request was written") != std::string::npos);
  }
}
