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

// ΔT = TT − UT in days at Julian day `jd` (TT): Espenak and Meeus's polynomials (NASA's
// "Polynomial expressions for Delta T") for 1961–2150 and Meeus's long-term parabola outside
// them. Seconds matter only for a new moon within a minute of midnight.
double delta_t(double jd) {
  const double y = 2000 + (jd - 2451544.5) / 365.2425;
  double s;
  if (y < 1961) {
    const double u = (y - 1820) / 100;
    s = -20 + 32 * u * u;
  } else if (y < 1986) {
    const double t = y - 1975;
    s = 45.45 + 1.067 * t - t * t / 260 - t * t * t / 718;
  } else if (y < 2005) {
    const double t = y - 2000;
    s = 63.86 + 0.3345 * t - 0.060374 * t * t + 0.0017275 * t * t * t + 0.000651814 * t * t * t * t +
        0.00002373599 * t * t * t * t * t;
  } else if (y < 2050) {
    const double t = y - 2000;
    s = 62.92 + 0.32217 * t + 0.005589 * t * t;
  } else if (y < 2150) {
    const double u = (y - 1820) / 100;
    s = -20 + 32 * u * u - 0.5628 * (2150 - y);
  } else {
    const double u = (y - 1820) / 100;
    s = -20 + 32 * u * u;
  }
  return s / 86400;
}

// The k-th new moon after the one of 1900-01-01 (Julian day, UT): Meeus, "Astronomical
// Algorithms" (2nd ed.), chapter 49 — the mean phase, every periodic term for the new moon
// and the fourteen planetary corrections (a few seconds from the true instant) — less ΔT.
double new_moon(int k1900) {
  const double k = k1900 - 1237;  // Meeus counts from the new moon of 2000-01-06
  const double t = k / 1236.85;   // Julian centuries since J2000
  const double t2 = t * t, t3 = t2 * t, t4 = t3 * t;
  double jde = 2451550.09766 + 29.530588861 * k + 0.00015437 * t2 - 0.000000150 * t3 + 0.00000000073 * t4;
  const double e = 1 - 0.002516 * t - 0.0000074 * t2;  // the eccentricity of Earth's orbit
  const double m = rad(2.5534 + 29.10535670 * k - 0.0000014 * t2 - 0.00000011 * t3);  // the sun's mean anomaly
  const double mm = rad(201.5643 + 385.81693528 * k + 0.0107582 * t2 + 0.00001238 * t3 - 0.000000058 * t4);  // the moon's
  const double f = rad(160.7108 + 390.67050284 * k - 0.0016118 * t2 - 0.00000227 * t3 + 0.000000011 * t4);  // its argument of latitude
  const double om = rad(124.7746 - 1.56375588 * k + 0.0020672 * t2 + 0.00000215 * t3);  // its ascending node
  double c = -0.40720 * std::sin(mm) + 0.17241 * e * std::sin(m) + 0.01608 * std::sin(2 * mm) +
             0.01039 * std::sin(2 * f) + 0.00739 * e * std::sin(mm - m) - 0.00514 * e * std::sin(mm + m) +
             0.00208 * e * e * std::sin(2 * m) - 0.00111 * std::sin(mm - 2 * f) - 0.00057 * std::sin(mm + 2 * f) +
             0.00056 * e * std::sin(2 * mm + m) - 0.00042 * std::sin(3 * mm) + 0.00042 * e * std::sin(m + 2 * f) +
             0.00038 * e * std::sin(m - 2 * f) - 0.00024 * e * std::sin(2 * mm - m) - 0.00017 * std::sin(om) -
             0.00007 * std::sin(mm + 2 * m) + 0.00004 * std::sin(2 * mm - 2 * f) + 0.00004 * std::sin(3 * m) +
             0.00003 * std::sin(mm + m - 2 * f) + 0.00003 * std::sin(2 * mm + 2 * f) -
             0.00003 * std::sin(mm + m + 2 * f) + 0.00003 * std::sin(mm - m + 2 * f) -
             0.00002 * std::sin(mm - m - 2 * f) - 0.00002 * std::sin(3 * mm + m) + 0.00002 * std::sin(4 * mm);
  // The planetary arguments A1..A14: {degrees at k = 0, degrees a lunation, coefficient in days}.
  static constexpr double kPlanetary[14][3] = {
      {299.77, 0.107408, 0.000325}, {251.88, 0.016321, 0.000165}, {251.83, 26.651886, 0.000164},
      {349.42, 36.412478, 0.000126}, {84.66, 18.206239, 0.000110},  {141.74, 53.303771, 0.000062},
      {207.14, 2.453732, 0.000060},  {154.84, 7.306860, 0.000056},  {34.52, 27.261239, 0.000047},
      {207.19, 0.121824, 0.000042},  {291.34, 1.844379, 0.000040},  {161.72, 24.198154, 0.000037},
      {239.56, 25.513099, 0.000035}, {331.55, 3.592518, 0.000023}};
  for (int i = 0; i < 14; ++i) {
    double a = kPlanetary[i][0] + kPlanetary[i][1] * k;
    if (i == 0) a -= 0.009173 * t2;
    c += kPlanetary[i][2] * std::sin(rad(a));
  }
  jde += c;
  return jde - delta_t(jde);
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
