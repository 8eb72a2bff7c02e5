// Dispatch loop.
#include "daemon/dispatcher.h"
#include "core/util/strings.h"

#include <poll.h>

#include <algorithm>
#include <deque>
#include <unordered_map>

#include <spdlog/spdlog.h>

#include "core/phone/phone.h"
#include "core/store/dispatch_store.h"
#include "core/store/control_store.h"
#include "core/store/query_store.h"
#include "core/store/redis_holder.h"
#include "core/util/log.h"
#include "core/util/time.h"
#include "daemon/circuit_breaker.h"
#include "daemon/metrics.h"
#include "daemon/retry_policy.h"
#include "daemon/take_plan.h"
#include "providers/transport/transport.h"

namespace loa::daemon {

void Dispatcher::start() { thread_ = std::thread([this] { run(); }); }

void Dispatcher::join() {
  if (thread_.joinable()) thread_.join();
}

namespace {

// Takes the text from `o` (it is not needed again there).
providers::Message to_message(store::Outbound& o) {
  providers::Message m;
  m.ref = o.ref;
  // The number as the planner stored it (national form); its other forms from core/phone.
  auto number = phone::forms(o.phone);
  m.to_local = std::move(number.local);
  m.to_digits = std::move(number.digits);
  m.to_e164 = std::move(number.e164);
  m.text = std::move(o.text);
  m.unicode = o.unicode;
  m.attempt = o.attempts;
  m.round = o.round;
  return m;
}

// Waits until `fd` is readable or `ms` pass.
void wait_readable(int fd, int ms) {
  pollfd p{fd, POLLIN, 0};
  ::poll(&p, 1, ms);
}

// The providers of a message's route, in failover order.
std::vector<std::string> split_route(const std::string& s) {
  std::vector<std::string> out;
  for (auto p : util::split(s, ",")) out.emplace_back(p);
  return out;
}

}  // namespace

// One dispatcher thread's loop: what it has taken, what is in flight, what waits to be
// written, and its round trip to Redis.
class Dispatcher::Loop {
 public:
  explicit Loop(Dispatcher& d)
      : d_(d),
        name_(d.provider_.name()),
        capacity_(static_cast<std::size_t>(std::max(1, d.cfg_.max_in_flight / d.workers_))),
        // A request may wait in the transport for about one timeout when its window narrows
        // (a provider slow to take connections), then run for one: the lease outlives both.
        lease_ms_(2 * static_cast<std::int64_t>(d.cfg_.timeout_ms) + 20000),
        holder_(d.ctx_.redis_url, "dispatcher " + name_) {}

  // One turn: start what was taken, ask Redis for more (with the outcomes so far) when
  // there is room, drive the open requests until something happens, take in Redis's
  // answer; sleep when there is nothing to do.
  void run() {
    for (;;) {
      const bool stopping = d_.ctx_.stopping || d_.stop_;
      if (stopping && pending_.empty() && ready_.empty() && outcomes_.empty() && releases_.empty() && !asking_) break;
      if (!redis_ && !connect() && pending_.empty()) {
        d_.ctx_.work.wait(static_cast<int>(std::clamp<std::int64_t>(holder_.retry_in_ms(), 10, 200)));
        continue;
      }
      const std::int64_t now = util::now_ms();
      update_quiet_hours(now);
      start_ready(stopping);
      const std::int64_t steady = util::steady_ms();
      // The provider's announced rate-limit reset (hold_provider) holds taking too.
      rate_wait_until_ = std::max(rate_wait_until_, d_.pause_->hold_until.load());
      if (redis_ && !asking_) ask(stopping, now, steady);
      if (!pending_.empty() || asking_) {
        drive(wait_ms(steady));
      } else if (ready_.empty() && outcomes_.empty() && !stopping) {
        // Idle: until new work is signalled (this process), or a while passes (other
        // gateways' work, due retries), or the rate limit allows more; then look again.
        const std::int64_t until = std::max(rate_wait_until_, dry_until_);
        d_.ctx_.work.wait(static_cast<int>(until > steady ? std::min<std::int64_t>(until - steady, 50) : 50));
        dry_until_ = 0;
      }
      if (asking_ && redis_) take_answer();
    }
  }

