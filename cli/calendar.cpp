// `loa calendar [YEAR]` and `loa calendar override add/remove/list`: the year's public
// holidays in both calendars, and the table of days the government fixes each year
// (calendar.yaml beside the config; core/calendar/holidays.h).
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>

#include "cli/session.h"
#include "cli/words.h"
#include "core/calendar/holidays.h"
#include "core/util/i18n.h"
#include "core/util/time.h"

namespace loa::cli {

namespace {

using namespace std::chrono;
using calendar::Date;

/// The weekday in the reader's language.
std::string weekday_words(Date d) {
  static const char* const names[] = {i18n::N_("Sunday"), i18n::N_("Monday"), i18n::N_("Tuesday"), i18n::N_("Wednesday"),
                                      i18n::N_("Thursday"), i18n::N_("Friday"), i18n::N_("Saturday")};
  return i18n::tr(names[weekday{sys_days(d)}.c_encoding()]);
}

std::optional<Date> parse_day(const std::string& s) {
  int y = 0;
  unsigned m = 0, d = 0;
  char tail = 0;
  // YYYY-MM-DD, or dd/mm/yyyy as offices write it.
  if (std::sscanf(s.c_str(), "%4d-%2u-%2u%c", &y, &m, &d, &tail) != 3 &&
      std::sscanf(s.c_str(), "%2u/%2u/%4d%c", &d, &m, &y, &tail) != 3)
    return std::nullopt;
  const Date out{year(y), month(m), day(d)};
  return out.ok() ? std::optional(out) : std::nullopt;
}

// This year where the config's time zone is (format_local: "YYYY-MM-DD HH:MM").
int this_year(Session& s) {
  const config::Config* cfg = s.config();
  const std::string now = util::format_local(util::now_ms(), cfg ? cfg->timezone : "Asia/Ho_Chi_Minh");
  return std::atoi(now.substr(0, 4).c_str());
}

std::optional<calendar::Overrides> table_of(Session& s, std::string& path) {
  const config::Config* cfg = s.config();
  if (!cfg) return std::nullopt;
  path = calendar::overrides_path(cfg->dir);
  auto t = calendar::load_overrides(path);
  if (!t) {
    fail_all(t.error());
    return std::nullopt;
  }
  return *t;
}

void row(Date d, const std::string& what) {
  std::printf("  %s %s  %s %s\n", pad(weekday_words(d), 9).c_str(), calendar::dmy(d).c_str(),
              pad(calendar::lunar_short(calendar::to_lunar(d)), 22).c_str(), what.c_str());
}

int show(Session& s, int y) {
  if (y < calendar::kFirstYear || y > calendar::kLastYear)
    return fail(kUsage, i18n::trf("the calendar covers {} to {}", calendar::kFirstYear, calendar::kLastYear));
  std::string path;
  auto table = table_of(s, path);
  if (!table) return kUsage;
  const auto tet = calendar::to_solar({y, 1, 1});
  std::printf("%s\n", i18n::trf("Public holidays of {} (Labour Code 2019, Art. 112); lunar year {} begins {}", y,
                                 calendar::year_name(y), tet ? calendar::dmy(*tet) : "?")
                          .c_str());
  for (const calendar::DayOff& d : calendar::days_off(y, *table)) {
    std::string what = d.why;
    if (d.source == calendar::DayOff::Source::table) what += std::string(" [") + i18n::tr("override") + "]";
    row(d.date, what);
  }
  std::printf("%s\n", i18n::tr("Breaks, with the weekends and days off joined to them:"));
  for (const calendar::Holiday& h : calendar::holidays(y)) {
    const auto b = calendar::break_of(h, *table);
    const auto n = (sys_days(b.to) - sys_days(b.from)).count() + 1;
    std::printf("  %s %s – %s  %s\n", pad(h.name, 22).c_str(), calendar::dmy(b.from).c_str(), calendar::dmy(b.to).c_str(),
                i18n::trf("{} day(s)", n).c_str());
  }
  if (int leap = calendar::leap_month(y))
    std::printf("%s\n", i18n::trf("Leap month: {}, from {}", leap, calendar::dmy(*calendar::to_solar({y, leap, 1, true}))).c_str());
  int shown = 0;
  for (const calendar::Override& o : table->days)
    if (static_cast<int>(o.date.year()) == y) {
      if (shown++ == 0) std::printf("%s\n", i18n::trf("Overrides in force ({}):", path).c_str());
      row(o.date, std::string(o.kind == calendar::Override::Kind::off ? i18n::tr("day off") : i18n::tr("working day")) +
                      (o.note.empty() ? "" : ": " + o.note));
    }
  if (shown == 0) std::printf("%s\n", i18n::trf("No overrides for {} ({}).", y, path).c_str());
  return kOk;
}

// The table's file, or nothing (said why) when there is no config.
std::optional<std::string> table_path(Session& s) {
  const config::Config* cfg = s.config();
  if (!cfg) return std::nullopt;
  return calendar::overrides_path(cfg->dir);
}

int override_add(Session& s, const std::string& day_text, const std::string& kind, const std::string& note) {
  const auto d = parse_day(day_text);
  if (!d) return fail(kUsage, i18n::trf("{} is not a day (YYYY-MM-DD or dd/mm/yyyy)", day_text));
  const auto path = table_path(s);
  if (!path) return kUsage;
  const calendar::Override o{*d, kind == "work" ? calendar::Override::Kind::work : calendar::Override::Kind::off, note};
  auto edited = calendar::edit_overrides(*path, [&](calendar::Overrides& table) {
    std::erase_if(table.days, [&](const calendar::Override& x) { return x.date == o.date; });
    table.days.insert(std::upper_bound(table.days.begin(), table.days.end(), o,
                                       [](const auto& a, const auto& b) { return sys_days(a.date) < sys_days(b.date); }),
                      o);
    return true;
  });
  if (!edited) return fail_all(edited.error());  // a table edited by hand with a mistake, or locked
  std::printf("%s\n", i18n::trf("{} ({}) is now a {} in {}", calendar::dmy(*d), weekday_words(*d),
                                 kind == "work" ? i18n::tr("working day") : i18n::tr("day off"), *path)
                          .c_str());
  return s.audited(kOk, "calendar-override-add", "", {{"date", calendar::iso(*d)}, {"kind", kind}, {"note", note}});
}

int override_remove(Session& s, const std::string& day_text) {
  const auto d = parse_day(day_text);
  if (!d) return fail(kUsage, i18n::trf("{} is not a day (YYYY-MM-DD or dd/mm/yyyy)", day_text));
  const auto path = table_path(s);
  if (!path) return kUsage;
  bool found = false;
  auto edited = calendar::edit_overrides(*path, [&](calendar::Overrides& table) {
    found = std::erase_if(table.days, [&](const calendar::Override& x) { return x.date == *d; }) > 0;
    return found;
  });
  if (!edited) return fail_all(edited.error());  // a table edited by hand with a mistake, or locked
  if (!found) {
    std::printf("%s\n", i18n::trf("{} is not in {}", calendar::dmy(*d), *path).c_str());
    return kOk;
  }
  std::printf("%s\n", i18n::trf("{} removed from {}", calendar::dmy(*d), *path).c_str());
  return s.audited(kOk, "calendar-override-remove", "", {{"date", calendar::iso(*d)}});
}

int override_list(Session& s) {
  std::string path;
  auto table = table_of(s, path);
  if (!table) return kUsage;
  if (table->days.empty()) std::printf("%s\n", i18n::trf("No overrides ({}).", path).c_str());
  for (const calendar::Override& o : table->days)
    row(o.date, std::string(o.kind == calendar::Override::Kind::off ? i18n::tr("day off") : i18n::tr("working day")) +
                    (o.note.empty() ? "" : ": " + o.note));
  return kOk;
}

}  // namespace

void add_calendar_commands(CLI::App& app, Session& s, int& exit_code) {
  auto* cal = app.add_subcommand("calendar", i18n::tr("the year's public holidays, solar and lunar, and the days fixed each year"));
  cal->footer(i18n::tr("Holidays by the Labour Code (Art. 112) with a compensatory day for one on a weekend, and the "
                       "override table (calendar.yaml beside the config) for the days the government fixes each year."));
  auto y = std::make_shared<int>(0);
  cal->add_option("YEAR", *y, i18n::tr("the year (default: this year)"));
  cal->callback([cal, &s, &exit_code, y] {
    if (cal->get_subcommands().empty()) exit_code = show(s, *y ? *y : this_year(s));
  });
  auto* ov = cal->add_subcommand("override", i18n::tr("the days the government fixes each year: days off, working days"));
  ov->require_subcommand(1);
  auto day = std::make_shared<std::string>();
  auto kind = std::make_shared<std::string>("off");
  auto note = std::make_shared<std::string>();
  auto* add = ov->add_subcommand("add", i18n::tr("make a day a day off (or a working day, --kind work)"));
  add->add_option("DATE", *day, i18n::tr("the day: YYYY-MM-DD or dd/mm/yyyy"))->required();
  add->add_option("--kind", *kind, i18n::tr("off (a day off, the default) or work (a working day, e.g. a Saturday swapped)"))
      ->check(CLI::IsMember({"off", "work"}));
  add->add_option("--note", *note, i18n::tr("why: the notice that fixed it"))->type_name("TEXT");
  add->callback([&s, &exit_code, day, kind, note] { exit_code = override_add(s, *day, *kind, *note); });
  auto* remove = ov->add_subcommand("remove", i18n::tr("take a day out of the table"));
  remove->add_option("DATE", *day, i18n::tr("the day: YYYY-MM-DD or dd/mm/yyyy"))->required();
  remove->callback([&s, &exit_code, day] { exit_code = override_remove(s, *day); });
  ov->add_subcommand("list", i18n::tr("every day in the table"))->callback([&s, &exit_code] { exit_code = override_list(s); });
}

}  // namespace loa::cli
