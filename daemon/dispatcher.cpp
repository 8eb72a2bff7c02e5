// Dispatch loop.
#include "daemon/dispatcher.h"

#include <algorithm>
#include <deque>
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
  // Messages are taken ahead of the free slots (up to the capacity again), so the next
  // ones are at hand when a request finishes: a Redis round trip is never a pause in the
  // provider's work, and the dispatcher drives its requests while Redis runs the scripts.
  const std::size_t target = 2 * capacity;
  const std::size_t refill = std::max<std::size_t>(1, capacity / 4);  // take in batches of at least this
  providers::CurlMulti multi(static_cast<int>(capacity));
  CircuitBreaker breaker(kBreakerThreshold, kBreakerOpenMs);
  std::int64_t outcomes_since = -1;  // steady ms when the oldest unrecorded outcome came
  std::int64_t rate_wait_until = 0;  // steady ms: the shared rate limit allows nothing before
  std::int64_t dry_until = 0;        // steady ms: the last take found nothing; ask again after
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
  std::deque<store::Outbound> ready;  // taken (sending, under a lease), request not started yet
  std::vector<store::Outcome> outcomes;
  // Leases are released once each of their messages has an outcome waiting to be written.
  std::unordered_map<std::string, int> lease_open;
  std::vector<std::string> releases;
  // The round trip out (record, then take): what it writes, in case it fails.
  bool asking = false;
  std::int64_t asked_at = 0;  // steady ms
  std::vector<store::Outcome> writing;
  std::vector<std::string> releasing;
  int asked = 0;
  std::uint64_t next_tag = 1;
  const std::int64_t lease_ms = cfg_.timeout_ms + 20000;  // a live sender never outlives its lease

  auto outcome_for = [&](const store::Outbound& o, store::Outcome outcome) {
    if (outcome.outcome != "reroute") metrics().outcome(name, outcome.outcome);  // not an attempt
    outcomes.push_back(std::move(outcome));
    if (outcomes_since < 0) outcomes_since = steady_ms();
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

  // Starts requests for taken messages while there is room. Out of rotation (circuit
  // open), a message goes to the next provider of its route without trying (not an
  // attempt), or back to this one when the circuit half-opens; half-open, one probe goes
  // and the rest wait for its answer. When stopping, messages not started go back to
  // their lane.
  auto start_ready = [&](bool stopping) {
    const std::int64_t now = util::now_ms();
    while (!ready.empty() && (stopping || pending.size() < capacity)) {
      store::Outbound& o = ready.front();
      const auto circuit = breaker.state(now);
      if (stopping) {
        outcome_for(o, {o.ref, "reroute", "", "gateway stopping before the request was made", 0, name});
      } else if (circuit == CircuitBreaker::State::Open) {
        auto route = split_route(o.route);
        auto it = std::find(route.begin(), route.end(), name);
        std::string next = (it == route.end() || std::next(it) == route.end()) ? route.front() : *std::next(it);
        std::int64_t delay = next == name ? breaker.open_remaining(now) : 0;
        outcome_for(o, {o.ref, "reroute", "", "provider " + name + " out of rotation (failing)", delay, next});
      } else if (circuit == CircuitBreaker::State::HalfOpen && !breaker.allow(now)) {
        break;
      } else {
        providers::Message m = to_message(o);
        spdlog::debug("{}: sending {} to {}: {}", name, o.ref, o.phone, m.text);
        if (auto local = provider_.send_local(m)) {
          settle(o, *local);
        } else if (auto req = provider_.build_request(m); !req) {
          settle(o, std::unexpected(req.error()));
        } else {
          multi.add(next_tag, *req, cfg_.timeout_ms);
          pending.emplace(next_tag++, InFlight{std::move(o), std::move(m), std::chrono::steady_clock::now()});
        }
      }
      ready.pop_front();
    }
  };

  // Drives the open requests for up to `wait` ms (less when Redis answers) and settles
  // those that finished.
  auto drive = [&](int wait) {
    for (auto& [tag, response] : multi.poll(wait, asking && redis ? redis->fd() : -1)) {
      auto it = pending.find(tag);
      if (it == pending.end()) continue;
      std::chrono::duration<double> took_s = std::chrono::steady_clock::now() - it->second.started;
      metrics().request(name, took_s.count());
      settle(it->second.message, provider_.parse_response(it->second.sent, response));
      pending.erase(it);
    }
  };

  // A round trip that failed: its outcomes are written with the next one (the provider
  // already has these messages), on a new connection.
  auto round_trip_failed = [&](const std::string& error) {
    outcomes.insert(outcomes.begin(), std::make_move_iterator(writing.begin()), std::make_move_iterator(writing.end()));
    releases.insert(releases.begin(), std::make_move_iterator(releasing.begin()), std::make_move_iterator(releasing.end()));
    writing.clear();
    releasing.clear();
    if (!outcomes.empty()) outcomes_since = steady_ms();
    asking = false;
    spdlog::error("dispatcher {}: {}", name, error);
    redis.reset();
  };

  // One turn: start what was taken, ask Redis for more (with the outcomes so far) when
  // there is room, drive the open requests until something happens, take in Redis's
  // answer; sleep when there is nothing to do.
  for (;;) {
    const bool stopping = ctx_.stopping || stop_;
    if (stopping && pending.empty() && ready.empty() && outcomes.empty() && releases.empty() && !asking) break;
    if (!redis) {
      auto r = store::Redis::connect(ctx_.redis_url, kRedisTimeoutMs);
      if (!r) {
        spdlog::error("dispatcher {}: {}", name, r.error());
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        if (pending.empty()) continue;
      } else {
        redis = std::move(*r);
      }
    }
    const std::int64_t now = util::now_ms();
    if (rt_->cfg.quiet_hours && now / 1000 != quiet_checked) {
      quiet_checked = now / 1000;
      const auto& q = *rt_->cfg.quiet_hours;
      bulk_allowed = !util::in_window(util::minute_of_day(now, rt_->cfg.timezone), q.start_minute, q.end_minute);
    }
    start_ready(stopping);

    const std::int64_t steady = steady_ms();
    if (redis && !asking) {
      const std::size_t have = pending.size() + ready.size();
      int want = have < target ? static_cast<int>(std::min<std::size_t>(target - have, 200)) : 0;
      if (have > 0 && want < static_cast<int>(refill)) want = 0;
      if (stopping || steady < rate_wait_until || steady < dry_until) want = 0;
      if (breaker.state(now) == CircuitBreaker::State::HalfOpen) want = have == 0 ? 1 : 0;  // the probe
      // Outcomes go with the next take, or alone when enough have gathered, when nothing
      // else is in flight, or when the oldest has waited 5 ms.
      const bool flush = !outcomes.empty() && (outcomes.size() >= 64 || pending.empty() || stopping ||
                                               steady - outcomes_since >= 5);
      if (want > 0 || flush) {
        writing = std::move(outcomes);
        releasing = std::move(releases);
        outcomes.clear();
        releases.clear();
        outcomes_since = -1;
        store::JobStore jobs(*redis, ctx_.cfg.redis.prefix);
        auto sent = jobs.begin_record_and_take(name, writing, releasing, provider_.reports_by_provider_id(), want,
                                               lease_ms, ctx_.instance, cfg_.rate_per_second, cfg_.burst, bulk_allowed);
        asking = true;
        asked = want;
        asked_at = steady;
        if (!sent) round_trip_failed(sent.error());
      }
    }

    if (!pending.empty() || asking) {
      // Until a request finishes or Redis answers; outcomes waiting to be written and
      // the rate limit bound the wait.
      std::int64_t wait = 50;
      if (!asking && outcomes_since >= 0) wait = std::min<std::int64_t>(wait, outcomes_since + 5 - steady);
      if (!asking && rate_wait_until > steady) wait = std::min(wait, rate_wait_until - steady);
      if (!asking && dry_until > steady) wait = std::min(wait, dry_until - steady);
      drive(static_cast<int>(std::max<std::int64_t>(wait, 0)));
    } else if (ready.empty() && outcomes.empty() && !stopping) {
      // Idle: until new work is signalled (this process), or a while passes (other
      // gateways' work, due retries), or the rate limit allows more; then look again.
      std::int64_t until = std::max(rate_wait_until, dry_until);
      ctx_.work.wait(static_cast<int>(std::clamp<std::int64_t>(until - steady, 1, 50)));
      dry_until = 0;
    }

    if (asking && redis) {
      auto arrived = redis->evals_arrived();
      if (!arrived) {
        round_trip_failed(arrived.error());
      } else if (!*arrived && steady_ms() - asked_at > kRedisTimeoutMs) {
        // As a blocking read would: drop the connection; what the scripts did stands
        // (recording again is a no-op, messages taken meanwhile fall to their lease).
        round_trip_failed(fmt::format("Redis at {}: no answer in {} ms", redis->url(), kRedisTimeoutMs));
      } else if (*arrived) {
        store::JobStore jobs(*redis, ctx_.cfg.redis.prefix);
        std::int64_t wait_ms = 0;
        auto batch = jobs.end_record_and_take(wait_ms);
        if (!batch) {
          round_trip_failed(batch.error());
        } else {
          asking = false;
          writing.clear();
          releasing.clear();
          if (wait_ms > 0) {
            rate_wait_until = steady_ms() + wait_ms;
            metrics().limiter_wait(name, static_cast<double>(wait_ms) / 1000.0);
          }
          // Nothing to take: look again after a while (sooner while requests finish).
          if (asked > 0 && batch->empty() && wait_ms == 0)
            dry_until = steady_ms() + (pending.empty() && ready.empty() ? 50 : 5);
          for (auto& o : *batch) {
            ++lease_open[o.lease];
            ready.push_back(std::move(o));
          }
        }
      }
    }
  }
}

}  // namespace loa::daemon
