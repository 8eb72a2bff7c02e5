// Metrics exposition.
#include "daemon/metrics.h"

#include <fmt/format.h>

#include <array>

#include "core/store/dispatch_store.h"
#include "core/store/query_store.h"

namespace loa::daemon {

Metrics& metrics() {
  static Metrics m;
  return m;
}

void Metrics::dlr(store::ReportEffect effect) {
  std::lock_guard lock(mu_);
  ++dlr_[store::name(effect)];
}

void Metrics::webhook_dropped(const std::string& reason) {
  std::lock_guard lock(mu_);
  ++webhook_dropped_[reason];
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
}

void Metrics::limiter_wait(const std::string& provider, double seconds) {
  std::lock_guard lock(mu_);
  waits_[provider] += seconds;
}

std::string Metrics::render() const {
  std::lock_guard lock(mu_);
  std::string out;
  out += "# HELP loa_send_outcomes_total Send attempts by provider and outcome (this instance).\n# TYPE loa_send_outcomes_total counter\n";
  for (const auto& [k, v] : outcomes_) out += fmt::format("loa_send_outcomes_total{{provider=\"{}\",outcome=\"{}\"}} {}\n", k.first, k.second, v);
  out += "# HELP loa_dlr_total Delivery reports by outcome (this instance).\n# TYPE loa_dlr_total counter\n";
  for (const auto& [k, v] : dlr_) out += fmt::format("loa_dlr_total{{outcome=\"{}\"}} {}\n", k, v);
  out += "# HELP loa_webhook_dropped_total Webhook requests refused early and connections dropped, by reason "
         "(deadline, evicted, too_large, encoding, headers).\n# TYPE loa_webhook_dropped_total counter\n";
  for (const auto& [k, v] : webhook_dropped_) out += fmt::format("loa_webhook_dropped_total{{reason=\"{}\"}} {}\n", k, v);
  out += "# HELP loa_rate_limit_wait_seconds_total Time sends waited for the rate limiter.\n# TYPE loa_rate_limit_wait_seconds_total counter\n";
  for (const auto& [k, v] : waits_) out += fmt::format("loa_rate_limit_wait_seconds_total{{provider=\"{}\"}} {:.3f}\n", k, v);
  out += "# HELP loa_provider_request_seconds Provider request latency.\n# TYPE loa_provider_request_seconds histogram\n";
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
  auto recent = store::QueryStore(redis, ctx.fixed.redis_prefix).list(1000, "");
  if (!recent) return std::unexpected(recent.error());
  std::array<long long, jobs::kJobStates.size()> by_state{};
  std::array<long long, jobs::kMessageStates.size()> messages{};
  for (const auto& j : *recent) {
    if (j.state) ++by_state[static_cast<std::size_t>(*j.state)];
    for (std::size_t i = 0; i < messages.size(); ++i) messages[i] += j.counts[i];
  }
  std::string out;
  out += "# HELP loa_jobs Jobs by state (the newest 1000).\n# TYPE loa_jobs gauge\n";
  for (std::size_t i = 0; i < by_state.size(); ++i)
    out += fmt::format("loa_jobs{{state=\"{}\"}} {}\n", jobs::kJobStateNames[i], by_state[i]);
  out += "# HELP loa_messages Messages by state (jobs as in loa_jobs).\n# TYPE loa_messages gauge\n";
  for (std::size_t i = 0; i < messages.size(); ++i)
    out += fmt::format("loa_messages{{state=\"{}\"}} {}\n", jobs::kMessageStateNames[i], messages[i]);
  store::DispatchStore jobs(redis, ctx.fixed.redis_prefix);
  out += "# HELP loa_queue_depth Work waiting in Redis.\n# TYPE loa_queue_depth gauge\n";
  for (const auto& p : ctx.runtime()->cfg.providers) {
    auto n = jobs.ready_depth(p.name);
    if (!n) return std::unexpected(n.error());
    out += fmt::format("loa_queue_depth{{queue=\"waiting\",provider=\"{}\"}} {}\n", p.name, *n);
  }
  for (auto [queue, key] : {std::pair{"scheduled", "due"}, std::pair{"retrying", "retry"}, std::pair{"in_flight", "inflight"}}) {
    auto n = redis.command({"ZCARD", jobs.key(key)});
    if (!n) return std::unexpected(n.error());
    out += fmt::format("loa_queue_depth{{queue=\"{}\"}} {}\n", queue, n->as_int());
  }
  return out + metrics().render();
}

}  // namespace loa::daemon
