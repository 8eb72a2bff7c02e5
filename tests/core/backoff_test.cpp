// The backoff every reconnect loop uses (core/util/backoff.h).
#include <doctest/doctest.h>

#include "core/util/backoff.h"

TEST_CASE("backoff: first wait, doubling to the cap, due only after it, back to the start on success") {
  loa::util::Backoff b(500, 2000);
  CHECK(b.due(0));
  CHECK(b.failed(1000) == 500);
  CHECK_FALSE(b.due(1499));
  CHECK(b.remaining(1200) == 300);
  CHECK(b.due(1500));
  CHECK(b.failed(1500) == 1000);
  CHECK(b.failed(2500) == 2000);
  CHECK(b.failed(4500) == 2000);  // capped
  b.succeeded();
  CHECK(b.due(0));
  CHECK(b.failed(10000) == 500);
}
