// The reminder loop: every gateway looks, every few seconds, for occurrences of the
// reminders on Redis (`loa remind add`) that have come, and enqueues each one's job with
// the idempotency key "remind:<name>:<occurrence>" — so exactly one job per occurrence
// whatever the number of gateways or restarts. An occurrence found past
// `remind_grace_hours` (every gateway was down) is recorded as missed, not sent.
#pragma once
#include <thread>

#include "daemon/context.h"

namespace loa::daemon {

class Reminders {
 public:
  static constexpr int kTickMs = 5000;
  explicit Reminders(Context& ctx) : ctx_(ctx) {}
  ~Reminders() { join(); }
  void start();
  void join();

 private:
  void run();
  Context& ctx_;
  std::thread thread_;
};

}  // namespace loa::daemon
