// The lunar calendar by astronomy: new moons and the sun's longitude, at UTC+7.
#include "core/calendar/lunar.h"

#include <cmath>
#include <numbers>

#include <fmt/format.h>

namespace loa::calendar {

namespace {

using std::numbers::pi;
constexpr double kZoneDays = 7.0 / 24;  // Vietnam's meridian, 105°E
constexpr double kSynodicMonth = 29.530588853;
constexpr double kNewMoonEpoch = 2415021.076998695;  // the new moon of 1900-01-01, in Julian days

double rad(double degrees) { return degrees * pi / 180; }

int julian_day(Date d) { return static_cast<int>(std::chrono::sys_days(d).time_since_epoch().count()) + 2440588; }
Date from_julian_day(int jd) { return Date(std::chrono::sys_days(std::chrono::days(jd - 2440588))); }

// The k-th new moon after the one of 1900-01-01 (Julian day, UT): Meeus, "Astronomical
// Formulae for Calculators", the mean phase and its periodic terms, less ΔT.
double new_moon(int k) {
  const double t = k / 1236.85;  // Julian centuries since 1900
  const double t2 = t * t, t3 = t2 * t;
  double jd = 2415020.75933 + 29.53058868 * k + 0.0001178 * t2 - 0.000000155 * t3;
  jd += 0.00033 * std::sin(rad(166.56 + 132.87 * t - 0.009173 * t2));
  const double m = rad(359.2242 + 29.10535608 * k - 0.0000333 * t2 - 0.00000347 * t3);   // the sun's mean anomaly
  const double mm = rad(306.0253 + 385.81691806 * k + 0.0107306 * t2 + 0.00001236 * t3);  // the moon's
  const double f = rad(21.2964 + 390.67050646 * k - 0.0016528 * t2 - 0.00000239 * t3);    // the moon's argument of latitude
  double c = (0.1734 - 0.000393 * t) * std::sin(m) + 0.0021 * std::sin(2 * m);
  c += -0.4068 * std::sin(mm) + 0.0161 * std::sin(2 * mm) - 0.0004 * std::sin(3 * mm);
  c += 0.0104 * std::sin(2 * f) - 0.0051 * std::sin(m + mm) - 0.0074 * std::sin(m - mm);
  c += 0.0004 * std::sin(2 * f + m) - 0.0004 * std::sin(2 * f - m) - 0.0006 * std::sin(2 * f + mm);
  c += 0.0010 * std::sin(2 * f - mm) + 0.0005 * std::sin(m + 2 * mm);
  const double delta_t = t < -11 ? 0.001 + 0.000839 * t + 0.0002261 * t2 - 0.00000845 * t3 - 0.000000081 * t * t3
                                 : -0.000278 + 0.000265 * t + 0.000262 * t2;
  return jd + c - delta_t;
}

// The local day (Julian day number) holding the k-th new moon.
int new_moon_day(int k) { return static_cast<int>(std::floor(new_moon(k) + 0.5 + kZoneDays)); }

// The sun's apparent longitude (radians, [0, 2π)) at Julian day `jd` (UT): Meeus, low precision.
double sun_longitude(double jd) {
  const double t = (jd - 2451545.0) / 36525;  // Julian centuries since J2000
  const double t2 = t * t;
  const double m = rad(357.52910 + 35999.05030 * t - 0.0001559 * t2 - 0.00000048 * t * t2);
  const double l0 = 280.46645 + 36000.76983 * t + 0.0003032 * t2;
  const double c = (1.914600 - 0.004817 * t - 0.000014 * t2) * std::sin(m) + (0.019993 - 0.000101 * t) * std::sin(2 * m) +
                   0.000290 * std::sin(3 * m);
  double l = rad(l0 + c);
  l -= 2 * pi * std::floor(l / (2 * pi));
  return l;
}

// Which of the twelve 30° arcs the sun is in at the start of local day `day` (0: from the
// March equinox; 9: from the winter solstice).
int solar_arc(int day) { return static_cast<int>(std::floor(sun_longitude(day - 0.5 - kZoneDays) / pi * 6)); }

// The first day of month 11 of Gregorian year `year`: the month holding the winter solstice.
int month11(int year) {
  const int k = static_cast<int>(std::floor((julian_day(Date(std::chrono::year(year), std::chrono::December, std::chrono::day(31))) -
                                              2415021) / kSynodicMonth));
  const int day = new_moon_day(k);
  return solar_arc(day) >= 9 ? new_moon_day(k - 1) : day;  // the solstice came before that new moon's day
}

// How many months after the month 11 starting on `a11` the leap month comes: the first
// month in whose span the sun enters no new arc (it holds no major term).
int leap_offset(int a11) {
  const int k = static_cast<int>(std::floor((a11 - kNewMoonEpoch) / kSynodicMonth + 0.5));
  int i = 1;
  int arc = solar_arc(new_moon_day(k + i)), last = -1;
  do {
    last = arc;
    ++i;
    arc = solar_arc(new_moon_day(k + i));
  } while (arc != last && i < 14);
  return i - 1;
}

// Month 11 of the lunar year before `lunar_year` and of `lunar_year`: the span holding it.
struct Span {
  int a11, b11;
  bool leap() const { return b11 - a11 > 365; }
};

}  // namespace

LunarDate to_lunar(Date d) {
  const int jd = julian_day(d);
  // The new moon on or before the day: the mean month's estimate, then the true moons
  // (they stray from the mean by up to ~14 hours: the estimate can be one month off).
  int k = static_cast<int>(std::floor((jd - kNewMoonEpoch) / kSynodicMonth));
  while (new_moon_day(k) > jd) --k;
  while (new_moon_day(k + 1) <= jd) ++k;
  const int start = new_moon_day(k);
  const int y = static_cast<int>(d.year());
  int a11 = month11(y), b11 = a11, year = y;
  if (a11 >= start) {
    a11 = month11(y - 1);
  } else {
    year = y + 1;
    b11 = month11(y + 1);
  }
  LunarDate out;
  out.day = jd - start + 1;
  const int diff = (start - a11) / 29;  // whole months since month 11
  out.month = diff + 11;
  if (b11 - a11 > 365) {
    const int leap = leap_offset(a11);
    if (diff >= leap) {
      out.month = diff + 10;
      out.leap = diff == leap;
    }
  }
  if (out.month > 12) out.month -= 12;
  if (out.month >= 11 && diff < 4) --year;
  out.year = year;
  return out;
}

namespace {
// The Julian day month `month` (leap or not) of `lunar_year` starts on, and its k; -1 if none.
int month_start(int lunar_year, int month, bool leap, int* k_out = nullptr) {
  if (month < 1 || month > 12) return -1;
  Span s = month < 11 ? Span{month11(lunar_year - 1), month11(lunar_year)} : Span{month11(lunar_year), month11(lunar_year + 1)};
  const int k = static_cast<int>(std::floor(0.5 + (s.a11 - kNewMoonEpoch) / kSynodicMonth));
  int off = month - 11;
  if (off < 0) off += 12;
  if (s.leap()) {
    const int lo = leap_offset(s.a11);
    int lm = lo - 2;  // the leap month's number
    if (lm <= 0) lm += 12;
    if (leap && month != lm) return -1;
    if (leap || off >= lo) ++off;
  } else if (leap) {
    return -1;
  }
  if (k_out) *k_out = k + off;
  return new_moon_day(k + off);
}
}  // namespace

std::optional<Date> to_solar(const LunarDate& l) {
  int k = 0;
  const int start = month_start(l.year, l.month, l.leap, &k);
  if (start < 0 || l.day < 1 || l.day > new_moon_day(k + 1) - start) return std::nullopt;
  return from_julian_day(start + l.day - 1);
}

int leap_month(int lunar_year) {
  for (int m = 1; m <= 12; ++m)
    if (month_start(lunar_year, m, true) >= 0) return m;
  return 0;
}

int month_length(int lunar_year, int month, bool leap) {
  int k = 0;
  const int start = month_start(lunar_year, month, leap, &k);
  return start < 0 ? 0 : new_moon_day(k + 1) - start;
}

std::string iso(Date d) {
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                     static_cast<unsigned>(d.day()));
}

}  // namespace loa::calendar
