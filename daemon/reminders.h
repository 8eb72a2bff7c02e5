// The reminder loop: every gateway looks, every few seconds, for occurrences of the
// reminders on Redis (`loa remind add`) that have come, and enqueues each one's job with
// the idempotency key "remind:<name>:<occurrence>" — so exactly one job per occurrence
// whatever the number of gateways or restarts. An occurrence found past
// `remind_grace_hours` (every gateway was down) is recorded as missed, not sent.
#pragma once
#include <expected>
#include <set>
#include <string>

#include "core/calendar/holidays.h"
#include "core/store/redis.h"

#include "daemon/context.h"
#include "daemon/redis_loop.h"

namespace loa::daemon {

class Reminders {
 public:
  static constexpr int kTickMs = 5000;
  explicit Reminders(Context& ctx);
  void start() { loop_.start(); }
  void join() { loop_.join(); }

 private:
  /// One look at every reminder, then a tick's wait (woken early now and then by the work
  /// signal; a look is cheap).
  std::expected<void, std::string> turn(store::Redis& redis);
  Context& ctx_;
  std::set<std::string> warned_;     ///< reminders whose rule could not be read, said once
  calendar::OverridesCache tables_;  ///< calendar.yaml, read again when it changes
  RedisLoop loop_;                   ///< last: its thread ends before the state above goes
};

}  // namespace loa::daemon
