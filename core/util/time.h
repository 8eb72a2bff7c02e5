// Wall-clock helpers: epoch milliseconds and local-time formatting in the configured zone.
#pragma once
#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

namespace loa::util {

/// Milliseconds since the Unix epoch.
std::int64_t now_ms();
/// Milliseconds of the monotonic clock: for timeouts and waits, never for dates.
std::int64_t steady_ms();

/// Formats epoch milliseconds as "YYYY-MM-DD HH:MM:SS" in the IANA zone `tz`.
/// An empty string for 0 (never happened).
std::string format_local(std::int64_t ms, std::string_view tz);
/// RFC 3339 with the zone's offset at that instant: "2026-09-01T07:00:00+07:00"; "" for 0.
std::string format_rfc3339(std::int64_t ms, std::string_view tz);
/// The same as Vietnamese offices write it: "dd/mm/yyyy HH:MM:SS"; "" for 0.
std::string format_day_first(std::int64_t ms, std::string_view tz);

/// Parses "YYYY-MM-DD HH:MM" (local time in `tz`) or ISO 8601 with an offset
/// ("2026-09-01T07:00:00+07:00", "...Z") into epoch milliseconds.
std::expected<std::int64_t, std::string> parse_time(std::string_view text, std::string_view tz);

/// Minutes after local midnight in zone `tz` at epoch milliseconds `ms`.
int minute_of_day(std::int64_t ms, std::string_view tz);

/// True when `minute` (after midnight) falls in [start, end), a window that may wrap midnight.
inline bool in_window(int minute, int start, int end) {
  return start <= end ? (minute >= start && minute < end) : (minute >= start || minute < end);
}

/// True when `tz` names a zone ICU knows.
bool valid_timezone(std::string_view tz);

}  // namespace loa::util
