// Circuit breaker, with time passed in.
#include <doctest/doctest.h>

#include "daemon/circuit_breaker.h"

using loa::daemon::CircuitBreaker;

TEST_SUITE("daemon/circuit") {
  TEST_CASE("opens after the threshold, half-opens after the pause, one probe decides") {
    CircuitBreaker b(3, 1000);
    CHECK(b.allow(0));
    b.failure(0);
    b.failure(1);
    CHECK(b.state(2) == CircuitBreaker::State::Closed);
    b.failure(2);
    CHECK(b.state(3) == CircuitBreaker::State::Open);
    CHECK_FALSE(b.allow(500));
    CHECK(b.open_remaining(500) == 502);
    CHECK(b.state(1002) == CircuitBreaker::State::HalfOpen);
    CHECK(b.allow(1002));       // the probe
    CHECK_FALSE(b.allow(1003)); // only one at a time
    b.failure(1100);            // probe failed: open again at once
    CHECK(b.state(1101) == CircuitBreaker::State::Open);
    CHECK(b.allow(2100));
    b.success();
    CHECK(b.state(2101) == CircuitBreaker::State::Closed);
    CHECK(b.allow(2101));
  }

  TEST_CASE("a success resets the count of failures in a row") {
    CircuitBreaker b(3, 1000);
    b.failure(0);
    b.failure(0);
    b.success();
    b.failure(0);
    b.failure(0);
    CHECK(b.state(0) == CircuitBreaker::State::Closed);
  }
}
