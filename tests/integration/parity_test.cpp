// One road for every send (issue 30): the same request through the local `loa` (Redis
// directly, as the local admin), `loa --server` (the API, as an officer) and the API itself
// is refused or accepted alike, with the same exit code (HTTP status) and the same words,
// ids and times aside. Each case of the table is one thing an official gets wrong or needs
// to know at send time.
#include <doctest/doctest.h>

#include <regex>
#include <thread>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "core/reports/words.h"
#include "core/util/i18n.h"
#include "core/util/strings.h"
#include "core/util/time.h"
#include "tests/integration/harness.h"

using namespace loa::test;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

constexpr const char* kZone = "Asia/Ho_Chi_Minh";

// "YYYY-MM-DD HH:MM" in the config's zone, `minutes` from now.
std::string local_in(int minutes) {
  return loa::util::format_local(loa::util::now_ms() + minutes * 60000LL, kZone).substr(0, 16);
}

// A message as `loa` says it in Vietnamese (the config's language).
template <typename... Args>
std::string tr(const char* msgid, Args&&... args) {
  loa::i18n::choose("vi");
  return fmt::format(fmt::runtime(loa::i18n::tr(msgid)), std::forward<Args>(args)...);
}

// Ids (epoch ms and a sequence) as one word, so that roads compare by their words only.
std::string without_ids(std::string s) {
  static const std::regex id(R"(\b1[0-9]{12}-[0-9]+\b)");
  return std::regex_replace(s, id, "<id>");
}

// The lines of a command's output, ids aside ("loa: " taken off stderr's).
std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  for (auto line : loa::util::split(text, "\n")) {
    std::string l(line);
    if (l.starts_with("loa: ")) l = l.substr(5);
    out.push_back(without_ids(l));
  }
  return out;
}

struct Case {
  std::string name;
  std::vector<std::string> args;  ///< after `send --template thong-bao`
  int code;                       ///< exit code on every road
  std::vector<std::string> said;  ///< words each road must say (on stdout or stderr)
  bool as_officer_only = false;   ///< a right the local admin has: not asked of the local road
};

}  // namespace

