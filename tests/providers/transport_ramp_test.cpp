// The ramp's rule (transport.h next_window): how many requests a transport lets out as
// answers come back, connections are slow to set up, or cannot be made.
#include <doctest/doctest.h>

#include "providers/transport/transport.h"

using loa::transport::kFirstWindow;
using loa::transport::rate_limit_reset_ms;
using loa::transport::next_window;

TEST_SUITE("transport/ramp") {
  TEST_CASE("answers on connections set up in time widen the window by one each, up to the cap") {
    CHECK(next_window(8, 512, true, false) == 9);
    std::size_t w = kFirstWindow;
    for (int i = 0; i < 8; ++i) w = next_window(w, 512, true, false);  // one round trip of answers
    CHECK(w == 2 * kFirstWindow);                                          // doubles each round trip
    for (int i = 0; i < 2000; ++i) w = next_window(w, 512, true, false);
    CHECK(w == 512);
  }

  TEST_CASE("anything but a timely answer halves it, never below the first window") {
    CHECK(next_window(400, 512, true, true) == 200);   // answered, but the set-up was slow
    CHECK(next_window(400, 512, false, false) == 200);  // refused, TLS refused, timed out, connection lost
    CHECK(next_window(12, 512, false, false) == kFirstWindow);
    CHECK(next_window(kFirstWindow, 512, false, false) == kFirstWindow);
    CHECK(next_window(3, 3, false, false) == 3);  // a cap under the first window is the floor
    std::size_t w = 512;
    for (int i = 0; i < 10; ++i) w = next_window(w, 512, false, false);  // a provider restarting mid-job
    CHECK(w == kFirstWindow);
  }
}

TEST_SUITE("transport/headers") {
  TEST_CASE("X-Rate-Limit-Reset: seconds to wait, or the Unix time of the reset; at most a day") {
    const std::int64_t now = 1'796'000'000;
    CHECK(rate_limit_reset_ms("60", now) == 60000);
    CHECK(rate_limit_reset_ms(" 7 ", now) == 7000);
    CHECK(rate_limit_reset_ms("1796000045", now) == 45000);  // a Unix time 45 s ahead
    CHECK(rate_limit_reset_ms("1795999000", now) == 0);      // already past: go now
    CHECK(rate_limit_reset_ms("2796000000", now) == 86400000);
    CHECK_FALSE(rate_limit_reset_ms("soon", now));
    CHECK_FALSE(rate_limit_reset_ms("-5", now));
  }
}
