// Metrics exposition.
#include "daemon/metrics.h"

#include <fmt/format.h>

#include <array>

#include "core/store/dispatch_store.h"
#include "core/store/query_store.h"

namespace loa::daemon {

namespace {

void family(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

}  // namespace

Metrics& metrics() {
  static Metrics m;
  return m;
}

void Metrics::know(const std::vector<std::string>& providers) {
  std::lock_guard lock(mu_);
  for (const auto& p : providers) {
    for (auto s : kMessageStates) messages_.try_emplace({p, jobs::name(s)}, 0);
    for (auto o : store::kSendOutcomeNames) outcomes_.try_emplace({p, o}, 0);
    for (auto e : store::kReportEffectNames) dlr_.try_emplace({p, e}, 0);
    latency_.try_emplace(p);
    waits_.try_emplace(p, 0.0);
    connections_.try_emplace(p, 0);
    paused_.try_emplace(p, 0);
    for (std::string_view kind : {"full", "resumed"}) handshakes_.try_emplace({p, kind}, 0);
  }
  for (auto r : kDropReasons) webhook_dropped_.try_emplace(std::string(r), 0);
}

void Metrics::dlr(const std::string& provider, store::ReportEffect effect, std::optional<jobs::MessageState> state,
                  long n) {
  std::lock_guard lock(mu_);
  dlr_[{provider, store::name(effect)}] += static_cast<unsigned long long>(n);
  if (effect == store::ReportEffect::applied && state) messages_[{provider, jobs::name(*state)}] += n;
}

void Metrics::webhook_dropped(const std::string& reason) {
  std::lock_guard lock(mu_);
  ++webhook_dropped_[reason];
}

void Metrics::token_refused(bool slowed) {
  std::lock_guard lock(mu_);
  ++(slowed ? tokens_slowed_ : tokens_refused_);
}

void Metrics::request(const std::string& provider, double seconds) {
  std::lock_guard lock(mu_);
  auto& h = latency_[provider];
  for (size_t i = 0; i < kBuckets.size(); ++i)
    if (seconds <= kBuckets[i]) ++h.buckets[i];
  ++h.count;
  h.sum += seconds;
}

void Metrics::outcome(const std::string& provider, store::SendOutcome outcome) {
  std::lock_guard lock(mu_);
  ++outcomes_[{provider, store::name(outcome)}];
  using store::SendOutcome;
  switch (outcome) {
    case SendOutcome::sent: ++messages_[{provider, jobs::name(jobs::MessageState::sent)}]; break;
    case SendOutcome::delivered: ++messages_[{provider, jobs::name(jobs::MessageState::delivered)}]; break;
    case SendOutcome::failed: ++messages_[{provider, jobs::name(jobs::MessageState::failed)}]; break;
    case SendOutcome::unknown: ++messages_[{provider, jobs::name(jobs::MessageState::unknown)}]; break;
    case SendOutcome::retry:
    case SendOutcome::reroute: break;  // the message waits: no state reached
  }
}

void Metrics::limiter_wait(const std::string& provider, double seconds) {
  std::lock_guard lock(mu_);
  waits_[provider] += seconds;
}

void Metrics::paused(const std::string& provider, bool paused) {
  std::lock_guard lock(mu_);
  paused_[provider] = paused ? 1 : 0;
}

void Metrics::connections(const std::string& provider, std::uint64_t opened, std::uint64_t tls_full,
                          std::uint64_t tls_resumed) {
  std::lock_guard lock(mu_);
  connections_[provider] += opened;
  handshakes_[{provider, "full"}] += tls_full;
  handshakes_[{provider, "resumed"}] += tls_resumed;
}

std::string Metrics::render() const {
  std::lock_guard lock(mu_);
  std::string out;
  family(out, "loa_messages_total", "counter",
         "Messages this instance brought to a state at a provider: sent, delivered, failed or unknown by the "
         "provider's answer, delivered or failed by its report.");
  for (const auto& [k, v] : messages_)
    out += fmt::format("loa_messages_total{{provider=\"{}\",state=\"{}\"}} {}\n", k.first, k.second, v);
  family(out, "loa_send_outcomes_total", "counter", "Send attempts by provider and outcome (this instance).");
  for (const auto& [k, v] : outcomes_)
    out += fmt::format("loa_send_outcomes_total{{provider=\"{}\",outcome=\"{}\"}} {}\n", k.first, k.second, v);
  family(out, "loa_dlr_total", "counter",
         "Delivery reports by provider and what they did: applied, duplicate, unknown (no such message), foreign "
         "(a message another provider had) (this instance).");
  for (const auto& [k, v] : dlr_)
    out += fmt::format("loa_dlr_total{{provider=\"{}\",outcome=\"{}\"}} {}\n", k.first, k.second, v);
  family(out, "loa_webhook_dropped_total", "counter",
         "Webhook requests refused early and connections dropped, by reason (this instance).");
  for (const auto& [k, v] : webhook_dropped_) out += fmt::format("loa_webhook_dropped_total{{reason=\"{}\"}} {}\n", k, v);
  family(out, "loa_api_token_failures_total", "counter",
         "API requests refused for their token: unknown or revoked (refused), or from an address that failed too "
         "often, answered 429 without looking (slowed) (this instance).");
  out += fmt::format("loa_api_token_failures_total{{outcome=\"refused\"}} {}\n", tokens_refused_);
  out += fmt::format("loa_api_token_failures_total{{outcome=\"slowed\"}} {}\n", tokens_slowed_);
  family(out, "loa_rate_limit_wait_seconds_total", "counter", "Time sends waited for the rate limiter (this instance).");
  for (const auto& [k, v] : waits_)
    out += fmt::format("loa_rate_limit_wait_seconds_total{{provider=\"{}\"}} {:.3f}\n", k, v);
  family(out, "loa_provider_paused", "gauge",
         "1 while this instance has paused a provider that refuses the account (credentials, balance, IP, "
         "brandname): its messages fail over or wait.");
  for (const auto& [k, v] : paused_) out += fmt::format("loa_provider_paused{{provider=\"{}\"}} {}\n", k, v);
  family(out, "loa_provider_connections_total", "counter", "Connections opened to a provider (this instance).");
  for (const auto& [k, v] : connections_) out += fmt::format("loa_provider_connections_total{{provider=\"{}\"}} {}\n", k, v);
  family(out, "loa_provider_tls_handshakes_total", "counter",
         "TLS handshakes with a provider, full or resuming an earlier session (this instance).");
  for (const auto& [k, v] : handshakes_)
    out += fmt::format("loa_provider_tls_handshakes_total{{provider=\"{}\",kind=\"{}\"}} {}\n", k.first, k.second, v);
  family(out, "loa_provider_request_seconds", "histogram", "Provider request latency (this instance).");
  for (const auto& [p, h] : latency_) {
    for (size_t i = 0; i < kBuckets.size(); ++i)
      out += fmt::format("loa_provider_request_seconds_bucket{{provider=\"{}\",le=\"{}\"}} {}\n", p, kBuckets[i], h.buckets[i]);
    out += fmt::format("loa_provider_request_seconds_bucket{{provider=\"{}\",le=\"+Inf\"}} {}\n", p, h.count);
    out += fmt::format("loa_provider_request_seconds_sum{{provider=\"{}\"}} {:.6f}\n", p, h.sum);
    out += fmt::format("loa_provider_request_seconds_count{{provider=\"{}\"}} {}\n", p, h.count);
  }
  return out;
}

std::expected<std::string, std::string> render_metrics(const Context& ctx, store::Redis& redis) {
  auto counts = store::QueryStore(redis, ctx.fixed.redis_prefix).job_counts();
  if (!counts) return std::unexpected(counts.error());
  std::string out;
  family(out, "loa_jobs", "gauge", "Jobs in each state, the whole cluster's (jobs no gateway has taken yet are not counted).");
  for (std::size_t i = 0; i < counts->size(); ++i)
    if (jobs::kJobStates[i] != jobs::JobState::submitted)
      out += fmt::format("loa_jobs{{state=\"{}\"}} {}\n", jobs::kJobStateNames[i], (*counts)[i]);
  store::DispatchStore jobs(redis, ctx.fixed.redis_prefix);
  family(out, "loa_queue_waiting", "gauge", "Messages queued for each provider, the whole cluster's.");
  for (const auto& p : ctx.runtime()->cfg.providers) {
    auto n = jobs.ready_depth(p.name);
    if (!n) return std::unexpected(n.error());
    out += fmt::format("loa_queue_waiting{{provider=\"{}\"}} {}\n", p.name, *n);
  }
  family(out, "loa_queue_depth", "gauge",
         "Work waiting in Redis: jobs scheduled, messages retrying later, messages in flight.");
  const auto& k = jobs.keys();
  for (const auto& [queue, key] : {std::pair{"scheduled", k.due()}, std::pair{"retrying", k.retry()},
                                   std::pair{"in_flight", k.inflight()}}) {
    auto n = redis.command({"ZCARD", key});
    if (!n) return std::unexpected(n.error());
    out += fmt::format("loa_queue_depth{{queue=\"{}\"}} {}\n", queue, n->as_int());
  }
  return out + metrics().render();
}

}  // namespace loa::daemon
