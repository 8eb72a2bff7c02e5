// A per-provider circuit breaker: after `threshold` failures in a row the provider is taken
// out of rotation for `open_ms`, then one probe request decides whether it is back.
// Time is passed in, so tests need no sleeps. Not thread-safe (one per dispatcher).
#pragma once
#include <cstdint>

namespace loa::daemon {

class CircuitBreaker {
 public:
  enum class State { Closed, Open, HalfOpen };
  CircuitBreaker(int threshold, std::int64_t open_ms) : threshold_(threshold), open_ms_(open_ms) {}

  /// The state at `now_ms` (Open turns HalfOpen when its time is up).
  State state(std::int64_t now_ms) {
    if (state_ == State::Open && now_ms >= open_until_) state_ = State::HalfOpen;
    return state_;
  }
  /// Whether a request may start now: always when closed, one probe at a time when half-open.
  bool allow(std::int64_t now_ms) {
    switch (state(now_ms)) {
      case State::Closed: return true;
      case State::Open: return false;
      case State::HalfOpen:
        if (probing_) return false;
        probing_ = true;
        return true;
    }
    return false;
  }
  void success() {
    state_ = State::Closed;
    failures_ = 0;
    probing_ = false;
  }
  void failure(std::int64_t now_ms) {
    probing_ = false;
    if (state_ == State::HalfOpen || ++failures_ >= threshold_) {
      state_ = State::Open;
      open_until_ = now_ms + open_ms_;
      failures_ = 0;
    }
  }
  /// Out of rotation for `ms`, whatever the count (the provider refuses the account: no
  /// point asking again soon); then one probe, as after failures.
  void pause(std::int64_t now_ms, std::int64_t ms) {
    state_ = State::Open;
    open_until_ = now_ms + ms;
    failures_ = 0;
    probing_ = false;
  }
  std::int64_t open_remaining(std::int64_t now_ms) const { return state_ == State::Open ? open_until_ - now_ms : 0; }

 private:
  int threshold_;
  std::int64_t open_ms_;
  State state_ = State::Closed;
  int failures_ = 0;
  bool probing_ = false;
  std::int64_t open_until_ = 0;
};

}  // namespace loa::daemon
