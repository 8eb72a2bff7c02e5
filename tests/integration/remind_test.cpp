// `loa remind` and the gateways' reminder loop: reminders made, listed, shown and removed
// from the command line; an occurrence that has come sends exactly one job whatever the
// number of gateways or restarts, with the occurrence's dates in its text; one found past
// the grace is recorded as missed, not sent.
#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <map>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/util/time.h"
#include "tests/integration/harness.h"

using namespace loa::test;
using nlohmann::json;

namespace {

// A template naming the occurrence's dates.
void write_date_template(const TempDir& dir) {
  dir.write("templates/nhac.yaml",
            "description: test\nvariables: [ngay, ngay_am, tu_ngay, den_ngay]\nmax_segments: 4\n"
            "body: \"{{ten_phuong}} nhắc {{ho_ten}}: ngày {{ngay}} ({{ngay_am}}), nghỉ {{tu_ngay}} - {{den_ngay}}\"\n");
}

// "monthly on D at HH:MM" for the local minute of `ms` (the test's clock is the real one).
std::string monthly_rule_at(std::int64_t ms) {
  const std::string t = loa::util::format_local(ms, "Asia/Ho_Chi_Minh");  // YYYY-MM-DD HH:MM
  return "monthly on " + std::to_string(std::stoi(t.substr(8, 2))) + " at " + t.substr(11, 5);
}

// A reminder stored as `loa remind add` stores it, made `created_ago_ms` ago.
void store_reminder(RedisServer& redis, const std::string& name, const std::string& when, std::int64_t created_ago_ms,
                    const std::string& template_name = "nhac") {
  const json r{{"template", template_name}, {"wards", {"phuong-6"}}, {"all_wards", false}, {"vars", json::object()},
               {"areas", json::array()}, {"tags", json::array()}, {"when", when}, {"by", "test"},
               {"created_at", loa::util::now_ms() - created_ago_ms}};
  REQUIRE(redis.connect()->command({"HSET", "t:reminders", name, r.dump()}));
}

json state_of(RedisServer& redis, const std::string& name) {
  auto v = redis.connect()->command({"HGET", "t:remind-state", name});
  return v && !v->nil() ? json::parse(v->text()) : json::object();
}

}  // namespace

