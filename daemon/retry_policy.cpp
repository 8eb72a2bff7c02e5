// Retry decisions.
#include "daemon/retry_policy.h"

#include <algorithm>

namespace loa::daemon {

std::int64_t backoff_ms(const config::RetryPolicy& p, int attempt, std::optional<std::int64_t> retry_after_ms,
                        std::mt19937_64& rng) {
  std::int64_t cap = p.base_delay_ms;
  for (int i = 1; i < attempt && cap < p.max_delay_ms; ++i) cap *= 2;
  cap = std::min(cap, p.max_delay_ms);
  std::uniform_int_distribution<std::int64_t> dist(0, std::max<std::int64_t>(cap, 0));
  std::int64_t d = dist(rng);
  if (retry_after_ms) d = std::max(d, *retry_after_ms);
  return d;
}

RetryDecision decide(const config::RetryPolicy& p, const providers::ProviderError& error, int attempt,
                     const std::string& provider, const std::vector<std::string>& route, bool idempotent,
                     std::mt19937_64& rng, bool pinned) {
  using providers::ErrorKind;
  RetryDecision d;
  bool retryable = error.kind == ErrorKind::Transient || error.kind == ErrorKind::RateLimited ||
                   (error.kind == ErrorKind::Ambiguous && idempotent);
  if (!retryable || attempt >= p.max_attempts) {
    // A pinned message may have gone on an earlier attempt, whatever this one met.
    d.final_state = error.kind == ErrorKind::Ambiguous || (pinned && error.kind != ErrorKind::Permanent)
                        ? jobs::MessageState::unknown
                        : jobs::MessageState::failed;
    return d;
  }
  d.retry = true;
  d.delay_ms = backoff_ms(p, attempt, error.retry_after_ms, rng);
  // An ambiguous send is retried where it went, since only that provider de-duplicates it,
  // and so is every later attempt of it (pinned); anything else moves on to the next
  // provider of the route.
  d.provider = error.kind != ErrorKind::Ambiguous && !pinned && !route.empty() ? next_provider(route, provider) : provider;
  return d;
}

std::string next_provider(const std::vector<std::string>& route, const std::string& current) {
  auto it = std::find(route.begin(), route.end(), current);
  return (it == route.end() || std::next(it) == route.end()) ? route.front() : *std::next(it);
}

}  // namespace loa::daemon
