// Delivery reports kept on local disk while Redis cannot take them. A provider that posts a
// report once (eSMS retries only on a timeout) must not lose it because Redis is down: the
// webhook stores it here, durably, answers 200, and the drainer applies it once Redis is
// back. Applying a report twice is harmless (reports only move states forward; a repeat is
// a no-op), so a crash between applying and forgetting loses nothing and costs nothing.
//
// One file, `<dir>/dlr-spool.jsonl`, a JSON line per request:
//   {"provider":"esms","reports":[["<ref>","<provider id>","delivered","<error>"],...]}
// written with one write() and made durable (fdatasync) before the webhook answers. The
// drainer renames it to `dlr-spool.applying` (new reports go to a fresh file meanwhile),
// applies its lines in order and removes it; a line cut short by a crash is skipped.
#pragma once
#include <cstddef>
#include <expected>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "core/store/report_store.h"

namespace loa::daemon {

/// Thread-safe.
class ReportSpool {
 public:
  /// Applies one stored request's reports; an error leaves them (and those after) stored.
  using Apply = std::function<std::expected<void, std::string>(const std::string& provider,
                                                               const std::vector<store::ReportUpdate>& reports)>;

  /// `max_bytes`: past this the spool takes no more (the webhook answers 503 as before).
  explicit ReportSpool(std::string dir, std::size_t max_bytes = kMaxBytes);

  /// Keeps `reports` of `provider` on disk, durably; an error says why it could not.
  std::expected<void, std::string> store(const std::string& provider, const std::vector<store::ReportUpdate>& reports);
  /// Whether anything waits to be applied.
  bool pending() const;
  /// Applies what is stored, oldest first, through `apply`; stops at its first error and
  /// keeps the rest. The number of requests applied, or the error.
  std::expected<std::size_t, std::string> drain(const Apply& apply);

  static constexpr std::size_t kMaxBytes = 256u << 20;

 private:
  std::string dir_, path_, applying_;
  std::size_t max_bytes_;
  mutable std::mutex mu_;    ///< the spool file: appends, and its rename by drain()
  std::mutex draining_;      ///< one drain at a time
};

}  // namespace loa::daemon