TEST_SUITE("integration/remind") {
  TEST_CASE("loa remind add, list, run --dry-run and remove; rules and templates checked as a send is") {
    TempDir dir;
    RedisServer redis(dir);
    write_date_template(dir);
    write_ward(dir, "phuong-6", 3);
    const std::string cfg = write_config(dir, redis.url(), 1);

    auto added = run_loa(cfg, {"remind", "add", "tet", "--template", "nhac", "--ward", "phuong-6", "--when",
                               "7 days before tet at 08:00"});
    CHECK_MESSAGE(added.code == 0, added.err);
    CHECK(added.out.find("reminder tet added; next: ") != std::string::npos);
    CHECK(added.out.find(" 08:00") != std::string::npos);
    CHECK(run_loa(cfg, {"remind", "add", "tet", "--template", "nhac", "--ward", "phuong-6", "--when", "on tet"}).code == 2);
    auto bad_rule = run_loa(cfg, {"remind", "add", "x", "--template", "nhac", "--ward", "phuong-6", "--when", "3 days before christmas"});
    CHECK(bad_rule.code == 2);
    CHECK(bad_rule.err.find("christmas is not a holiday") != std::string::npos);
    // thong-bao needs noi_dung, which no occurrence gives: refused as a send would be.
    auto missing = run_loa(cfg, {"remind", "add", "y", "--template", "thong-bao", "--ward", "phuong-6", "--when", "monthly on 15"});
    CHECK(missing.code == 2);
    CHECK(missing.err.find("noi_dung") != std::string::npos);
    CHECK(run_loa(cfg, {"remind", "add", "z", "--template", "nhac", "--ward", "phuong-99", "--when", "monthly on 15"}).code == 2);

    auto listed = run_loa(cfg, {"remind", "list"});
    CHECK(listed.code == 0);
    CHECK(listed.out.find("tet  \"7 days before tet at 08:00\"") != std::string::npos);
    CHECK(listed.out.find("next: ") != std::string::npos);
    auto dry = run_loa(cfg, {"remind", "run", "tet", "--dry-run"});
    CHECK_MESSAGE(dry.code == 0, dry.err);
    const auto spec = json::parse(dry.out.substr(dry.out.find('{')));
    CHECK(spec["key"].get<std::string>().starts_with("remind:tet:"));
    CHECK(spec["vars"].contains("tu_ngay"));
    CHECK(spec["vars"]["ngay_am"].get<std::string>().starts_with("ngày 1 tháng 1 năm "));
    CHECK(run_loa(cfg, {"remind", "run", "tet"}).code == 2);  // --dry-run: the gateways send on the date
    CHECK(redis.connect()->command({"XLEN", "t:jobs"})->as_int() == 0);

    CHECK(run_loa(cfg, {"remind", "remove", "tet"}).code == 0);
    CHECK(run_loa(cfg, {"remind", "remove", "tet"}).code == 2);
    CHECK(run_loa(cfg, {"remind", "list"}).out.find("no reminders") != std::string::npos);
  }

  TEST_CASE("an occurrence come: one job from two gateways and a restart, its dates in the text; one past the grace: missed") {
    TempDir dir;
    RedisServer redis(dir);
    FakeProvider provider(dir, "fake", {"--no-reports"});
    write_date_template(dir);
    write_ward(dir, "phuong-6", 3);
    const std::string cfg = write_config(dir, redis.url(), provider.port());
    const std::int64_t now = loa::util::now_ms();
    // Came two minutes ago (inside the 6 h grace); came seven hours ago (outside it).
    store_reminder(redis, "vua-den", monthly_rule_at(now - 2 * 60 * 1000), 10 * 60 * 1000);
    store_reminder(redis, "da-lo", monthly_rule_at(now - 7 * 3600 * 1000), 8 * 3600 * 1000);
    const std::string day = loa::util::format_local(now - 2 * 60 * 1000, "Asia/Ho_Chi_Minh");
    const std::string dmy = day.substr(8, 2) + "/" + day.substr(5, 2) + "/" + day.substr(0, 4);

    {
      Gateway one(dir, cfg, "gw-1", "gw1.log");
      Gateway two(dir, cfg, "gw-2", "gw2.log");
      REQUIRE(wait_until([&] { return provider.log_lines().size() == 3; }, std::chrono::seconds(30)));
      std::this_thread::sleep_for(std::chrono::seconds(6));  // another look by each
    }
    // As if a gateway had died between enqueuing the job and recording it: the next look
    // finds the occurrence unhandled, and the job stream's idempotency key holds it to one.
    const json before = state_of(redis, "vua-den");
    REQUIRE(redis.connect()->command({"HDEL", "t:remind-state", "vua-den"}));
    {
      Gateway again(dir, cfg, "gw-1", "gw1-again.log");
      std::this_thread::sleep_for(std::chrono::seconds(7));  // a restart looks again
      CHECK(again.log().find("enqueued as job") == std::string::npos);
      CHECK(state_of(redis, "vua-den").value("job", "") == before.value("job", "x"));  // the same job, found again
    }
    CHECK(redis.connect()->command({"XLEN", "t:jobs"})->as_int() == 1);  // exactly one job
    const auto lines = provider.log_lines();
    CHECK(lines.size() == 3);                                            // each resident once
    REQUIRE_FALSE(lines.empty());
    CHECK(lines[0].find("ngày " + dmy) != std::string::npos);            // the occurrence's date
    CHECK(lines[0].find("tháng") != std::string::npos);                  // and its lunar date
    const json sent = state_of(redis, "vua-den");
    CHECK_FALSE(sent.value("job", "").empty());
    CHECK(sent.value("missed", json::array()).empty());
    const json missed = state_of(redis, "da-lo");
    CHECK(missed.value("job", "") == "");
    REQUIRE(missed.value("missed", json::array()).size() == 1);
    // The reminder's job is in the audit trail once, sent by the reminder.
    auto audit = run_loa(cfg, {"audit", "--json"});
    REQUIRE(audit.code == 0);
    int by_reminder = 0;
    for (const auto& e : json::parse(audit.out))
      if (e["action"] == "send" && e["actor"] == "remind:vua-den" && e["job"] == sent.value("job", "")) ++by_reminder;
    CHECK(by_reminder == 1);
    CHECK(run_loa(cfg, {"audit", "--verify"}).code == 0);
    auto listed = run_loa(cfg, {"remind", "list"});
    CHECK(listed.out.find("last sent: ") != std::string::npos);
    CHECK(listed.out.find("missed (every gateway down past the grace): ") != std::string::npos);
  }

  TEST_CASE("on each resident's own date: one job a day with that day's residents; dates as offices type them; unreadable ones reported") {
    TempDir dir;
    RedisServer redis(dir);
    FakeProvider provider(dir, "fake", {"--no-reports"});
    dir.write("templates/tiem-rieng.yaml",
              "description: test\nvariables: [ngay]\nmax_segments: 3\n"
              "body: \"{{ten_phuong}} nhắc {{ho_ten}}: ngày {{ngay}} cháu tiêm mũi tiếp theo\"\n");
    const std::int64_t came = loa::util::now_ms() - 2 * 60 * 1000;
    const std::string local = loa::util::format_local(came, "Asia/Ho_Chi_Minh");  // the occurrence's day and time
    // The residents due the day after the occurrence's day.
    auto day_after = [&](int n) {
      auto t = loa::util::parse_time(local.substr(0, 10) + " 12:00", "Asia/Ho_Chi_Minh");
      return loa::util::format_local(*t + n * 86400000LL, "Asia/Ho_Chi_Minh").substr(0, 10);  // YYYY-MM-DD
    };
    const std::string due = day_after(1), later = day_after(2);
    const std::string due_dmy = due.substr(8, 2) + "/" + due.substr(5, 2) + "/" + due.substr(0, 4);
    dir.write("wards/phuong-6.csv", "Họ và tên,Số điện thoại,Ngày tiêm tiếp\n"
                                    "Cháu An,0912000001," + due_dmy + "\n"
                                    "Cháu Bình,0912000002," + due + "\n"
                                    "Cháu Chi,0912000003," + later.substr(8, 2) + "/" + later.substr(5, 2) + "/" + later.substr(0, 4) + "\n"
                                    "Cháu Dũng,0912000004,sắp tới\n"
                                    "Cháu Em,0912000005,\n");
    const std::string cfg = write_config(dir, redis.url(), provider.port());
    const std::string rule = "1 day before column ngay_tiem_tiep at " + local.substr(11, 5);

    // Made from the command line: the row whose date cannot be read is named.
    auto added = run_loa(cfg, {"remind", "add", "tiem-tung-chau", "--template", "tiem-rieng", "--ward", "phuong-6", "--when", rule});
    CHECK_MESSAGE(added.code == 0, added.err);
    CHECK(added.out.find("1 row(s) whose ngay_tiem_tiep is not a day") != std::string::npos);
    CHECK(added.out.find("phuong-6 row 5: \"sắp tới\"") != std::string::npos);
    CHECK(run_loa(cfg, {"remind", "add", "x", "--template", "tiem-rieng", "--ward", "phuong-6", "--when",
                        "1 day before column ngay_sinh"}).code == 2);  // no such column in the list
    REQUIRE(run_loa(cfg, {"remind", "remove", "tiem-tung-chau"}).code == 0);

    // Made before the occurrence came (as if yesterday): today's job holds the residents due tomorrow.
    store_reminder(redis, "tiem-tung-chau", rule, 10 * 60 * 1000, "tiem-rieng");
    Gateway gw(dir, cfg, "gw-1", "gw.log");
    REQUIRE(wait_until([&] { return provider.log_lines().size() == 2; }, std::chrono::seconds(30)));
    std::this_thread::sleep_for(std::chrono::seconds(6));
    const auto lines = provider.log_lines();
    CHECK(lines.size() == 2);  // An (dd/mm/yyyy) and Bình (yyyy-mm-dd); not Chi (later), Dũng, Em
    for (const auto& l : lines) CHECK(l.find("ngày " + due_dmy + " cháu tiêm") != std::string::npos);
    CHECK(redis.connect()->command({"XLEN", "t:jobs"})->as_int() == 1);
    const auto spec = json::parse(redis.connect()->command({"XRANGE", "t:jobs", "-", "+"})->elements[0].elements[1].elements[1].text());
    CHECK(spec["on_date"]["column"] == "ngay_tiem_tiep");
    CHECK(spec["on_date"]["date"] == due);
  }

  TEST_CASE("the shipped reminders (config/reminders.sh) with the shipped templates: made once, listed with their dates, a second run leaves them") {
    TempDir dir;
    RedisServer redis(dir);
    const std::string cfg = write_config(dir, redis.url(), 1);
    for (const char* t : {"lich-nghi-le", "treo-co", "tiem-ngua", "tiem-rieng"}) {
      std::ifstream in(std::string(LOA_SOURCE_DIR) + "/templates/" + t + ".yaml");
      REQUIRE(in);
      dir.write(std::string("templates/") + t + ".yaml", std::string(std::istreambuf_iterator<char>(in), {}));
    }
    dir.write("wards/phuong-6.csv", "Họ và tên,Số điện thoại,Ngày tiêm tiếp\nChị Hoa,0912000001,15/01/2027\n");
    const std::map<std::string, std::string> env{{"LOA", bin("loa")}, {"LOA_CONFIG", cfg}, {"WARDS", "phuong-6"},
                                                 {"CHILD_WARDS", "phuong-6"}};
    const std::vector<std::string> script{"sh", std::string(LOA_SOURCE_DIR) + "/config/reminders.sh"};
    auto first = run(script, env);
    REQUIRE_MESSAGE(first.code == 0, first.out << first.err);
    for (const char* name : {"tet-lich-nghi", "gio-to-treo-co", "quoc-khanh-treo-co", "tiem-ngua-hang-thang", "tiem-tung-chau"}) {
      CAPTURE(name);
      CHECK(first.out.find(std::string("reminder ") + name + " added; next: ") != std::string::npos);
    }
    CHECK(redis.connect()->command({"HLEN", "t:reminders"})->as_int() == 5);
    // Tết's job: the holiday schedule with the whole break filled in from the calendar.
    auto tet = run_loa(cfg, {"remind", "run", "tet-lich-nghi", "--dry-run"});
    REQUIRE_MESSAGE(tet.code == 0, tet.err);
    const auto job = json::parse(tet.out.substr(tet.out.find('{')));
    CHECK(job["template"] == "lich-nghi-le");
    CHECK(job["vars"]["dip_le"] == "Tết Nguyên đán");
    CHECK(job["vars"].contains("tu_ngay"));
    CHECK(job["vars"].contains("den_ngay"));
    auto again = run(script, env);
    REQUIRE_MESSAGE(again.code == 0, again.out << again.err);
    CHECK(again.out.find("reminder tet-lich-nghi exists; left as it is") != std::string::npos);
    CHECK(redis.connect()->command({"HLEN", "t:reminders"})->as_int() == 5);
  }
}