 private:
  struct InFlight {
    store::Outbound message;
    providers::Message sent;
    std::chrono::steady_clock::time_point started;
  };
  using Result = std::expected<providers::Accepted, providers::ProviderError>;

  bool connect() {
    redis_ = holder_.get();
    return redis_ != nullptr;
  }

  void update_quiet_hours(std::int64_t now) {
    const auto& cfg = d_.rt_->cfg;
    if (!cfg.quiet_hours || now / 1000 == quiet_checked_) return;
    quiet_checked_ = now / 1000;
    bulk_allowed_ = !util::in_window(util::minute_of_day(now, cfg.timezone), cfg.quiet_hours->start_minute,
                                     cfg.quiet_hours->end_minute);
  }

  void outcome_for(const store::Outbound& o, store::Outcome outcome) {
    if (outcome.outcome != store::SendOutcome::reroute) metrics().outcome(name_, outcome.outcome);  // not an attempt
    outcomes_.push_back(std::move(outcome));
    if (outcomes_since_ < 0) outcomes_since_ = util::steady_ms();
    // A lease is released once each of its messages has an outcome waiting to be written.
    auto it = lease_open_.find(o.lease);
    if (it != lease_open_.end() && --it->second == 0) {
      releases_.push_back(o.lease);
      lease_open_.erase(it);
    }
  }

  // The provider refuses the account, not the message: nothing was sent. Out of rotation
  // for kAccountPauseMs (then one probe), said once per pause in the log, /metrics and
  // Redis (`loa status` shows it); this message and the ones after it go to the next
  // provider of their route, or wait for the pause to end (not counted as attempts).
  void pause_provider(const store::Outbound& o, const providers::ProviderError& e) {
    const auto now = util::now_ms();
    breaker_.pause(now, kAccountPauseMs);
    std::int64_t until = d_.pause_->until.load();
    if (until <= now && d_.pause_->until.compare_exchange_strong(until, now + kAccountPauseMs)) {
      // The first of this provider's threads to meet the refusal says it.
      d_.pause_->said = true;
      spdlog::error("{}: the provider refuses the account ({}): paused for {} min; messages go to the next provider of "
                    "their route or wait",
                    name_, util::loggable(e.reason, 200), kAccountPauseMs / 60000);
      metrics().paused(name_, true);
      store::RedisHolder once(d_.ctx_.redis_url, "pause " + name_);
      if (store::Redis* r = once.get())
        if (auto set = store::ControlStore(*r, d_.ctx_.fixed.redis_prefix).pause(name_, e.reason, kAccountPauseMs); !set)
          spdlog::warn("{}: could not record the pause in Redis: {}", name_, set.error());
    }
    // A message this provider may have taken already stays with it (pinned).
    auto route = split_route(o.route);
    const std::string next = route.empty() || o.pinned ? name_ : next_provider(route, name_);
    outcome_for(o, {o.ref, store::SendOutcome::reroute, "", "provider " + name_ + " paused: " + e.reason,
                    next == name_ ? kAccountPauseMs : 0, next});
  }

  // A 429 that says how long to wait speaks for the account, not the message: no thread
  // of this provider makes a request until then (each message waits in its lane).
  void hold_provider(const providers::ProviderError& e) {
    if (e.kind != providers::ErrorKind::RateLimited || !e.retry_after_ms || *e.retry_after_ms <= 0) return;
    const std::int64_t until = util::steady_ms() + *e.retry_after_ms;
    std::int64_t before = d_.pause_->hold_until.load();
    while (before < until && !d_.pause_->hold_until.compare_exchange_weak(before, until)) {
    }
    if (before < util::steady_ms())
      spdlog::warn("{}: the provider's rate limit asks to wait {} ms: no requests to it until then", name_,
                   *e.retry_after_ms);
  }

