// What to do after a failed send: retry (when, where) or give up. Pure, so it is tested
// without Redis or HTTP.
#pragma once
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core/config/config.h"
#include "core/jobs/states.h"
#include "providers/provider.h"

namespace loa::daemon {

struct RetryDecision {
  bool retry = false;
  jobs::MessageState final_state = jobs::MessageState::failed;  ///< when not retrying: failed or unknown
  std::int64_t delay_ms = 0;
  std::string provider;  ///< where the retry goes
};

/// Full-jitter exponential backoff: uniform in [0, min(max, base * 2^(attempt-1))],
/// never less than a provider's Retry-After.
std::int64_t backoff_ms(const config::RetryPolicy& p, int attempt, std::optional<std::int64_t> retry_after_ms,
                        std::mt19937_64& rng);

/// The provider after `current` on `route` (wrapping to the first; the first when `current`
/// is not on it): where a message goes when `current` cannot take it.
std::string next_provider(const std::vector<std::string>& route, const std::string& current);

/// Decides after attempt number `attempt` (1-based) failed with `error` at `provider`,
/// with `route` the message's failover order. `pinned`: an earlier attempt at `provider`
/// may have been taken, so whatever this one met, the message stays there (or becomes
/// unknown once its attempts are spent), never moving to another provider.
RetryDecision decide(const config::RetryPolicy& p, const providers::ProviderError& error, int attempt,
                     const std::string& provider, const std::vector<std::string>& route, bool idempotent,
                     std::mt19937_64& rng, bool pinned = false);

}  // namespace loa::daemon
