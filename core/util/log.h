// Logging set-up (stderr, one line per event, for the journal) and phone masking.
#pragma once
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

namespace loa::util {

/// Sends spdlog's default logger to stderr at `level` ("debug", "info", ...).
void init_logging(std::string_view program, std::string_view level);

/// Masks a phone number for logs and reports: "0912345678" -> "0912***678".
/// Anything shorter than 7 characters becomes "***".
std::string mask_phone(std::string_view phone);

/// A provider's own text (an error, a report's reason) with every run of 9 to 12 digits --
/// a phone number in any of its forms: 912345678, 0912345678, 84912345678, +84... -- masked
/// as mask_phone() does, before it is stored, shown or logged above debug: providers
/// quote the destination ("invalid destination 84912000000"). Longer runs (Loa's
/// millisecond job ids, providers' numeric message ids) and shorter ones stay.
std::string mask_numbers(std::string_view text);

/// A repeated event (Redis down, a stream of refused requests) logged once, then at most
/// once per interval with how many were held back, instead of a line each. Thread-safe.
class LogThrottle {
 public:
  explicit LogThrottle(std::int64_t interval_ms = 10000) : interval_ms_(interval_ms) {}
  /// Logs `message` at error (warning) level if the interval has passed since the last one.
  void error(const std::string& message) { emit(false, message); }
  void warn(const std::string& message) { emit(true, message); }
  /// Things work again: the next failure is logged at once.
  void reset() {
    std::lock_guard lock(mu_);
    last_ms_ = kNever;
  }

 private:
  void emit(bool warning, const std::string& message);
  static constexpr std::int64_t kNever = -(std::int64_t{1} << 62);
  std::mutex mu_;
  std::int64_t interval_ms_;
  std::int64_t last_ms_ = kNever;
  long held_ = 0;
};

}  // namespace loa::util