  void settle(const store::Outbound& o, Result r) {
    // A provider's text often quotes the destination: masked before it is logged or
    // stored (the report's reason column, loa status).
    if (!r) r.error().reason = util::mask_numbers(r.error().reason);
    if (!r && r.error().kind == providers::ErrorKind::Account) {
      pause_provider(o, r.error());
      return;
    }
    if (d_.pause_->said.exchange(false)) {  // any other answer: the account is served again
      metrics().paused(name_, false);
      spdlog::info("{}: the provider answers again: no longer paused", name_);
    }
    // Any answer from the provider, even a refusal, shows it is up; only failures to reach
    // it (or 5xx) count against the circuit.
    if (!r && (r.error().kind == providers::ErrorKind::Transient || r.error().kind == providers::ErrorKind::Ambiguous)) {
      const auto now = util::now_ms();
      const bool was_open = breaker_.state(now) == CircuitBreaker::State::Open;
      breaker_.failure(now);
      if (!was_open && breaker_.state(now) == CircuitBreaker::State::Open)
        spdlog::warn("{}: failing ({}): circuit open for {} s, then one probe", name_, util::loggable(r.error().reason, 120),
                     kBreakerOpenMs / 1000);
    } else {
      breaker_.success();
    }
    if (r) {
      outcome_for(o, {o.ref, r->delivered ? store::SendOutcome::delivered : store::SendOutcome::sent, r->provider_id});
      return;
    }
    hold_provider(r.error());
    auto d = decide(d_.rt_->cfg.retry, r.error(), o.attempts, name_, split_route(o.route), d_.provider_.idempotent(), rng_,
                    o.pinned);
    spdlog::warn("{}: message {} to {} attempt {}: {}{}", name_, o.ref, util::mask_phone(o.phone), o.attempts,
                 util::loggable(r.error().reason, 300),
                 d.retry ? fmt::format(" (retry in {} ms via {})", d.delay_ms, d.provider) : fmt::format(" ({})", jobs::name(d.final_state)));
    if (d.retry) {
      // Retried after an attempt that may have been taken: held with this provider for good.
      const bool pin = o.pinned || r.error().kind == providers::ErrorKind::Ambiguous;
      outcome_for(o, {o.ref, store::SendOutcome::retry, "", r.error().reason, d.delay_ms, d.provider, pin});
    } else {
      auto final_outcome = d.final_state == jobs::MessageState::unknown ? store::SendOutcome::unknown : store::SendOutcome::failed;
      outcome_for(o, {o.ref, final_outcome, "", r.error().reason});
    }
  }

  // Starts requests for taken messages while there is room. Out of rotation (circuit
  // open), a message goes to the next provider of its route without trying (not an
  // attempt), or back to this one when the circuit half-opens; a pinned one (this
  // provider may have taken it already) always back to this one. Half-open, one probe
  // goes and the rest wait for its answer. While the provider's rate limit holds it, and
  // when stopping, messages not started go back to their lane.
  void start_ready(bool stopping) {
    const std::int64_t now = util::now_ms();
    const std::int64_t held = d_.pause_->hold_until.load() - util::steady_ms();
    // Another thread of this provider met an account refusal: this one pauses too.
    if (const auto until = d_.pause_->until.load(); until > now && breaker_.state(now) != CircuitBreaker::State::Open)
      breaker_.pause(now, until - now);
    while (!ready_.empty() && (stopping || pending_.size() < room())) {
      store::Outbound& o = ready_.front();
      const auto circuit = breaker_.state(now);
      if (stopping) {
        outcome_for(o, {o.ref, store::SendOutcome::reroute, "", "gateway stopping before the request was made", 0, name_});
      } else if (held > 0) {
        outcome_for(o, {o.ref, store::SendOutcome::reroute, "", "provider " + name_ + " asked to wait (rate limit)", held, name_});
      } else if (circuit == CircuitBreaker::State::Open) {
        auto route = split_route(o.route);
        std::string next = route.empty() || o.pinned ? name_ : next_provider(route, name_);
        std::int64_t delay = next == name_ ? breaker_.open_remaining(now) : 0;
        outcome_for(o, {o.ref, store::SendOutcome::reroute, "", "provider " + name_ + " out of rotation (failing)", delay, next});
      } else if (circuit == CircuitBreaker::State::HalfOpen && !breaker_.allow(now)) {
        break;
      } else {
        start(o);
      }
      ready_.pop_front();
    }
  }

