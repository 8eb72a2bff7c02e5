// `loa calendar`: the year's holidays in both calendars; the override table edited by
// `loa calendar override add/remove/list`, kept in calendar.yaml beside the config,
// shown by `loa calendar YEAR`, each change in the audit trail; a broken table refused
// with file:line.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "tests/integration/harness.h"

using namespace loa::test;
using nlohmann::json;

namespace {
// The line of `out` holding `key`.
std::string line_with(const std::string& out, const std::string& key) {
  auto at = out.find(key);
  if (at == std::string::npos) return "";
  auto start = out.rfind('\n', at);
  auto end = out.find('\n', at);
  return out.substr(start == std::string::npos ? 0 : start + 1, end == std::string::npos ? std::string::npos : end - start - 1);
}
}  // namespace

TEST_SUITE("integration/calendar") {
  TEST_CASE("loa calendar: holidays with lunar dates; overrides added, shown, listed, removed and audited") {
    TempDir dir;
    RedisServer redis(dir);
    const std::string cfg = write_config(dir, redis.url(), 1);

    auto y2026 = run_loa(cfg, {"calendar", "2026"});
    CHECK_MESSAGE(y2026.code == 0, y2026.err);
    CHECK(y2026.out.find("Bính Ngọ begins 17/02/2026") != std::string::npos);
    CHECK(y2026.out.find("17/02/2026  1/1 âm lịch") != std::string::npos);
    const std::string monday = line_with(y2026.out, "27/04/2026");
    CHECK(monday.find("11/3 âm lịch") != std::string::npos);
    CHECK(monday.find("nghỉ bù Giỗ Tổ Hùng Vương") != std::string::npos);
    CHECK(y2026.out.find("Tết Nguyên đán         14/02/2026 – 22/02/2026  9 day(s)") != std::string::npos);
    CHECK(y2026.out.find("No overrides for 2026") != std::string::npos);
    CHECK(run_loa(cfg, {"calendar", "2025"}).out.find("Leap month: 6, from 25/07/2025") != std::string::npos);
    CHECK(run_loa(cfg, {"calendar", "1900"}).code == 2);

    // Tết 2025 as the government fixed it: Monday 27 Jan off, Saturday 8 Feb worked.
    auto off = run_loa(cfg, {"calendar", "override", "add", "27/01/2025", "--note", "nghỉ Tết, làm bù 08/02"});
    CHECK_MESSAGE(off.code == 0, off.err);
    CHECK(run_loa(cfg, {"calendar", "override", "add", "2025-02-08", "--kind", "work"}).code == 0);
    CHECK(run_loa(cfg, {"calendar", "override", "add", "2025-02-03", "--kind", "work"}).code == 0);
    CHECK(run_loa(cfg, {"calendar", "override", "add", "31/02/2025"}).code == 2);
    CHECK(run_loa(cfg, {"calendar", "override", "add", "2025-02-09", "--kind", "holiday"}).code == 2);
    CHECK(dir.read("calendar.yaml").find("2025-01-27") != std::string::npos);
    const auto y2025 = run_loa(cfg, {"calendar", "2025"}).out;
    CHECK(y2025.find("Tết Nguyên đán         25/01/2025 – 02/02/2025  9 day(s)") != std::string::npos);
    CHECK(y2025.find("nghỉ Tết, làm bù 08/02 [override]") != std::string::npos);
    CHECK(y2025.find("nghỉ bù Tết") == std::string::npos);  // the table took the compensatory Monday back
    CHECK(y2025.find("working day") != std::string::npos);
    CHECK(run_loa(cfg, {"calendar", "override", "list"}).out.find("08/02/2025") != std::string::npos);
    CHECK(run_loa(cfg, {"calendar", "override", "remove", "2025-02-08"}).code == 0);
    CHECK(run_loa(cfg, {"calendar", "override", "list"}).out.find("08/02/2025") == std::string::npos);

    auto trail = json::parse(run_loa(cfg, {"audit", "--json"}).out);
    std::vector<std::string> changes;
    for (const auto& e : trail)
      if (e["action"].get<std::string>().starts_with("calendar-")) changes.push_back(e["action"].get<std::string>() + " " + e["summary"]["date"].get<std::string>());
    CHECK(changes == std::vector<std::string>{"calendar-override-add 2025-01-27", "calendar-override-add 2025-02-08",
                                              "calendar-override-add 2025-02-03", "calendar-override-remove 2025-02-08"});

    // A table edited by hand with a mistake: refused, naming the file and line.
    dir.write("calendar.yaml", "- date: 2025-01-27\n  kind: off\n- date: 2025-13-01\n");
    auto broken = run_loa(cfg, {"calendar", "2025"});
    CHECK(broken.code == 2);
    CHECK(broken.err.find("calendar.yaml:3") != std::string::npos);
    // …in the office's language too.
    auto vi = run({bin("loa"), "--config", cfg, "calendar", "override", "add", "2025-02-10"}, {{"LC_ALL", ""}, {"LANG", "vi_VN.UTF-8"}});
    CHECK(vi.code == 2);
    CHECK_MESSAGE(vi.err.find("calendar.yaml:3") != std::string::npos, vi.err);
    CHECK_MESSAGE(vi.err.find("ngày 2025-13-01 không viết theo dạng YYYY-MM-DD") != std::string::npos, vi.err);
    CHECK(dir.read("calendar.yaml").find("2025-02-10") == std::string::npos);  // nothing written over the mistake
  }
}
