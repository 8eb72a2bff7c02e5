// Retry decisions and backoff.
#include <doctest/doctest.h>

#include "daemon/retry_policy.h"

using loa::daemon::decide;
using loa::providers::ErrorKind;
using loa::providers::ProviderError;

TEST_SUITE("daemon/retry") {
  TEST_CASE("backoff grows exponentially up to the cap, with jitter below it") {
    loa::config::RetryPolicy p{5, 1000, 5000};
    std::mt19937_64 rng(1);
    for (int i = 0; i < 200; ++i) {
      CHECK(loa::daemon::backoff_ms(p, 1, std::nullopt, rng) <= 1000);
      CHECK(loa::daemon::backoff_ms(p, 3, std::nullopt, rng) <= 4000);
      CHECK(loa::daemon::backoff_ms(p, 10, std::nullopt, rng) <= 5000);
    }
    CHECK(loa::daemon::backoff_ms(p, 1, 7000, rng) == 7000);  // Retry-After is honoured
  }

  TEST_CASE("transient failures move to the next provider of the route; the last wraps around") {
    loa::config::RetryPolicy p{3, 100, 1000};
    std::mt19937_64 rng(1);
    auto d = decide(p, {ErrorKind::Transient, "503", std::nullopt}, 1, "a", {"a", "b"}, false, rng);
    CHECK(d.retry);
    CHECK(d.provider == "b");
    d = decide(p, {ErrorKind::Transient, "503", std::nullopt}, 2, "b", {"a", "b"}, false, rng);
    CHECK(d.provider == "a");
    d = decide(p, {ErrorKind::RateLimited, "429", 1500}, 1, "a", {"a"}, false, rng);
    CHECK(d.retry);
    CHECK(d.delay_ms >= 1500);
  }

  TEST_CASE("attempts run out; permanent and auth failures never retry") {
    loa::config::RetryPolicy p{3, 100, 1000};
    std::mt19937_64 rng(1);
    auto d = decide(p, {ErrorKind::Transient, "503", std::nullopt}, 3, "a", {"a"}, false, rng);
    CHECK_FALSE(d.retry);
    CHECK(d.final_state == loa::jobs::MessageState::failed);
    CHECK(decide(p, {ErrorKind::Permanent, "400", std::nullopt}, 1, "a", {"a"}, false, rng).final_state == loa::jobs::MessageState::failed);
    CHECK(decide(p, {ErrorKind::Account, "401", std::nullopt}, 1, "a", {"a"}, false, rng).final_state == loa::jobs::MessageState::failed);
  }

  TEST_CASE("an ambiguous send is unknown, unless the provider de-duplicates by our ref") {
    loa::config::RetryPolicy p{3, 100, 1000};
    std::mt19937_64 rng(1);
    auto d = decide(p, {ErrorKind::Ambiguous, "timeout", std::nullopt}, 1, "a", {"a", "b"}, false, rng);
    CHECK_FALSE(d.retry);
    CHECK(d.final_state == loa::jobs::MessageState::unknown);
    d = decide(p, {ErrorKind::Ambiguous, "timeout", std::nullopt}, 1, "a", {"a", "b"}, true, rng);
    CHECK(d.retry);
    CHECK(d.provider == "a");  // only the same provider can recognise the repeat
  }

  TEST_CASE("a pinned message (an earlier attempt may have been taken) stays with its provider whatever comes next") {
    loa::config::RetryPolicy p{3, 100, 1000};
    std::mt19937_64 rng(1);
    for (auto kind : {ErrorKind::Transient, ErrorKind::RateLimited, ErrorKind::Ambiguous}) {
      auto d = decide(p, {kind, "x", std::nullopt}, 2, "a", {"a", "b"}, true, rng, true);
      CHECK(d.retry);
      CHECK(d.provider == "a");
      // Attempts spent: it may have gone on the first, so unknown, not failed.
      d = decide(p, {kind, "x", std::nullopt}, 3, "a", {"a", "b"}, true, rng, true);
      CHECK_FALSE(d.retry);
      CHECK(d.final_state == loa::jobs::MessageState::unknown);
    }
    // The provider said no to the message itself: it did not take it, then or now.
    CHECK(decide(p, {ErrorKind::Permanent, "400", std::nullopt}, 2, "a", {"a", "b"}, true, rng, true).final_state ==
          loa::jobs::MessageState::failed);
    // Not pinned: a transient failure moves on, as before.
    CHECK(decide(p, {ErrorKind::Transient, "503", std::nullopt}, 2, "a", {"a", "b"}, true, rng, false).provider == "b");
  }
}

TEST_CASE("the next provider on a route wraps to the first, and a stranger starts at the first") {
  using loa::daemon::next_provider;
  CHECK(next_provider({"a", "b", "c"}, "a") == "b");
  CHECK(next_provider({"a", "b", "c"}, "c") == "a");
  CHECK(next_provider({"a", "b"}, "x") == "a");
  CHECK(next_provider({"a"}, "a") == "a");
}