  // What may be out now: the share of max_in_flight, or less while the transport ramps up
  // its connections (kFirstWindow before it exists), so that messages are not taken from
  // Redis, under a lease, faster than they can go.
  std::size_t room() const { return std::min(capacity_, http_ ? http_->window() : transport::kFirstWindow); }

  void start(store::Outbound& o) {
    providers::Message m = to_message(o);
    spdlog::debug("{}: sending {} to {}: {}", name_, o.ref, o.phone, m.text);
    if (auto local = d_.provider_.send_local(m)) {
      settle(o, *local);
    } else if (auto req = d_.provider_.build_request(m); !req) {
      settle(o, std::unexpected(req.error()));
    } else {
      if (!http_) http_ = d_.transports_({req->url, static_cast<int>(capacity_), d_.cfg_.ca_file});
      http_->add(next_tag_, *req, d_.cfg_.timeout_ms);
      pending_.emplace(next_tag_++, InFlight{std::move(o), std::move(m), std::chrono::steady_clock::now()});
    }
  }

  // Sends the round trip the plan asks for (outcomes so far, then take); its answer is
  // taken in by take_answer() while the open requests go on.
  void ask(bool stopping, std::int64_t now, std::int64_t steady) {
    const TakePlan plan = plan_take({.capacity = room(),
                                     .open = pending_.size(),
                                     .ready = ready_.size(),
                                     .outcomes = outcomes_.size(),
                                     .oldest_wait_ms = outcomes_since_ < 0 ? 0 : steady - outcomes_since_,
                                     .stopping = stopping,
                                     .rate_limited = steady < rate_wait_until_,
                                     .dry = steady < dry_until_,
                                     .half_open = breaker_.state(now) == CircuitBreaker::State::HalfOpen,
                                     .paced = d_.cfg_.rate_per_second > 0});
    if (!plan.ask()) return;
    writing_ = {.provider = name_,
                .outcomes = std::move(outcomes_),
                .releases = std::move(releases_),
                .map_ids = d_.provider_.reports_by_provider_id()};
    outcomes_.clear();
    releases_.clear();
    outcomes_since_ = -1;
    store::DispatchStore jobs(*redis_, d_.ctx_.fixed.redis_prefix);
    auto sent = jobs.begin_record_and_take(writing_, {.provider = name_,
                                                      .max = plan.take,
                                                      .lease_ms = lease_ms_,
                                                      .instance = d_.ctx_.instance,
                                                      .rate = d_.cfg_.rate_per_second,
                                                      .burst = d_.cfg_.burst,
                                                      .bulk_allowed = bulk_allowed_});
    asking_ = true;
    asked_ = plan.take;
    asked_at_ = steady;
    if (!sent) round_trip_failed(sent.error());
  }

  // How long to drive the open requests: until one finishes or Redis answers; outcomes
  // waiting to be written and the rate limit bound the wait.
  int wait_ms(std::int64_t steady) const {
    std::int64_t wait = 50;
    if (!asking_ && outcomes_since_ >= 0) wait = std::min<std::int64_t>(wait, outcomes_since_ + 5 - steady);
    if (!asking_ && rate_wait_until_ > steady) wait = std::min(wait, rate_wait_until_ - steady);
    if (!asking_ && dry_until_ > steady) wait = std::min(wait, dry_until_ - steady);
    return static_cast<int>(std::max<std::int64_t>(wait, 0));
  }

  // Drives the open requests for up to `wait` ms (less when Redis answers) and settles
  // those that finished.
  void drive(int wait) {
    const int redis_fd = asking_ && redis_ ? redis_->fd() : -1;
    if (!http_) {  // nothing sent yet: wait on Redis alone
      if (redis_fd >= 0) wait_readable(redis_fd, wait);
      return;
    }
    for (auto& [tag, response] : http_->poll(wait, redis_fd)) {
      auto it = pending_.find(tag);
      if (it == pending_.end()) continue;
      std::chrono::duration<double> took_s = std::chrono::steady_clock::now() - it->second.started;
      metrics().request(name_, took_s.count());
      settle(it->second.message, d_.provider_.parse_response(it->second.sent, response));
      pending_.erase(it);
    }
    const auto now = http_->counts();
    if (now.connections != counted_.connections || now.tls_full != counted_.tls_full ||
        now.tls_resumed != counted_.tls_resumed) {
      metrics().connections(name_, now.connections - counted_.connections, now.tls_full - counted_.tls_full,
                            now.tls_resumed - counted_.tls_resumed);
      counted_ = now;
    }
  }

