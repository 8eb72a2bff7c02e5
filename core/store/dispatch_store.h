// Dispatch: dispatchers take queued messages for their provider (marking them sending,
// under a lease), record each attempt's outcome, and recover what a dead gateway held.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/store/store_base.h"

namespace loa::store {

/// A message handed to a dispatcher by take().
struct Outbound {
  std::string ref;    ///< "<job>.<index>", Loa's unique id for the message
  std::string phone;  ///< national form, "0912345678"
  std::string text;
  int attempts = 0;  ///< including this one, in this round
  int round = 0;     ///< times an operator had it sent again after it failed (loa retry --failed)
  bool unicode = false;
  std::string route;  ///< comma-separated providers, in failover order
  std::string lease;  ///< the lease this message was taken under, with others of its job
  /// An earlier attempt may have been taken by this provider (it ended without knowing,
  /// and the provider de-duplicates): the message never moves to another (pin:<job>).
  bool pinned = false;
};

/// What became of one send attempt. `retry` goes back to a provider's lane after a delay;
/// `reroute` too, but it was never attempted (the provider was out of rotation or the
/// gateway stopping), so it does not count as an attempt.
enum class SendOutcome { sent, delivered, failed, unknown, retry, reroute };
inline constexpr std::string_view kSendOutcomeNames[] = {"sent", "delivered", "failed", "unknown", "retry", "reroute"};
constexpr std::string_view name(SendOutcome o) { return kSendOutcomeNames[static_cast<int>(o)]; }

struct Outcome {
  std::string ref;
  SendOutcome outcome = SendOutcome::sent;
  std::string provider_id;
  std::string error;
  std::int64_t retry_delay_ms = 0;  ///< retry, reroute
  std::string retry_provider;       ///< retry, reroute: whose lane
  bool pin = false;                 ///< retry: hold the message with retry_provider from now on
};

/// Taking: up to `max` messages for `provider`, within its shared rate limit (`rate` per
/// second, 0 for none, with `burst`), urgent jobs first, round-robin across jobs; only
/// urgent ones when `bulk_allowed` is false (quiet hours).
struct TakeRequest {
  std::string provider;
  int max = 0;
  std::int64_t lease_ms = 0;
  std::string instance;
  double rate = 0;
  int burst = 1;
  bool bulk_allowed = true;
  std::optional<std::int64_t> clock_ms;  ///< tests: the time the rate limit sees
};
/// What take() gave; when the rate limit allows nothing now, no messages and `wait_ms`.
struct Taken {
  std::vector<Outbound> messages;
  std::int64_t wait_ms = 0;
};

/// Recording: outcomes of attempts at `provider`, and the leases (Outbound::lease) all of
/// whose messages have their outcome now, in this or earlier records. `map_ids`: keep
/// provider id -> ref for 15 days, for providers whose delivery reports name messages only
/// by their own id.
struct RecordRequest {
  std::string provider;
  std::vector<Outcome> outcomes;
  std::vector<std::string> releases;
  bool map_ids = true;
  bool empty() const { return outcomes.empty() && releases.empty(); }
};

class DispatchStore : public StoreBase {
 public:
  using StoreBase::StoreBase;
  /// Records outcomes then takes messages, in one round trip, in two halves
  /// (Redis::send_evals): the caller drives its requests while Redis runs the scripts
  /// (Redis::evals_arrived says when the answer is in). Nothing else may use this
  /// connection in between. With `t.max` 0 it only records; with no outcomes and no
  /// releases it only takes.
  std::expected<void, std::string> begin_record_and_take(const RecordRequest& r, const TakeRequest& t);
  std::expected<Taken, std::string> end_record_and_take();
  /// Leases run out, or (`startup`) held by this instance before it restarted: their
  /// messages become unknown. Returns how many.
  std::expected<long long, std::string> recover(const std::string& instance, bool startup);
  /// Moves due retries onto their providers' lanes.
  std::expected<long long, std::string> promote_retries();
  /// Messages waiting on a provider's lanes.
  std::expected<long long, std::string> ready_depth(const std::string& provider);
};

}  // namespace loa::store
