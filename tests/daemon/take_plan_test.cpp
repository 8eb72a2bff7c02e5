// The take decision of a dispatcher's turn, without Redis.
#include <doctest/doctest.h>

#include "daemon/take_plan.h"

using loa::daemon::plan_take;
using loa::daemon::Turn;

TEST_SUITE("daemon/take") {
  TEST_CASE("takes ahead up to twice the capacity, in batches of at least a quarter of it, at most 200") {
    CHECK(plan_take({.capacity = 64}).take == 128);                         // nothing at hand
    CHECK(plan_take({.capacity = 64, .open = 64, .ready = 50}).take == 0);   // 14 short: under a quarter
    CHECK(plan_take({.capacity = 64, .open = 64, .ready = 48}).take == 16);  // a quarter short
    CHECK(plan_take({.capacity = 64, .open = 64, .ready = 64}).take == 0);   // full
    CHECK(plan_take({.capacity = 64, .open = 10, .ready = 0}).take == 118);
    CHECK(plan_take({.capacity = 500}).take == 200);
    CHECK(plan_take({.capacity = 1}).take == 2);
    CHECK(plan_take({.capacity = 1, .open = 1}).take == 1);
    CHECK(plan_take({.capacity = 1, .open = 1, .ready = 1}).take == 0);
  }

  TEST_CASE("a provider with a rate limit: taken only into free slots, so none waits in the gateway") {
    CHECK(plan_take({.capacity = 8, .paced = true}).take == 8);
    CHECK(plan_take({.capacity = 8, .open = 8, .paced = true}).take == 0);
    CHECK(plan_take({.capacity = 8, .open = 6, .paced = true}).take == 2);
    CHECK(plan_take({.capacity = 64, .open = 60, .paced = true}).take == 0);   // 4 short: under a quarter
    CHECK(plan_take({.capacity = 64, .open = 40, .ready = 8, .paced = true}).take == 16);
    CHECK(plan_take({.capacity = 64, .open = 40, .ready = 8}).take == 80);       // unpaced: ahead
  }

  TEST_CASE("takes nothing while stopping, rate-limited or dry; half-open, one probe when nothing is at hand") {
    CHECK(plan_take({.capacity = 64, .stopping = true}).take == 0);
    CHECK(plan_take({.capacity = 64, .rate_limited = true}).take == 0);
    CHECK(plan_take({.capacity = 64, .dry = true}).take == 0);
    CHECK(plan_take({.capacity = 64, .half_open = true}).take == 1);
    CHECK(plan_take({.capacity = 64, .ready = 1, .half_open = true}).take == 0);   // the probe is at hand
    CHECK(plan_take({.capacity = 64, .open = 1, .half_open = true}).take == 0);    // the probe is out
    CHECK(plan_take({.capacity = 64, .stopping = true, .half_open = true}).take == 0);
    CHECK(plan_take({.capacity = 64, .dry = true, .half_open = true}).take == 0);  // no spinning on Redis
  }

  TEST_CASE("outcomes go with a take, or alone when 64 gathered, nothing is open, stopping, or the oldest waited 5 ms") {
    CHECK_FALSE(plan_take({.capacity = 64, .open = 64, .ready = 64}).ask());
    const Turn few{.capacity = 64, .open = 64, .ready = 64, .outcomes = 3, .oldest_wait_ms = 2};
    CHECK_FALSE(plan_take(few).flush);
    Turn t = few;
    t.outcomes = 64;
    CHECK(plan_take(t).flush);
    t = few;
    t.oldest_wait_ms = 5;
    CHECK(plan_take(t).flush);
    t = few;
    t.stopping = true;
    CHECK(plan_take(t).flush);
    t = few;
    t.open = 0;
    CHECK(plan_take(t).flush);
    CHECK(plan_take(t).take == 64);  // 64 ready of 128
    t = few;
    t.ready = 0;  // room: the outcomes go with the take
    CHECK(plan_take(t).take == 64);
    CHECK(plan_take(t).ask());
    CHECK_FALSE(plan_take({.capacity = 64, .open = 3, .ready = 125, .outcomes = 0, .oldest_wait_ms = 100}).flush);
  }
}
