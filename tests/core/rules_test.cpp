// Reminder rules as officials write them, and their next occurrences from a fixed day.
#include <doctest/doctest.h>

#include "core/calendar/rules.h"

using namespace std::chrono;
using namespace loa::calendar;

namespace {
Date ymd(int y, unsigned m, unsigned d) { return Date{year(y), month(m), day(d)}; }

std::string next(const std::string& rule, Date from, std::size_t n = 3, const Overrides& t = {}) {
  auto r = parse_rule(rule);
  REQUIRE_MESSAGE(r, r.error());
  std::string out;
  for (const Occurrence& o : occurrences(*r, from, n, t)) out += (out.empty() ? "" : ", ") + o.id();
  return out;
}
}  // namespace

TEST_SUITE("calendar/rules") {
  TEST_CASE("each rule kind's next three occurrences from 1 December 2026") {
    const Date from = ymd(2026, 12, 1);
    CHECK(next("monthly on 15 at 08:00", from) == "2026-12-15 08:00, 2027-01-15 08:00, 2027-02-15 08:00");
    CHECK(next("monthly on 31", from) == "2026-12-31 08:00, 2027-01-31 08:00, 2027-03-31 08:00");  // no 31 Feb
    CHECK(next("yearly on 02/09 at 07:00", from) == "2027-09-02 07:00, 2028-09-02 07:00, 2029-09-02 07:00");
    CHECK(next("01/12", from) == "2026-12-01 08:00, 2027-12-01 08:00, 2028-12-01 08:00");  // today counts
    CHECK(next("10/3 âm lịch at 07:00", from) == "2027-04-16 07:00, 2028-04-04 07:00, 2029-04-23 07:00");
    CHECK(next("10/3 am lich", from) == next("10/3 lunar", from));
    CHECK(next("3 days before tet at 08:00", from) == "2027-02-03 08:00, 2028-01-23 08:00, 2029-02-10 08:00");
    CHECK(next("1 day before gio-to", from) == "2027-04-15 08:00, 2028-04-03 08:00, 2029-04-22 08:00");
    CHECK(next("on national-day at 06:30", from) == "2027-09-02 06:30, 2028-09-02 06:30, 2029-09-02 06:30");
    CHECK(next("2 days after tet", from, 1) == "2027-02-08 08:00");
    // 30/12 âm lịch in a year whose month 12 has 29 days: its last day (giao thừa).
    CHECK(next("30/12 âm lịch", ymd(2026, 1, 1), 1) == "2026-02-16 08:00");
  }

  TEST_CASE("the dates an occurrence gives its template") {
    auto r = parse_rule("7 days before tet");
    REQUIRE(r);
    auto o = occurrences(*r, ymd(2026, 1, 1), 1, {});
    REQUIRE(o.size() == 1);
    CHECK(o[0].id() == "2026-02-10 08:00");
    const auto v = o[0].vars();
    CHECK(v.at("ngay") == "17/02/2026");
    CHECK(v.at("ngay_am") == "ngày 1 tháng 1 năm Bính Ngọ");
    CHECK(v.at("tu_ngay") == "14/02/2026");
    CHECK(v.at("den_ngay") == "22/02/2026");
    CHECK(v.at("nam") == "2026");
    CHECK(v.at("ngay_lam_lai") == "23/02/2026");
    // The override table moves a holiday's break (Tết 2025 as fixed: 25/01 - 02/02).
    Overrides t;
    t.days = {{ymd(2025, 1, 27), Override::Kind::off, ""}, {ymd(2025, 2, 3), Override::Kind::work, ""}};
    auto o2025 = occurrences(*r, ymd(2025, 1, 1), 1, t);
    REQUIRE(o2025.size() == 1);
    CHECK(o2025[0].vars().at("tu_ngay") == "25/01/2025");
    CHECK(o2025[0].vars().at("den_ngay") == "02/02/2025");
  }

  TEST_CASE("rules refused with what was expected") {
    CHECK_FALSE(parse_rule("monthly on 32"));
    CHECK_FALSE(parse_rule("monthly"));
    CHECK_FALSE(parse_rule("yearly on 31/02"));
    CHECK_FALSE(parse_rule("3 days before christmas"));
    CHECK(parse_rule("3 days before christmas").error().find("gio-to") != std::string::npos);
    CHECK_FALSE(parse_rule("monthly on 15 at 25:00"));
    CHECK_FALSE(parse_rule("every day"));
    CHECK_FALSE(parse_rule("31/3 âm lịch"));
    CHECK_FALSE(parse_rule("1 day before column Ngày-Tiêm"));
  }

  TEST_CASE("a rule on each resident's own date: every day, for the residents whose date is N days on") {
    auto r = parse_rule("1 day before column ngay_tiem_tiep at 08:00");
    REQUIRE(r);
    CHECK(r->kind == Rule::Kind::column);
    const auto o = occurrences(*r, ymd(2026, 12, 31), 2, {});
    REQUIRE(o.size() == 2);
    CHECK(o[0].id() == "2026-12-31 08:00");
    CHECK(iso(o[0].event) == "2027-01-01");  // the residents due the day after
    CHECK(o[0].column == "ngay_tiem_tiep");
    CHECK(o[0].vars().at("ngay") == "01/01/2027");
    CHECK(iso(o[1].event) == "2027-01-02");
    CHECK(iso(occurrences(*parse_rule("2 days after column ngay_sinh"), ymd(2026, 12, 31), 1, {})[0].event) == "2026-12-29");
  }

  TEST_CASE("days as offices type them in a list") {
    CHECK(iso(*read_office_date("03/12/2026")) == "2026-12-03");
    CHECK(iso(*read_office_date("3/12/2026")) == "2026-12-03");
    CHECK(iso(*read_office_date(" 03-12-2026 ")) == "2026-12-03");
    CHECK(iso(*read_office_date("03.12.2026")) == "2026-12-03");
    CHECK(iso(*read_office_date("2026-12-03")) == "2026-12-03");
    CHECK(iso(*read_office_date("03/12/2026 07:30")) == "2026-12-03");  // an Excel date-time cell
    CHECK_FALSE(read_office_date("31/02/2026"));
    CHECK_FALSE(read_office_date("03/12/26"));
    CHECK_FALSE(read_office_date("03/12-2026"));
    CHECK_FALSE(read_office_date("tháng 12"));
    CHECK_FALSE(read_office_date(""));
    CHECK_FALSE(read_office_date("46000"));  // a serial number: the list reader writes date cells as dates
  }
}
