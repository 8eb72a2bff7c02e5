// Exponential backoff between attempts at something that failed (connecting to Redis):
// first `first_ms` after a failure, doubling to at most `max_ms`, back to the start after
// a success.
#pragma once
#include <algorithm>
#include <cstdint>

namespace loa::util {

class Backoff {
 public:
  constexpr Backoff(std::int64_t first_ms, std::int64_t max_ms) : first_ms_(first_ms), max_ms_(max_ms), next_ms_(first_ms) {}
  /// A failure at `now` (any monotonic ms): the next attempt is due after the returned wait.
  std::int64_t failed(std::int64_t now) {
    const std::int64_t wait = next_ms_;
    due_ = now + wait;
    next_ms_ = std::min(next_ms_ * 2, max_ms_);
    return wait;
  }
  void succeeded() {
    next_ms_ = first_ms_;
    due_ = 0;
  }
  /// Whether an attempt may be made at `now`, and how long until it may.
  bool due(std::int64_t now) const { return now >= due_; }
  std::int64_t remaining(std::int64_t now) const { return std::max<std::int64_t>(0, due_ - now); }

 private:
  std::int64_t first_ms_, max_ms_, next_ms_;
  std::int64_t due_ = 0;
};

}  // namespace loa::util