TEST_SUITE("integration/parity") {
  TEST_CASE("a send is refused or accepted alike through loa, loa --server and the API, in the same words") {
    TempDir dir;
    RedisServer redis(dir);
    FakeProvider provider(dir, "fake");
    write_ward(dir, "phuong-6", 3);
    dir.write("wards/phuong-8.csv", "Họ và tên,Số điện thoại,Khóm/Ấp\nAn,12345,Khóm 1\nBình,,Khóm 2\nChi,0000,Khóm 1\n");
    // Quiet hours from two to four hours from now: a job --at three hours waits for their end.
    const int minute = loa::util::minute_of_day(loa::util::now_ms(), kZone);
    const auto hhmm = [](int m) { return fmt::format("{:02}:{:02}", (m % 1440) / 60, m % 60); };
    const std::string quiet = fmt::format("quiet_hours: {{ start: \"{}\", end: \"{}\" }}\n", hhmm(minute + 120),
                                          hhmm(minute + 240));
    auto cfg = write_config(dir, redis.url(), provider.port(), "",
                            "language: vi\napi: { listen: \"127.0.0.1:0\" }\napproval: { urgent: true }\n" + quiet);
    add_ward(dir, "phuong-7", "Phường 7", 3);
    {
      std::string text = dir.read("loa.yaml");  // phuong-8's list is written above
      text.insert(text.find("  phuong-6: \"Phường 6\"\n"), "  phuong-8: \"Phường 8\"\n");
      dir.write("loa.yaml", text);
    }
    const std::string token = account(cfg, {"lan", "--role", "officer", "--wards", "phuong-6,phuong-8"});
    Gateway gw(dir, cfg, "gw-1", "gw.log");
    const std::string server = "http://127.0.0.1:" + std::to_string(gw.api_port());
    REQUIRE(wait_until([&] { return run_loa(cfg, {"jobs"}).code == 0; }, 10s));
    std::this_thread::sleep_for(600ms);  // the intake has read the queue: a gateway is there

    const std::string at_quiet = local_in(180), at_later = local_in(60);
    const std::string too_long(500, 'x');
    // `{road}` in a variable is replaced by the road's letter: each road's announcements are
    // its own, so that one road's send is not another's repeat.
    const std::vector<Case> table = {
        {"a misspelt variable",
         {"--ward", "phuong-6", "--var", "noi_dung=họp {road}", "--var", "ghichu=x"},
         2,
         {"\"ghichu\"", tr("template \"{}\" takes: {}", "thong-bao", "noi_dung")}},
        {"a misspelt variable name, the right one missing",
         {"--ward", "phuong-6", "--var", "noi_dug=họp {road}"},
         2,
         {"\"noi_dug\"", tr("; did you mean \"{}\"?", "noi_dung")}},
        {"an unknown ward, with a did-you-mean",
         {"--ward", "phuong6", "--var", "noi_dung=họp {road}"},
         2,
         {tr("unknown {} \"{}\"", tr("ward"), "phuong6"), tr("; did you mean \"{}\"?", "phuong-6")}},
        {"another ward's id",
         {"--ward", "phuong-7", "--var", "noi_dung=họp {road}"},
         2,
         {tr("account {} may not send to ward \"{}\"", "lan", "phuong-7")},
         true},
        {"nobody to send to", {"--ward", "phuong-8", "--var", "noi_dung=họp {road}"}, 2, {tr("no resident would get a message (all {} row(s) skipped or filtered out)", 3)}},
        {"too long", {"--ward", "phuong-6", "--var", "noi_dung=" + too_long}, 2, {tr("{} message(s) over max_segments {} of template \"{}\"; nothing was enqueued", 3, 3, "thong-bao")}},
        {"a first send", {"--ward", "phuong-6", "--var", "noi_dung=lịch tiêm {road}"}, 0, {"<id>"}},
        {"its repeat within 24 hours, spaces aside",
         {"--ward", "phuong-6", "--var", "noi_dung=lịch  tiêm {road} "},
         2,
         {tr("the same announcement (template \"{}\", the same variables and wards) went out as job {} less than 24 "
             "hours ago; nothing enqueued (--again sends it once more)",
             "thong-bao", "<id>")}},
        {"its repeat, meant (--again)",
         {"--ward", "phuong-6", "--var", "noi_dung=lịch tiêm {road}", "--again"},
         0,
         {"<id>"}},
        {"--at", {"--ward", "phuong-6", "--var", "noi_dung=ngày hội {road}", "--at", at_later}, 0, {"<id>"}},
        {"--at in quiet hours",
         {"--ward", "phuong-6", "--var", "noi_dung=vệ sinh {road}", "--at", at_quiet},
         0,
         {tr("scheduled: it goes at {}", loa::reports::time_for_people(*loa::util::parse_time(at_quiet, kZone), kZone)),
          "(" + hhmm(minute + 120) + "-" + hhmm(minute + 240) + ")"}},
        {"urgent, so approval", {"--ward", "phuong-6", "--var", "noi_dung=khẩn {road}", "--urgent"}, 0, {tr("it waits for approval ({}): an approver or admin other than the sender approves it (loa approve JOB)",
                                                                                                  tr("urgent"))}},
    };

    const std::map<std::string, std::string> env{{"LOA_TOKEN", token}};
    httplib::Client api("127.0.0.1", gw.api_port());
    api.set_read_timeout(20, 0);
    const httplib::Headers headers{{"Authorization", "Bearer " + token}, {"Accept-Language", "vi"}};

    for (const Case& c : table) {
      CAPTURE(c.name);
      std::map<std::string, std::vector<std::string>> said;  // road -> lines
      for (const std::string road : {"L", "S", "A"}) {
        if (road == "L" && c.as_officer_only) continue;
        CAPTURE(road);
        std::vector<std::string> args = {"send", "--template", "thong-bao"};
        for (auto a : c.args) {
          if (auto at = a.find("{road}"); at != std::string::npos) a.replace(at, 6, road);
          args.push_back(a);
        }
        if (road != "A") {
          std::vector<std::string> argv = {bin("loa"), "--config", cfg};
          if (road == "S") argv.insert(argv.end(), {"--server", server});
          argv.insert(argv.end(), args.begin(), args.end());
          auto r = run(argv, env);
          CHECK_MESSAGE(r.code == c.code, (r.out + r.err));
          std::vector<std::string> both = lines_of(r.err);
          for (auto& l : lines_of(r.out)) both.push_back(l);
          said[road] = both;
        } else {
          // The request the command line would make, as JSON: the API's own road.
          json body{{"template", "thong-bao"}, {"vars", json::object()}};
          bool again = false;
          for (std::size_t i = 3; i < args.size(); ++i) {
            if (args[i] == "--ward") body["wards"] = json::array({args[++i]});
            else if (args[i] == "--var") {
              auto eq = args[++i].find('=');
              body["vars"][args[i].substr(0, eq)] = args[i].substr(eq + 1);
            } else if (args[i] == "--at") body["at"] = args[++i];
            else if (args[i] == "--urgent") body["urgent"] = true;
            else if (args[i] == "--again") again = true;
          }
          if (again) body["again"] = true;
          auto r = api.Post("/api/v1/jobs", headers, body.dump(), "application/json");
          REQUIRE(r);
          CHECK_MESSAGE((c.code == 0 ? r->status / 100 == 2 : r->status / 100 == 4), r->body);
          auto j = json::parse(r->body);
          std::vector<std::string> words;
          for (const auto& e : j.value("errors", json::array())) words.push_back(without_ids(e.get<std::string>()));
          for (const char* key : {"at_local", "quiet_hours", "approval", "id"})
            if (j.contains(key) && j[key].is_string()) words.push_back(without_ids(j[key].get<std::string>()));
          said[road] = words;
        }
        if (road == "A") continue;  // the API's words are checked against the command line's below
        const std::string all = loa::util::join(said[road], "\n");
        for (const auto& w : c.said) CHECK_MESSAGE(all.find(w) != std::string::npos, (w + " not in:\n" + all));
      }
      // The command line says the same on both of its roads, line for line (the road's
      // own letter aside); the API's words are among them.
      auto same_letters = [](std::vector<std::string> v) {
        for (auto& l : v) l = std::regex_replace(l, std::regex(R"(\b[LSA]\b)"), "R");
        return v;
      };
      if (said.count("L")) CHECK(same_letters(said["L"]) == same_letters(said["S"]));
      const std::string cli = loa::util::join(same_letters(said["S"]), "\n");
      for (const auto& w : same_letters(said["A"])) CHECK_MESSAGE(cli.find(w) != std::string::npos, (w + " not in:\n" + cli));
    }

    // What was sent is in the audit trail once a road, by who sent it.
    auto audit = run_loa(cfg, {"audit", "--json"});
    REQUIRE(audit.code == 0);
    int by_lan = 0, local = 0;
    for (const auto& e : json::parse(audit.out)) {
      if (e["action"] != "send") continue;
      (e["actor"] == "lan" ? by_lan : local) += 1;
    }
    CHECK(by_lan == 2 * 5);  // five sends on each of the account's two roads
    CHECK(local == 5);
  }

  TEST_CASE("status says what a job waits for, and what an approver is asked, alike on Redis and through the API") {
    TempDir dir;
    RedisServer redis(dir);
    FakeProvider provider(dir, "fake");
    write_ward(dir, "phuong-6", 3);
    // Quiet hours from two minutes ago to two hours from now; urgent work needs approval.
    const int minute = loa::util::minute_of_day(loa::util::now_ms(), kZone);
    const auto hhmm = [](int m) { return fmt::format("{:02}:{:02}", ((m + 1440) % 1440) / 60, (m + 1440) % 60); };
    auto cfg = write_config(dir, redis.url(), provider.port(), "",
                            fmt::format("language: vi\napi: {{ listen: \"127.0.0.1:0\" }}\napproval: {{ urgent: true }}\n"
                                        "pricing: {{ currency: VND, unicode_segment: 800, gsm_segment: 750 }}\n"
                                        "quiet_hours: {{ start: \"{}\", end: \"{}\" }}\n",
                                        hhmm(minute - 2), hhmm(minute + 120)));
    const std::string officer = account(cfg, {"lan", "--role", "officer", "--wards", "phuong-6"});
    const std::string approver = account(cfg, {"hoa", "--role", "approver", "--wards", "phuong-6"});
    Gateway gw(dir, cfg, "gw-1", "gw.log");
    const std::string server = "http://127.0.0.1:" + std::to_string(gw.api_port());
    auto status_both = [&](const std::string& job) {
      auto local = run_loa(cfg, {"status", job});
      auto remote = run({bin("loa"), "--config", cfg, "--server", server, "status", job}, {{"LOA_TOKEN", approver}});
      CHECK(local.code == 0);
      CHECK(remote.code == 0);
      CHECK(local.out == remote.out);
      return local.out;
    };

    // Bulk work in quiet hours: waiting, until when; not "sending".
    const std::string bulk = job_id(run({bin("loa"), "--config", cfg, "--server", server, "send", "--template",
                                         "thong-bao", "--ward", "phuong-6", "--var", "noi_dung=họp tổ"},
                                        {{"LOA_TOKEN", officer}}));
    REQUIRE(wait_until([&] { return job_status(cfg, bulk)["counts"].value("queued", 0) == 3; }, 15s));
    const std::string quiet = status_both(bulk);
    CHECK(quiet.find(tr("waiting: {}", tr("quiet hours ({:02}:{:02}-{:02}:{:02}): its messages wait until {:02}:{:02}",
                                          ((minute - 2 + 1440) % 1440) / 60, (minute - 2 + 1440) % 60,
                                          ((minute + 120) % 1440) / 60, (minute + 120) % 60, ((minute + 120) % 1440) / 60,
                                          (minute + 120) % 60))) != std::string::npos);
    CHECK(quiet.find(tr("job {}: {}", bulk, tr("waiting"))) != std::string::npos);
    CHECK(quiet.find("đang gửi") == std::string::npos);

    // Urgent, so held for approval: the approver sees the units, the variables, the count,
    // the cost and the text.
    const std::string urgent = job_id(run({bin("loa"), "--config", cfg, "--server", server, "send", "--template",
                                           "thong-bao", "--ward", "phuong-6", "--var", "noi_dung=cúp nước", "--urgent"},
                                          {{"LOA_TOKEN", officer}}));
    REQUIRE(wait_until([&] { return job_status(cfg, urgent)["state"] == "awaiting_approval"; }, 15s));
    const std::string held = status_both(urgent);
    CHECK(held.find(tr("for approval ({}) by an approver or admin other than {}", tr("urgent"), "lan")) != std::string::npos);
    CHECK(held.find(tr("units: {}", "Phường 6 (phuong-6)")) != std::string::npos);
    CHECK(held.find(tr("variables: {}", "noi_dung=cúp nước")) != std::string::npos);
    CHECK(held.find(tr("recipients: {}, {} segment(s), {}", 3, 3, tr("about {} {}", "2.400", "VND"))) != std::string::npos);
    CHECK(held.find("Phường 6 kính báo Cư dân 0 (Khóm 1): cúp nước") != std::string::npos);
    CHECK(held.find(tr("total {}", 0)) == std::string::npos);
    httplib::Client api("127.0.0.1", gw.api_port());
    auto got = api.Get("/api/v1/jobs/" + urgent, {{"Authorization", "Bearer " + approver}});
    REQUIRE(got);
    auto j = json::parse(got->body);
    CHECK(j["waiting"]["for"] == "approval");
    CHECK(j["asked"]["recipients"] == 3);
    CHECK(j["asked"]["cost"] == 2400);
    CHECK(j["asked"]["text"] == "Phường 6 kính báo Cư dân 0 (Khóm 1): cúp nước");

    // Scheduled: for its --at.
    const std::string later = local_in(300);
    const std::string at = job_id(run({bin("loa"), "--config", cfg, "--server", server, "send", "--template", "thong-bao",
                                       "--ward", "phuong-6", "--var", "noi_dung=ngày hội", "--at", later},
                                      {{"LOA_TOKEN", officer}}));
    REQUIRE(wait_until([&] { return job_status(cfg, at)["state"] == "scheduled"; }, 15s));
    const std::string scheduled = status_both(at);
    CHECK(scheduled.find(tr("scheduled for {}", loa::reports::time_for_people(*loa::util::parse_time(later, kZone), kZone))) !=
          std::string::npos);
  }

  TEST_CASE("no gateway reading the queue (its Redis user may not XREADGROUP): said alike on the three roads") {
    TempDir dir;
    RedisServer redis(dir);
    FakeProvider provider(dir, "fake");
    write_ward(dir, "phuong-6", 3);
    // A gateway whose Redis user lacks the intake's commands: it serves the API, but no
    // consumer ever reads the job stream (a misconfigured ACL, as an operator may write one).
    REQUIRE(redis.connect()->command({"ACL", "SETUSER", "gw", "on", ">gw-pass", "~*", "&*", "+@all", "-xreadgroup",
                                      "-xautoclaim"}));
    const std::string url = "unix://gw:gw-pass@" + dir.file("redis.sock");
    auto cfg = write_config(dir, url, provider.port(), "", "language: vi\napi: { listen: \"127.0.0.1:0\" }\n");
    const std::string token = account(cfg, {"lan", "--role", "officer", "--wards", "phuong-6"});
    Gateway gw(dir, cfg, "gw-1", "gw.log");
    const std::string server = "http://127.0.0.1:" + std::to_string(gw.api_port());
    const std::string warning = tr("warning: no gateway has read the job queue yet (is loa-gatewayd running?); the job "
                                   "waits in the queue until one does");
    std::vector<std::vector<std::string>> said;
    std::string job;
    for (const std::string road : {"L", "S"}) {
      std::vector<std::string> argv = {bin("loa"), "--config", cfg};
      if (road == "S") argv.insert(argv.end(), {"--server", server});
      argv.insert(argv.end(), {"send", "--template", "thong-bao", "--ward", "phuong-6", "--var", "noi_dung=họp " + road});
      auto r = run(argv, {{"LOA_TOKEN", token}});
      CHECK_MESSAGE(r.code == 0, (r.out + r.err));
      CHECK_MESSAGE(r.err.find(warning) != std::string::npos, r.err);
      if (road == "L") job = job_id(r);
      std::vector<std::string> both = lines_of(r.err);
      for (auto& l : lines_of(r.out)) both.push_back(l);
      said.push_back(both);
    }
    CHECK(said[0] == said[1]);
    httplib::Client api("127.0.0.1", gw.api_port());
    auto r = api.Post("/api/v1/jobs", {{"Authorization", "Bearer " + token}, {"Accept-Language", "vi"}},
                      json{{"template", "thong-bao"}, {"wards", {"phuong-6"}}, {"vars", {{"noi_dung", "họp A"}}}}.dump(),
                      "application/json");
    REQUIRE(r);
    CHECK(r->status == 202);
    CHECK(json::parse(r->body)["gateway_idle_s"] == -1);
    // And the job says what it waits for, alike on both command-line roads.
    auto local = run_loa(cfg, {"status", job});
    auto remote = run({bin("loa"), "--config", cfg, "--server", server, "status", job}, {{"LOA_TOKEN", token}});
    CHECK(local.out == remote.out);
    CHECK(local.out.find(tr("for a gateway to take it")) != std::string::npos);
  }
}
