// Dispatch loop.
#include "daemon/dispatcher.h"

#include <algorithm>
#include <unordered_map>

#include <spdlog/spdlog.h>

#include "core/store/job_store.h"
#include "core/util/log.h"
#include "core/util/time.h"
#include "daemon/circuit_breaker.h"
#include "daemon/metrics.h"
#include "daemon/retry_policy.h"
#include "providers/http_client.h"

namespace loa::daemon {

void Dispatcher::start() { thread_ = std::thread([this] { run(); }); }

void Dispatcher::join() {
  if (thread_.joinable()) thread_.join();
}

namespace {

std::int64_t steady_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

// Takes the text from `o` (it is not needed again there).
providers::Message to_message(store::Outbound& o) {
  providers::Message m;
  m.ref = o.ref;
  m.to_local = o.phone;
  std::string_view national(o.phone);
  if (national.size() > 1 && national[0] == '0') national.remove_prefix(1);
  m.to_digits.reserve(national.size() + 2);
  m.to_digits.append("84").append(national);
  m.to_e164.reserve(national.size() + 3);
  m.to_e164.append("+84").append(national);
  m.text = std::move(o.text);
  m.unicode = o.unicode;
  m.attempt = o.attempts;
  return m;
}

std::vector<std::string> split_route(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    if (comma == std::string::npos) comma = s.size();
    if (comma > start) out.push_back(s.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

}  // namespace

void Dispatcher::run() {
  const std::string& name = provider_.name();
  const std::size_t capacity = static_cast<std::size_t>(std::max(1, cfg_.max_in_flight / workers_));
  providers::CurlMulti multi(static_cast<int>(capacity));
  CircuitBreaker breaker(kBreakerThreshold, kBreakerOpenMs);
  std::int64_t outcomes_since = -1;  // steady ms when the oldest unrecorded outcome came
  std::int64_t rate_wait_until = 0;  // steady ms: the shared rate limit allows nothing before
  std::int64_t quiet_checked = -1;
  bool bulk_allowed = true;
  std::mt19937_64 rng(std::random_device{}());
  std::unique_ptr<store::Redis> redis;
  struct InFlight {
    store::Outbound message;
    providers::Message sent;
    std::chrono::steady_clock::time_point started;
  };
  std::unordered_map<std::uint64_t, InFlight> pending;
  std::vector<store::Outcome> outcomes;
  // Leases are released once each of their messages has an outcome waiting to be written.
  std::unordered_map<std::string, int> lease_open;
  std::vector<std::string> releases;
  std::uint64_t next_tag = 1;
  const std::int64_t lease_ms = cfg_.timeout_ms + 20000;  // a live sender never outlives its lease

  auto outcome_for = [&](const store::Outbound& o, store::Outcome outcome) {
    if (outcome.outcome != "reroute") metrics().outcome(name, outcome.outcome);  // not an attempt
    outcomes.push_back(std::move(outcome));
    auto it = lease_open.find(o.lease);
    if (it != lease_open.end() && --it->second == 0) {
      releases.push_back(o.lease);
      lease_open.erase(it);
    }
  };
  auto settle = [&](const store::Outbound& o, const std::expected<providers::Accepted, providers::ProviderError>& r) {
    // Any answer from the provider, even a refusal, shows it is up; only failures to reach
    // it (or 5xx) count against the circuit.
    if (!r && (r.error().kind == providers::ErrorKind::Transient || r.error().kind == providers::ErrorKind::Ambiguous))
      breaker.failure(util::now_ms());
    else
      breaker.success();
    if (r) {
      outcome_for(o, {o.ref, r->delivered ? "delivered" : "sent", r->provider_id, "", 0, ""});
      return;
    }
    auto d = decide(rt_->cfg.retry, r.error(), o.attempts, name, split_route(o.route), provider_.idempotent(), rng);
    spdlog::warn("{}: message {} to {} attempt {}: {}{}", name, o.ref, util::mask_phone(o.phone), o.attempts,
                 r.error().reason, d.retry ? fmt::format(" (retry in {} ms via {})", d.delay_ms, d.provider) : " (" + d.final_state + ")");
    if (d.retry) outcome_for(o, {o.ref, "retry", "", r.error().reason, d.delay_ms, d.provider});
    else outcome_for(o, {o.ref, d.final_state, "", r.error().reason, 0, ""});
  };

  // Drives the open requests for up to `wait` ms and settles those that finished.
  auto drive = [&](int wait) {
    for (auto& [tag, response] : multi.poll(wait)) {
      auto it = pending.find(tag);
      if (it == pending.end()) continue;
      std::chrono::duration<double> took_s = std::chrono::steady_clock::now() - it->second.started;
      metrics().request(name, took_s.count());
      settle(it->second.message, provider_.parse_response(it->second.sent, response));
      pending.erase(it);
    }
  };

  // One turn: start as many sends as capacity and the limiter allow, drive the open
  // requests, settle finished ones, record outcomes; sleep briefly when idle.
  for (;;) {
    const bool stopping = ctx_.stopping || stop_;
    if (stopping && pending.empty() && outcomes.empty() && releases.empty()) break;
    if (!redis) {
      auto r = store::Redis::connect(ctx_.redis_url, 5000);
      if (!r) {
        spdlog::error("dispatcher {}: {}", name, r.error());
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        if (pending.empty()) continue;
      } else {
        redis = std::move(*r);
      }
    }
    std::size_t took = 0;
    const std::int64_t now = util::now_ms();
    if (rt_->cfg.quiet_hours && now / 1000 != quiet_checked) {
      quiet_checked = now / 1000;
      const auto& q = *rt_->cfg.quiet_hours;
      bulk_allowed = !util::in_window(util::minute_of_day(now, rt_->cfg.timezone), q.start_minute, q.end_minute);
    }
    const auto circuit = breaker.state(now);
    int want = static_cast<int>(std::min<std::size_t>(capacity - std::min(capacity, pending.size()), 200));
    // Refill in batches (a quarter of the capacity) rather than one message per completion.
    if (!pending.empty() && want < static_cast<int>(std::max<std::size_t>(1, capacity / 4))) want = 0;
    if (circuit == CircuitBreaker::State::HalfOpen) want = breaker.allow(now) ? 1 : 0;
    if (redis && !stopping && want > 0 && steady_ms() >= rate_wait_until) {
      store::JobStore jobs(*redis, ctx_.cfg.redis.prefix);
      std::int64_t wait_ms = 0;
      // Outcomes waiting to be written go in the same round trip as the take, and the
      // requests in flight are driven while Redis runs them.
      std::vector<store::Outcome> writing = std::move(outcomes);
      std::vector<std::string> releasing = std::move(releases);
      outcomes.clear();
      releases.clear();
      auto sent = jobs.begin_record_and_take(name, writing, releasing, provider_.reports_by_provider_id(), want, lease_ms,
                                             ctx_.instance, cfg_.rate_per_second, cfg_.burst, bulk_allowed);
      if (sent && !pending.empty()) drive(0);
      std::expected<std::vector<store::Outbound>, std::string> batch =
          sent ? jobs.end_record_and_take(wait_ms) : std::unexpected(sent.error());
      if (!batch) {
        // Keep them for the next write: the provider already has these messages.
        outcomes.insert(outcomes.begin(), std::make_move_iterator(writing.begin()), std::make_move_iterator(writing.end()));
        releases.insert(releases.begin(), std::make_move_iterator(releasing.begin()), std::make_move_iterator(releasing.end()));
        spdlog::error("dispatcher {}: {}", name, batch.error());
        redis.reset();
      } else {
        if (outcomes.empty()) outcomes_since = -1;
        took = batch->size();
        if (circuit == CircuitBreaker::State::HalfOpen && took == 0) breaker.probe_unused();
        if (wait_ms > 0) {
          rate_wait_until = steady_ms() + wait_ms;
          metrics().limiter_wait(name, static_cast<double>(wait_ms) / 1000.0);
        }
        for (const auto& o : *batch) ++lease_open[o.lease];
        for (auto& o : *batch) {
          if (circuit == CircuitBreaker::State::Open) {
            // Out of rotation: hand the message to the next provider of its route without
            // trying (not an attempt), or keep it here until the circuit half-opens.
            auto route = split_route(o.route);
            auto it = std::find(route.begin(), route.end(), name);
            std::string next = (it == route.end() || std::next(it) == route.end()) ? route.front() : *std::next(it);
            std::int64_t delay = next == name ? breaker.open_remaining(now) : 0;
            outcome_for(o, {o.ref, "reroute", "", "provider " + name + " out of rotation (failing)", delay, next});
            continue;
          }
          providers::Message m = to_message(o);
          spdlog::debug("{}: sending {} to {}: {}", name, o.ref, o.phone, m.text);
          if (auto local = provider_.send_local(m)) {
            settle(o, *local);
            continue;
          }
          auto req = provider_.build_request(m);
          if (!req) {
            settle(o, std::unexpected(req.error()));
            continue;
          }
          multi.add(next_tag, *req, cfg_.timeout_ms);
          pending.emplace(next_tag++, InFlight{std::move(o), std::move(m), std::chrono::steady_clock::now()});
        }
      }
    }
    if (!pending.empty()) drive(pending.size() >= capacity || stopping ? 50 : (took > 0 ? 0 : 5));
    // Outcomes are written in batches: when enough have gathered, when nothing else is in
    // flight, or when the oldest has waited 5 ms.
    if (!outcomes.empty() && outcomes_since < 0) outcomes_since = steady_ms();
    bool flush = outcomes.size() >= 64 || pending.empty() || stopping || steady_ms() - outcomes_since >= 5;
    if (!outcomes.empty() && redis && flush) {
      store::JobStore jobs(*redis, ctx_.cfg.redis.prefix);
      if (auto ok = jobs.record(name, outcomes, releases, provider_.reports_by_provider_id()); ok) {
        outcomes.clear();
        releases.clear();
        outcomes_since = -1;
      } else {
        // Keep the outcomes and try again: the provider already has these messages.
        spdlog::error("dispatcher {}: recording {} outcome(s): {}", name, outcomes.size(), ok.error());
        redis.reset();
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
      }
    }
    if (took == 0 && pending.empty() && outcomes.empty() && !stopping) {
      std::int64_t rest = rate_wait_until - steady_ms();
      ctx_.work.wait(static_cast<int>(std::clamp<std::int64_t>(rest, 1, 50)));
    }
  }
}

}  // namespace loa::daemon
