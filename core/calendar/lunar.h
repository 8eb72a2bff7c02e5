// The Vietnamese lunar calendar (âm lịch): conversion between Gregorian dates and lunar
// ones, computed as Vietnam reckons it — a month starts on the day (at 105°E, UTC+7) that
// holds the new moon; the month holding the winter solstice is month 11; a year with 13
// new moons from one month 11 to the next has a leap month, the first after month 11
// with no major solar term, numbered as the month before it. Written from the published
// description of the method (Hồ Ngọc Đức, after Meeus and Calendrical Calculations; see
// ../shared/docs/lunar-calendar.md) with Meeus's formulas for the new moon (the full series
// of "Astronomical Algorithms", ch. 49, and NASA's ΔT polynomials) and the sun's longitude.
// Checked against two independent tables for 1976–2100 (tests/core/lunar_test.cpp): every
// Tết and Giỗ Tổ (vacanza/holidays), and every year's Tết, leap month and month lengths
// (Hồ Ngọc Đức's year table; one month of 2054 whose new moon is at midnight differs).
#pragma once
#include <chrono>
#include <optional>
#include <string>

namespace loa::calendar {

using Date = std::chrono::year_month_day;

struct LunarDate {
  int year = 0;   ///< the lunar year (its Tết falls in this Gregorian year)
  int month = 0;  ///< 1..12
  int day = 0;    ///< 1..30
  bool leap = false;  ///< the leap month (tháng nhuận) numbered `month`
  friend bool operator==(const LunarDate&, const LunarDate&) = default;
};

/// Where the method is trustworthy as the civil calendar of the whole country, and tested.
inline constexpr int kFirstYear = 1976;
inline constexpr int kLastYear = 2100;

LunarDate to_lunar(Date d);
/// The Gregorian date of a lunar one; nullopt when that day does not exist (day 30 of a
/// 29-day month, a leap month the year does not have).
std::optional<Date> to_solar(const LunarDate& l);
/// The lunar year's leap month (1..12), or 0.
int leap_month(int lunar_year);
/// Days in that lunar month (29 or 30); 0 when the month does not exist.
int month_length(int lunar_year, int month, bool leap = false);

/// "2026-02-17".
std::string iso(Date d);

}  // namespace loa::calendar
