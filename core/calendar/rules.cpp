// Reminder rules: parsing and occurrences.
#include "core/calendar/rules.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include <fmt/format.h>

namespace loa::calendar {

using namespace std::chrono;

namespace {

constexpr std::string_view kHolidays[] = {"new-year", "tet", "gio-to", "reunification", "labour", "national-day"};

std::vector<std::string> words(std::string_view text) {
  std::vector<std::string> out;
  std::string w;
  for (char c : text) {
    if (c == ' ' || c == '\t') {
      if (!w.empty()) out.push_back(std::move(w));
      w.clear();
    } else {
      w.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
  }
  if (!w.empty()) out.push_back(std::move(w));
  return out;
}

std::optional<int> number(std::string_view s, int lo, int hi) {
  int v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v < lo || v > hi) return std::nullopt;
  return v;
}

/// "DD/MM".
std::optional<std::pair<int, int>> day_month(std::string_view s) {
  auto slash = s.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto d = number(s.substr(0, slash), 1, 31);
  auto m = number(s.substr(slash + 1), 1, 12);
  if (!d || !m) return std::nullopt;
  return std::pair{*d, *m};
}

/// "HH:MM".
std::optional<int> clock(std::string_view s) {
  auto colon = s.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  auto h = number(s.substr(0, colon), 0, 23);
  auto m = number(s.substr(colon + 1), 0, 59);
  if (!h || !m || s.size() - colon - 1 != 2) return std::nullopt;
  return *h * 60 + *m;
}

Date plus(Date d, int n) { return Date(sys_days(d) + days(n)); }

}  // namespace

std::expected<Rule, std::string> parse_rule(std::string_view text) {
  auto w = words(text);
  const std::string usage =
      "a rule is one of: \"monthly on 15 at 08:00\", \"yearly on 02/09 at 07:00\", \"10/3 âm lịch at 07:00\", "
      "\"3 days before tet at 08:00\"";
  Rule r;
  // "at HH:MM" at the end.
  if (w.size() >= 2 && w[w.size() - 2] == "at") {
    auto m = clock(w.back());
    if (!m) return std::unexpected(fmt::format("{} is not a time of day (HH:MM)", w.back()));
    r.minute = *m;
    w.resize(w.size() - 2);
  }
  if (w.empty()) return std::unexpected(usage);
  if (w[0] == "monthly") {
    std::size_t i = 1;
    if (i < w.size() && w[i] == "on") ++i;
    auto d = i + 1 == w.size() ? number(w[i], 1, 31) : std::nullopt;
    if (!d) return std::unexpected("monthly needs the day of the month, 1 to 31: \"monthly on 15 at 08:00\"");
    r.kind = Rule::Kind::monthly;
    r.day = *d;
    return r;
  }
  std::size_t i = 0;
  if (w[0] == "yearly") i = w.size() > 1 && w[1] == "on" ? 2 : 1;
  if (i < w.size())
    if (auto dm = day_month(w[i])) {
      const auto rest = std::vector<std::string>(w.begin() + static_cast<std::ptrdiff_t>(i) + 1, w.end());
      r.day = dm->first;
      r.month = dm->second;
      if (rest.empty()) {
        r.kind = Rule::Kind::solar;
        const Date probe{year(2024), month(static_cast<unsigned>(r.month)), day(static_cast<unsigned>(r.day))};
        if (!probe.ok()) return std::unexpected(fmt::format("{} is not a day of the year", w[i]));
        return r;
      }
      if (rest == std::vector<std::string>{"âm", "lịch"} || rest == std::vector<std::string>{"am", "lich"} ||
          rest == std::vector<std::string>{"lunar"}) {
        if (r.day > 30) return std::unexpected(fmt::format("{}: a lunar month has at most 30 days", w[i]));
        r.kind = Rule::Kind::lunar;
        return r;
      }
      return std::unexpected(usage);
    }
  // "N day(s) before|after HOLIDAY", "on HOLIDAY".
  std::size_t h = 0;
  if (w[0] == "on" && w.size() == 2) {
    h = 1;
  } else if (w.size() == 4 && (w[1] == "day" || w[1] == "days") && (w[2] == "before" || w[2] == "after")) {
    auto n = number(w[0], 0, 366);
    if (!n) return std::unexpected(fmt::format("{} is not a number of days (0 to 366)", w[0]));
    r.offset_days = w[2] == "before" ? -*n : *n;
    h = 3;
  } else if (w.size() == 5 && (w[1] == "day" || w[1] == "days") && (w[2] == "before" || w[2] == "after") &&
             w[3] == "column") {
    auto n = number(w[0], 0, 366);
    if (!n) return std::unexpected(fmt::format("{} is not a number of days (0 to 366)", w[0]));
    const bool name_ok = !w[4].empty() && w[4].size() <= 64 && std::all_of(w[4].begin(), w[4].end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
    if (!name_ok) return std::unexpected(fmt::format("{} is not a column name (as the list's header, snake_case)", w[4]));
    r.kind = Rule::Kind::column;
    r.offset_days = w[2] == "before" ? -*n : *n;
    r.column = w[4];
    return r;
  } else {
    return std::unexpected(usage);
  }
  if (std::find(std::begin(kHolidays), std::end(kHolidays), w[h]) == std::end(kHolidays))
    return std::unexpected(fmt::format("{} is not a holiday Loa knows: new-year, tet, gio-to, reunification, labour, "
                                       "national-day",
                                       w[h]));
  r.kind = Rule::Kind::holiday;
  r.holiday = w[h];
  return r;
}

std::string Occurrence::id() const { return fmt::format("{} {:02}:{:02}", iso(day), minute / 60, minute % 60); }

std::map<std::string, std::string> Occurrence::vars() const {
  return {{"ngay", dmy(event)},
          {"ngay_am", lunar_long(to_lunar(event))},
          {"tu_ngay", dmy(span.from)},
          {"den_ngay", dmy(span.to)},
          {"ngay_lam_lai", dmy(plus(span.to, 1))},
          {"nam", std::to_string(static_cast<int>(event.year()))}};
}

std::vector<Occurrence> occurrences(const Rule& r, Date from, std::size_t count, const Overrides& table) {
  std::vector<Occurrence> out;
  if (r.kind == Rule::Kind::column) {
    // Every day; the residents whose date is that day's event (N days before it: N after).
    for (Date d = from; out.size() < count && static_cast<int>(d.year()) <= kLastYear; d = plus(d, 1)) {
      const Date event = plus(d, -r.offset_days);
      out.push_back({d, r.minute, event, {event, event}, r.column});
    }
    return out;
  }
  auto add = [&](Date event, Date day, Break span) {
    if (sys_days(day) < sys_days(from) || out.size() >= count) return;
    out.push_back({day, r.minute, event, span});
  };
  const int first = std::max(kFirstYear, static_cast<int>(from.year()) - 1);
  for (int y = first; y <= kLastYear && out.size() < count; ++y) {
    switch (r.kind) {
      case Rule::Kind::monthly:
        for (unsigned m = 1; m <= 12; ++m) {
          const Date d{year(y), month(m), day(static_cast<unsigned>(r.day))};
          if (d.ok()) add(d, d, {d, d});
        }
        break;
      case Rule::Kind::solar: {
        const Date d{year(y), month(static_cast<unsigned>(r.month)), day(static_cast<unsigned>(r.day))};
        if (d.ok()) add(d, d, {d, d});  // (29/02 only in leap years)
        break;
      }
      case Rule::Kind::lunar: {
        const int len = month_length(y, r.month);
        if (len == 0) break;
        if (auto d = to_solar({y, r.month, std::min(r.day, len), false})) add(*d, *d, {*d, *d});
        break;
      }
      case Rule::Kind::column:
        break;  // (above)
      case Rule::Kind::holiday:
        if (auto h = holiday(r.holiday, y)) {
          const Date event = r.holiday == "tet" ? plus(h->from, 1) : h->from;  // Tết: mùng 1, not giao thừa
          add(event, plus(event, r.offset_days), break_of(*h, table));
        }
        break;
    }
  }
  std::sort(out.begin(), out.end(), [](const Occurrence& a, const Occurrence& b) { return sys_days(a.day) < sys_days(b.day); });
  return out;
}

}  // namespace loa::calendar