  void take_answer() {
    auto arrived = redis_->evals_arrived();
    if (!arrived) {
      round_trip_failed(arrived.error());
      return;
    }
    if (!*arrived) {
      // As a blocking read would: drop the connection; what the scripts did stands
      // (recording again is a no-op, messages taken meanwhile fall to their lease).
      if (util::steady_ms() - asked_at_ > store::RedisHolder::kTimeoutMs)
        round_trip_failed(fmt::format("Redis at {}: no answer in {} ms", redis_->shown_url(), store::RedisHolder::kTimeoutMs));
      return;
    }
    store::DispatchStore jobs(*redis_, d_.ctx_.fixed.redis_prefix);
    auto taken = jobs.end_record_and_take();
    if (!taken) {
      round_trip_failed(taken.error());
      return;
    }
    asking_ = false;
    writing_ = {};
    const std::int64_t wait_ms = taken->wait_ms;
    auto& batch = taken->messages;
    if (wait_ms > 0) {
      rate_wait_until_ = util::steady_ms() + wait_ms;
      metrics().limiter_wait(name_, static_cast<double>(wait_ms) / 1000.0);
    }
    // Nothing to take: look again after a while (sooner while requests finish).
    if (asked_ > 0 && batch.empty() && wait_ms == 0)
      dry_until_ = util::steady_ms() + (pending_.empty() && ready_.empty() ? 50 : 5);
    for (auto& o : batch) {
      ++lease_open_[o.lease];
      ready_.push_back(std::move(o));
    }
  }

  // A round trip that failed: its outcomes are written with the next one (the provider
  // already has these messages), on a new connection.
  void round_trip_failed(const std::string& error) {
    auto& w = writing_;
    outcomes_.insert(outcomes_.begin(), std::make_move_iterator(w.outcomes.begin()), std::make_move_iterator(w.outcomes.end()));
    releases_.insert(releases_.begin(), std::make_move_iterator(w.releases.begin()), std::make_move_iterator(w.releases.end()));
    writing_ = {};
    if (!outcomes_.empty()) outcomes_since_ = util::steady_ms();
    asking_ = false;
    redis_ = nullptr;
    holder_.drop(error);
  }

  Dispatcher& d_;
  const std::string& name_;
  const std::size_t capacity_;
  std::unique_ptr<transport::HttpTransport> http_;  ///< chosen by the first request's URL
  transport::TransportCounts counted_;  ///< http_'s counts already added to metrics()
  const std::int64_t lease_ms_;  ///< a live sender never outlives its lease
  store::RedisHolder holder_;
  store::Redis* redis_ = nullptr;  ///< holder_'s connection, while it works
  CircuitBreaker breaker_{kBreakerThreshold, kBreakerOpenMs};
  std::mt19937_64 rng_{std::random_device{}()};
  std::unordered_map<std::uint64_t, InFlight> pending_;
  std::uint64_t next_tag_ = 1;
  std::deque<store::Outbound> ready_;  ///< taken (sending, under a lease), request not started yet
  std::vector<store::Outcome> outcomes_;
  std::int64_t outcomes_since_ = -1;  ///< steady ms when the oldest unwritten outcome came
  std::unordered_map<std::string, int> lease_open_;  ///< lease -> its messages still without an outcome
  std::vector<std::string> releases_;
  std::int64_t rate_wait_until_ = 0;  ///< steady ms: the shared rate limit allows nothing before
  std::int64_t dry_until_ = 0;        ///< steady ms: the last take found nothing; ask again after
  std::int64_t quiet_checked_ = -1;
  bool bulk_allowed_ = true;
  // The round trip out (record, then take): what it writes, in case it fails.
  bool asking_ = false;
  std::int64_t asked_at_ = 0;  ///< steady ms
  int asked_ = 0;
  store::RecordRequest writing_;
};

void Dispatcher::run() { Loop(*this).run(); }

}  // namespace loa::daemon
