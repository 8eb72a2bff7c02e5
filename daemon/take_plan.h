// What a dispatcher asks Redis for in one round trip: how many messages to take, and
// whether to write the outcomes gathered so far. Pure, so it is tested without Redis.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace loa::daemon {

/// Where a dispatcher stands at the start of a turn.
struct Turn {
  std::size_t capacity = 1;        ///< its share of max_in_flight
  std::size_t open = 0;            ///< requests in flight
  std::size_t ready = 0;           ///< taken (sending, under a lease), request not started
  std::size_t outcomes = 0;        ///< outcomes not yet written
  std::int64_t oldest_wait_ms = 0; ///< how long the oldest of them has waited
  bool stopping = false;
  bool rate_limited = false;       ///< the shared rate limit said to wait, and the wait is not over
  bool dry = false;                ///< the last take found nothing, and it is not time to look again
  bool half_open = false;          ///< the provider's circuit waits for a probe
  bool paced = false;              ///< the provider has a rate limit (rate_per_second)
};

struct TakePlan {
  int take = 0;        ///< messages to take
  bool flush = false;  ///< write the outcomes now
  bool ask() const { return take > 0 || flush; }
};

/// Messages are taken ahead of the free slots, up to twice the capacity in all (in flight
/// and ready), so the next ones are at hand the moment a request finishes -- except for a
/// provider with a rate limit: a message taken is one the shared limiter let go now, so
/// it is taken only into a free slot; one that waited in the gateway for a slot would go
/// later, beside those the limiter let go then (at the start of a job, while the
/// connections ramp up, the provider saw 209-210 in a second for a limit of 200, burst
/// 5; bench/docs/performance.md "Rate adherence"). Never fewer
/// than a quarter of the capacity at a time while others are at hand, at most 200 per
/// round trip. Half-open, one message (the probe) when nothing else is taken. Outcomes go
/// with the next take, or alone when 64 have gathered, when nothing is in flight, when
/// stopping, or when the oldest has waited 5 ms.
inline TakePlan plan_take(const Turn& t) {
  constexpr std::size_t kMaxTake = 200;
  constexpr std::size_t kFlushCount = 64;
  constexpr std::int64_t kFlushAfterMs = 5;
  TakePlan plan;
  const std::size_t have = t.open + t.ready;
  const std::size_t target = t.paced ? t.capacity : 2 * t.capacity;
  const std::size_t refill = std::max<std::size_t>(1, t.capacity / 4);
  if (t.half_open) {
    plan.take = have == 0 ? 1 : 0;
  } else if (have < target) {
    const std::size_t want = std::min(target - have, kMaxTake);
    plan.take = have > 0 && want < refill ? 0 : static_cast<int>(want);
  }
  if (t.stopping || t.rate_limited || t.dry) plan.take = 0;
  plan.flush = t.outcomes > 0 &&
               (t.outcomes >= kFlushCount || t.open == 0 || t.stopping || t.oldest_wait_ms >= kFlushAfterMs);
  return plan;
}

}  // namespace loa::daemon
