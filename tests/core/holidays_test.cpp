// Public holidays as a ward office keeps them: the law's days, the weekly-rest-day move,
// the override table (read, written, refused with file:line), a holiday's whole break.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "core/calendar/holidays.h"

using namespace std::chrono;
using namespace loa::calendar;

namespace {
Date ymd(int y, unsigned m, unsigned d) { return Date{year(y), month(m), day(d)}; }

std::string listing(const std::vector<DayOff>& days) {
  std::string out;
  for (const DayOff& d : days) out += iso(d.date) + " " + d.why + "\n";
  return out;
}

struct TempFile {
  std::string path = (std::filesystem::temp_directory_path() / ("loa-calendar-" + std::to_string(::getpid()) + ".yaml")).string();
  ~TempFile() { std::filesystem::remove(path); }
};
}  // namespace

TEST_SUITE("calendar/holidays") {
  TEST_CASE("the law's holidays of 2026, with both calendars' words") {
    const auto hs = holidays(2026);
    REQUIRE(hs.size() == 6);
    const auto tet = holiday("tet", 2026);
    REQUIRE(tet);
    CHECK(iso(tet->from) == "2026-02-16");  // giao thừa: 29 tháng Chạp (month 12 has 29 days)
    CHECK(iso(tet->to) == "2026-02-20");    // mùng 4
    CHECK(iso(holiday("gio-to", 2026)->from) == "2026-04-26");
    CHECK(iso(holiday("national-day", 2026)->to) == "2026-09-03");
    CHECK(year_name(2026) == "Bính Ngọ");
    CHECK(year_name(2025) == "Ất Tỵ");
    CHECK(year_name(1976) == "Bính Thìn");
    CHECK(lunar_short(to_lunar(ymd(2026, 4, 26))) == "10/3 âm lịch");
    CHECK(lunar_long(to_lunar(ymd(2026, 4, 26))) == "ngày 10 tháng 3 năm Bính Ngọ");
    CHECK(lunar_short(LunarDate{2025, 6, 1, true}) == "1/6 (nhuận) âm lịch");
    CHECK(weekday_name(ymd(2026, 2, 17)) == "Thứ Ba");
    CHECK(weekday_name(ymd(2026, 4, 26)) == "Chủ nhật");
    CHECK(dmy(ymd(2026, 2, 7)) == "07/02/2026");
  }

  TEST_CASE("a holiday on the weekly rest day gives the next working day off") {
    // Giỗ Tổ 2026 is a Sunday: Monday 27 April off. 1 Jan 2028 is a Saturday: Monday 3 Jan.
    const std::string y2026 = listing(days_off(2026, {}));
    CHECK(y2026.find("2026-04-27 nghỉ bù Giỗ Tổ Hùng Vương") != std::string::npos);
    const std::string y2028 = listing(days_off(2028, {}));
    CHECK(y2028.find("2028-01-03 nghỉ bù Tết Dương lịch") != std::string::npos);
    // A compensatory day never lands on another day off: 30 Apr 2022 (Sat) and 1 May (Sun)
    // give Monday 2 and Tuesday 3 May.
    const std::string y2022 = listing(days_off(2022, {}));
    CHECK(y2022.find("2022-05-02 nghỉ bù Ngày Chiến thắng") != std::string::npos);
    CHECK(y2022.find("2022-05-03 nghỉ bù Ngày Quốc tế Lao động") != std::string::npos);
    CHECK(closed(ymd(2026, 4, 27), {}));
    CHECK_FALSE(closed(ymd(2026, 4, 28), {}));
  }

  TEST_CASE("the override table: days off added, working days kept open, the whole break") {
    // Tết 2025 as the government fixed it: 25 Jan - 2 Feb, Monday 27 Jan off in exchange for
    // Saturday 8 Feb, and no compensatory Monday 3 Feb.
    Overrides t;
    t.days = {{ymd(2025, 1, 27), Override::Kind::off, "nghỉ Tết (đổi ngày làm bù 08/02)"},
              {ymd(2025, 2, 3), Override::Kind::work, ""},
              {ymd(2025, 2, 8), Override::Kind::work, "làm bù cho 27/01"}};
    CHECK(closed(ymd(2025, 1, 27), t));
    CHECK_FALSE(closed(ymd(2025, 1, 27), {}));
    CHECK(closed(ymd(2025, 2, 3), {}));  // by the law alone: the Saturday's compensatory day
    CHECK_FALSE(closed(ymd(2025, 2, 3), t));
    CHECK_FALSE(closed(ymd(2025, 2, 8), t));  // a Saturday worked
    const auto tet = holiday("tet", 2025);
    REQUIRE(tet);
    const Break b = break_of(*tet, t);
    CHECK(iso(b.from) == "2025-01-25");
    CHECK(iso(b.to) == "2025-02-02");
    // Tết 2026 needs no table: 14-22 Feb joins the weekends on both sides.
    const Break b2026 = break_of(*holiday("tet", 2026), {});
    CHECK(iso(b2026.from) == "2026-02-14");
    CHECK(iso(b2026.to) == "2026-02-22");
  }

  TEST_CASE("the table edited by many at once: every day added is kept (a lock around read, change, write)") {
    TempFile f;
    constexpr int kEditors = 8, kEach = 10;
    std::vector<std::thread> editors;
    for (int e = 0; e < kEditors; ++e)
      editors.emplace_back([&, e] {
        for (int i = 0; i < kEach; ++i) {
          const Override o{ymd(2030, static_cast<unsigned>(e + 1), static_cast<unsigned>(i + 1)), Override::Kind::off, ""};
          auto r = edit_overrides(f.path, [&](Overrides& t) {
            t.days.push_back(o);
            std::sort(t.days.begin(), t.days.end(), [](const auto& a, const auto& b) { return sys_days(a.date) < sys_days(b.date); });
            return true;
          });
          CHECK(r.has_value());
        }
      });
    for (auto& t : editors) t.join();
    auto back = load_overrides(f.path);
    REQUIRE(back);
    CHECK(back->days.size() == kEditors * kEach);
    // An edit that changes nothing leaves the file alone.
    const auto before = std::filesystem::last_write_time(f.path);
    CHECK(edit_overrides(f.path, [](Overrides&) { return false; })->days.size() == kEditors * kEach);
    CHECK(std::filesystem::last_write_time(f.path) == before);
    std::filesystem::remove(f.path + ".lock");
  }

  TEST_CASE("the table's file: written and read back; mistakes refused with file:line") {
    TempFile f;
    CHECK(load_overrides(f.path)->days.empty());  // no file: an empty table
    Overrides t;
    t.days = {{ymd(2026, 2, 14), Override::Kind::off, "Thông báo: nghỉ Tết \"14-22/2\""},
              {ymd(2026, 2, 28), Override::Kind::work, ""}};
    REQUIRE(save_overrides(f.path, t));
    auto back = load_overrides(f.path);
    REQUIRE(back);
    REQUIRE(back->days.size() == 2);
    CHECK(back->days[0].note == "Thông báo: nghỉ Tết \"14-22/2\"");
    CHECK(back->days[1].kind == Override::Kind::work);
    {
      std::ofstream out(f.path);
      out << "- date: 2026-02-30\n  kind: off\n- date: 2026-03-01\n  kind: holiday\n- date: 2026-03-02\n  when: x\n"
             "- kind: off\n";
    }
    auto bad = load_overrides(f.path);
    REQUIRE_FALSE(bad);
    REQUIRE(bad.error().size() == 4);
    CHECK(bad.error()[3].find("needs its date") != std::string::npos);
    CHECK(bad.error()[0].find(":1:") != std::string::npos);
    CHECK(bad.error()[0].find("2026-02-30") != std::string::npos);
    CHECK(bad.error()[1].find("holiday") != std::string::npos);
    CHECK(bad.error()[2].find("when") != std::string::npos);
  }

  TEST_CASE("the daemon's copy of the table: read again when the file changes, a broken one said once") {
    TempFile f;
    std::vector<std::string> said;
    OverridesCache cache([&](const std::vector<std::string>& errors) { said.insert(said.end(), errors.begin(), errors.end()); });
    CHECK(cache.get(f.path).days.empty());  // no file yet
    Overrides t;
    t.days = {{ymd(2026, 2, 14), Override::Kind::off, ""}};
    REQUIRE(save_overrides(f.path, t));
    REQUIRE(cache.get(f.path).days.size() == 1);  // made: read
    // The same file is not read again: a change that kept its time and size goes unseen
    // (here made by hand), which shows the copy is kept.
    const auto stamp = std::filesystem::last_write_time(f.path);
    t.days[0].date = ymd(2026, 2, 15);
    REQUIRE(save_overrides(f.path, t));
    std::filesystem::last_write_time(f.path, stamp);
    CHECK(cache.get(f.path).days[0].date == ymd(2026, 2, 14));
    // A new time: read again.
    std::filesystem::last_write_time(f.path, stamp + std::chrono::seconds(1));
    CHECK(cache.get(f.path).days[0].date == ymd(2026, 2, 15));
    // The same time but another size (a second day within the same clock tick): read again.
    t.days.push_back({ymd(2026, 2, 28), Override::Kind::work, "làm bù"});
    REQUIRE(save_overrides(f.path, t));
    std::filesystem::last_write_time(f.path, stamp + std::chrono::seconds(1));
    CHECK(cache.get(f.path).days.size() == 2);
    // Broken: the law's defaults (an empty table) and one report, however often it is asked.
    {
      std::ofstream out(f.path);
      out << "- date: 2026-02-30\n  kind: off\n";
    }
    std::filesystem::last_write_time(f.path, stamp + std::chrono::seconds(2));
    CHECK(cache.get(f.path).days.empty());
    CHECK(cache.get(f.path).days.empty());
    REQUIRE(said.size() == 1);
    CHECK(said[0].find("2026-02-30") != std::string::npos);
    // Mended, then removed.
    REQUIRE(save_overrides(f.path, t));
    std::filesystem::last_write_time(f.path, stamp + std::chrono::seconds(3));
    CHECK(cache.get(f.path).days.size() == 2);
    std::filesystem::remove(f.path);
    CHECK(cache.get(f.path).days.empty());
    CHECK(said.size() == 1);
  }
}
