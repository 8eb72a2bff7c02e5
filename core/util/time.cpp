// Wall-clock helpers backed by ICU's time-zone data.
#include "core/util/time.h"

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <regex>

#include <fmt/format.h>
#include <unicode/calendar.h>
#include <unicode/gregocal.h>
#include <unicode/timezone.h>

#include "core/util/i18n.h"

namespace loa::util {

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::int64_t steady_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

namespace {
// A calendar in zone `tz`, built once per zone and thread (building one looks the zone up in
// ICU's data each time) and cleared for each use; nullptr for a zone ICU cannot build.
icu::Calendar* calendar_in(std::string_view tz) {
  thread_local std::map<std::string, std::unique_ptr<icu::Calendar>, std::less<>> calendars;
  auto it = calendars.find(tz);
  if (it == calendars.end()) {
    UErrorCode status = U_ZERO_ERROR;
    auto zone = icu::TimeZone::createTimeZone(icu::UnicodeString::fromUTF8(std::string(tz)));
    std::unique_ptr<icu::Calendar> cal(new icu::GregorianCalendar(zone, status));
    if (U_FAILURE(status)) cal.reset();
    else cal->setLenient(false);
    it = calendars.emplace(std::string(tz), std::move(cal)).first;
  }
  if (it->second) it->second->clear();
  return it->second.get();
}
}  // namespace

bool valid_timezone(std::string_view tz) {
  std::unique_ptr<icu::TimeZone> zone(
      icu::TimeZone::createTimeZone(icu::UnicodeString::fromUTF8(std::string(tz))));
  return *zone != icu::TimeZone::getUnknown();
}

int minute_of_day(std::int64_t ms, std::string_view tz) {
  auto* cal = calendar_in(tz);
  if (!cal) return 0;
  UErrorCode status = U_ZERO_ERROR;
  cal->setTime(static_cast<UDate>(ms), status);
  return cal->get(UCAL_HOUR_OF_DAY, status) * 60 + cal->get(UCAL_MINUTE, status);
}

namespace {
// The wall clock in `tz` at epoch milliseconds `ms`, and the zone's offset then (minutes).
struct WallClock {
  int year, month, day, hour, minute, second, offset_min;
};
std::optional<WallClock> wall_clock(std::int64_t ms, std::string_view tz) {
  if (ms <= 0) return std::nullopt;
  auto* cal = calendar_in(tz);
  if (!cal) return std::nullopt;
  UErrorCode status = U_ZERO_ERROR;
  cal->setTime(static_cast<UDate>(ms), status);
  WallClock w{cal->get(UCAL_YEAR, status),        cal->get(UCAL_MONTH, status) + 1,
              cal->get(UCAL_DATE, status),        cal->get(UCAL_HOUR_OF_DAY, status),
              cal->get(UCAL_MINUTE, status),      cal->get(UCAL_SECOND, status),
              (cal->get(UCAL_ZONE_OFFSET, status) + cal->get(UCAL_DST_OFFSET, status)) / 60000};
  if (U_FAILURE(status)) return std::nullopt;
  return w;
}
}  // namespace

std::string format_local(std::int64_t ms, std::string_view tz) {
  const auto w = wall_clock(ms, tz);
  if (!w) return "";
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", w->year, w->month, w->day, w->hour, w->minute, w->second);
}

std::string format_rfc3339(std::int64_t ms, std::string_view tz) {
  const auto w = wall_clock(ms, tz);
  if (!w) return "";
  const int a = w->offset_min < 0 ? -w->offset_min : w->offset_min;
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}{:02}:{:02}", w->year, w->month, w->day, w->hour, w->minute,
                     w->second, w->offset_min < 0 ? '-' : '+', a / 60, a % 60);
}

std::string format_day_first(std::int64_t ms, std::string_view tz) {
  const std::string iso = format_local(ms, tz);  // "yyyy-mm-dd HH:MM:SS"
  if (iso.size() != 19) return iso;
  return iso.substr(8, 2) + "/" + iso.substr(5, 2) + "/" + iso.substr(0, 4) + iso.substr(10);
}

std::expected<std::int64_t, std::string> parse_time(std::string_view text, std::string_view tz) {
  static const std::regex kLocal(R"((\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?)");
  static const std::regex kIso(
      R"((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|[+-]\d{2}:?\d{2}))");
  // How officials write it: "20/12/2026 07:30" (or 7h30).
  static const std::regex kOffice(R"((\d{1,2})/(\d{1,2})/(\d{4})[ T]+(\d{1,2})[:hH](\d{2}))");
  std::string s(text);
  std::smatch m;
  bool iso = std::regex_match(s, m, kIso);
  int y, mo, d, h, mi, sec = 0;
  if (!iso && std::regex_match(s, m, kOffice)) {
    d = std::stoi(m[1]), mo = std::stoi(m[2]), y = std::stoi(m[3]), h = std::stoi(m[4]), mi = std::stoi(m[5]);
  } else if (iso || std::regex_match(s, m, kLocal)) {
    y = std::stoi(m[1]), mo = std::stoi(m[2]), d = std::stoi(m[3]), h = std::stoi(m[4]), mi = std::stoi(m[5]);
    sec = m[6].matched ? std::stoi(m[6]) : 0;
  } else {
    return std::unexpected(
        i18n::trf("expected \"DD/MM/YYYY HH:MM\", \"YYYY-MM-DD HH:MM\" or ISO 8601 with an offset, got \"{}\"", s));
  }
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (mo < 1 || mo > 12 || d < 1 || d > kDays[mo - 1] || (mo == 2 && d == 29 && !leap) || h > 23 || mi > 59 || sec > 60)
    return std::unexpected(i18n::trf("no such date or time: \"{}\"", s));
  auto* cal = calendar_in(iso ? "UTC" : tz);
  if (!cal) return std::unexpected(i18n::trf("unknown time zone {}", tz));
  cal->set(y, mo - 1, d, h, mi, sec);
  UErrorCode status = U_ZERO_ERROR;
  UDate when = cal->getTime(status);
  if (U_FAILURE(status)) return std::unexpected(i18n::trf("no such date or time: \"{}\"", s));
  auto ms = static_cast<std::int64_t>(when);
  if (iso) {
    std::string off = m[7];
    if (off != "Z") {
      int sign = off[0] == '-' ? -1 : 1;
      std::string digits;
      for (char c : off.substr(1)) if (c != ':') digits += c;
      int oh = std::stoi(digits.substr(0, 2)), om = std::stoi(digits.substr(2, 2));
      ms -= sign * (oh * 3600000LL + om * 60000LL);
    }
  }
  return ms;
}

}  // namespace loa::util
