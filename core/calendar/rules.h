// When a recurring reminder (`loa remind`) goes: its rule as officials write it, and the
// occurrences it gives, each with the dates its message may name.
//
//   monthly on 15 at 08:00          every month on the 15th (a month without the day: none)
//   yearly on 02/09 at 07:00        every year on a solar date
//   10/3 âm lịch at 07:00           every year on a lunar date ("am lich" and "lunar" too;
//                                   day 30 of a 29-day month: its last day)
//   3 days before tet at 08:00      relative to a holiday's own day (tet = mùng 1; gio-to,
//   1 day before gio-to             new-year, reunification, labour, national-day)
//   1 day before column ngay_tiem_tiep at 08:00
//                                   every day, for the residents whose list column holds
//                                   the day after (each resident's own date)
//
// "at HH:MM" is the config's time zone, 08:00 when left out.
#pragma once
#include <expected>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/calendar/holidays.h"

namespace loa::calendar {

struct Rule {
  enum class Kind { monthly, solar, lunar, holiday, column };
  Kind kind = Kind::monthly;
  int day = 0, month = 0;   ///< monthly: day; solar and lunar: day and month
  std::string holiday;      ///< holiday: its key
  std::string column;       ///< column: the list's column of residents' dates
  int offset_days = 0;      ///< holiday, column: negative before, positive after
  int minute = 8 * 60;      ///< minute of the day, local
};

/// Parses a rule; the error says what was expected.
std::expected<Rule, std::string> parse_rule(std::string_view text);

struct Occurrence {
  Date day;      ///< when it goes
  int minute = 0;
  Date event;    ///< what it is about: the holiday's day, the rule's date
  Break span;    ///< a holiday's whole break (the event day alone otherwise)
  std::string column;  ///< a column rule's column: the job is for residents whose date is `event`
  /// "2026-02-14 08:00": the occurrence's name, and its key for exactly-once.
  std::string id() const;
  /// The dates a template may name: ngay (dd/mm/yyyy), ngay_am ("ngày 10 tháng 3 năm Bính
  /// Ngọ"), tu_ngay and den_ngay (the break), ngay_lam_lai (the first working day after
  /// it), nam (the event's year).
  std::map<std::string, std::string> vars() const;
};

/// The occurrences going on or after `from`, in order, at most `count` (none past
/// kLastYear).
std::vector<Occurrence> occurrences(const Rule& r, Date from, std::size_t count, const Overrides& table);

}  // namespace loa::calendar
