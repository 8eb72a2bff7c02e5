// The officials' HTTP API (issue 13, point 2): every endpoint with good, missing, wrong-ward
// and wrong-role tokens, and nothing changed on a 401 or 403.
#include <doctest/doctest.h>

#include <algorithm>

#include <filesystem>

#include <httplib.h>

#include <nlohmann/json.hpp>

#include "tests/integration/harness.h"

using namespace loa::test;
using nlohmann::json;

namespace {


struct Api {
  int port;
  httplib::Result call(const std::string& method, const std::string& path, const std::string& token,
                       const std::string& body = "") const {
    httplib::Client c("127.0.0.1", port);
    c.set_read_timeout(20, 0);
    httplib::Headers h;
    if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
    if (method == "GET") return c.Get(path, h);
    if (method == "DELETE") return c.Delete(path, h);
    return c.Post(path, h, body, "application/json");
  }
};

std::string job_body(const std::string& ward, bool urgent = false, const std::string& text = "họp tổ dân phố") {
  return json{{"template", "thong-bao"}, {"wards", {ward}}, {"vars", {{"noi_dung", text}}}, {"urgent", urgent}}.dump();
}

// What can change: the job stream, jobs, opt-outs, the audit trail.
std::string state_of(RedisServer& redis) {
  auto c = redis.connect();
  std::string out;
  for (const char* key : {"t:jobs", "t:audit"}) out += c->command({"XLEN", key})->text() + ",";
  out += c->command({"HLEN", "t:optout"})->text() + ",";
  out += c->command({"ZCARD", "t:index"})->text();
  return out;
}

// `loa --server URL args...` on an official's machine: no gateway config (LOA_CONFIG names
// none), the token in $LOA_TOKEN, Vietnamese unless `env` says otherwise.
struct Official {
  std::string server, token;
  CommandResult operator()(std::vector<std::string> args, std::map<std::string, std::string> env = {}) const {
    args.insert(args.begin(), {bin("loa"), "--server", server});
    env.emplace("LOA_TOKEN", token);
    env.emplace("LOA_CONFIG", "/nonexistent/loa.yaml");
    env.emplace("LC_ALL", "");
    env.emplace("LANG", "vi_VN.UTF-8");
    return run(args, env);
  }
};

}  // namespace

TEST_SUITE("integration/api") {
  TEST_CASE("tokens, wards and roles: 401 and 403 change nothing; each right where the contract gives it") {
    Rig rig(3, {}, "", "api: { listen: \"127.0.0.1:0\", token_failures_per_minute: 1000 }\napproval: { urgent: true }\n");
    auto& [dir, redis, provider, cfg] = rig;
    add_ward(dir, "phuong-7", "Phường 7", 2);
    const std::string lan = account(cfg, {"lan", "--role", "officer", "--wards", "phuong-6"});
    const std::string minh = account(cfg, {"minh", "--role", "approver", "--wards", "phuong-6,phuong-7"});
    const std::string admin = account(cfg, {"chu-tich", "--role", "admin"});
    Gateway gw(dir, cfg, "gw-1", "gw.log");
    Api api{gw.api_port()};

    // No token, a wrong one: 401 on every endpoint, and nothing changes.
    const std::string before = state_of(redis);
    for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
             {"GET", "/api/v1/templates"}, {"GET", "/api/v1/wards"}, {"POST", "/api/v1/preview"}, {"POST", "/api/v1/jobs"},
             {"GET", "/api/v1/jobs"}, {"GET", "/api/v1/jobs/1-0"}, {"GET", "/api/v1/jobs/1-0/report.csv"},
             {"GET", "/api/v1/jobs/1-0/report.xlsx"}, {"POST", "/api/v1/jobs/1-0/cancel"},
             {"POST", "/api/v1/jobs/1-0/approve"}, {"POST", "/api/v1/jobs/1-0/reject"},
             {"POST", "/api/v1/jobs/1-0/retry?which=failed"}, {"POST", "/api/v1/optouts"},
             {"DELETE", "/api/v1/optouts/0912000001"}}) {
      CAPTURE(path);
      for (const std::string& token : {std::string(), std::string("loa_forged"), lan + "x"}) {
        auto r = api.call(method, path, token, job_body("phuong-6"));
        REQUIRE(r);
        CHECK(r->status == 401);
      }
    }
    CHECK(state_of(redis) == before);

    // What the account may use.
    auto wards = api.call("GET", "/api/v1/wards", lan);
    REQUIRE(wards);
    CHECK(wards->status == 200);
    CHECK(json::parse(wards->body) == json::parse(R"([{"id":"phuong-6","name":"Phường 6","kind":"phường"}])"));
    auto templates = json::parse(api.call("GET", "/api/v1/templates", lan)->body);
    REQUIRE(templates.size() >= 1);
    CHECK(templates[0]["name"] == "thong-bao");

    // A preview: rendered samples with masked numbers, the totals; another ward's is 403.
    auto preview = api.call("POST", "/api/v1/preview?limit=2", lan, job_body("phuong-6"));
    REQUIRE(preview);
    REQUIRE_MESSAGE(preview->status == 200, preview->body);
    auto shown = json::parse(preview->body);
    CHECK(shown["messages"].size() == 2);
    CHECK(shown["messages"][0]["phone"] == "0912***000");
    CHECK(shown["messages"][0]["text"].get<std::string>().find("họp tổ dân phố") != std::string::npos);
    CHECK(shown["totals"]["messages"] == 3);
    CHECK(api.call("POST", "/api/v1/preview", lan, job_body("phuong-7"))->status == 403);

    // Another ward: 403, nothing enqueued.
    auto other = api.call("POST", "/api/v1/jobs", lan, job_body("phuong-7"));
    CHECK(other->status == 403);
    CHECK(state_of(redis) == before);
    // The validation of loa send, every problem named.
    auto bad = api.call("POST", "/api/v1/jobs", lan,
                        json{{"template", "thong-bao"}, {"wards", {"phuong-6"}}, {"vars", json::object()}}.dump());
    CHECK(bad->status == 400);
    CHECK(json::parse(bad->body)["errors"].dump().find("noi_dung") != std::string::npos);
    CHECK(api.call("POST", "/api/v1/jobs", lan, "{not json")->status == 400);
    CHECK(state_of(redis) == before);

    // Its own ward: 202, sent by the account, audited with its address.
    auto sent = api.call("POST", "/api/v1/jobs", lan, job_body("phuong-6"));
    REQUIRE(sent);
    REQUIRE_MESSAGE(sent->status == 202, sent->body);
    const std::string job = json::parse(sent->body)["id"];
    CHECK(json::parse(sent->body)["recipients"] == 3);
    REQUIRE(wait_until([&] { return job_status(cfg, job)["state"] == "done"; }, std::chrono::seconds(20)));
    auto status = json::parse(api.call("GET", "/api/v1/jobs/" + job, lan)->body);
    CHECK(status["id"] == job);
    CHECK(status["by"] == "lan");
    CHECK(status["counts"]["sent"].get<int>() + status["counts"]["delivered"].get<int>() == 3);
    auto trail = json::parse(run_loa(cfg, {"audit", "--job", job, "--json"}).out);
    REQUIRE(trail.size() == 1);
    CHECK(trail[0]["actor"] == "lan");
    CHECK(trail[0]["source"] == "127.0.0.1");
    // Its reports: the CSV with masked numbers, the workbook.
    auto csv = api.call("GET", "/api/v1/jobs/" + job + "/report.csv", lan);
    REQUIRE(csv->status == 200);
    CHECK(csv->body.rfind("\xEF\xBB\xBFSTT,Dòng,Đơn vị", 0) == 0);
    CHECK(csv->body.find("0912***001") != std::string::npos);
    CHECK(csv->body.find("0912000001") == std::string::npos);
    auto book = api.call("GET", "/api/v1/jobs/" + job + "/report.xlsx", lan);
    REQUIRE(book->status == 200);
    CHECK(book->body.rfind("PK\x03\x04", 0) == 0);
    CHECK(book->get_header_value("Content-Type").find("spreadsheetml") != std::string::npos);
    // The same again within a day: 409 without ?again=true.
    CHECK(api.call("POST", "/api/v1/jobs", lan, job_body("phuong-6"))->status == 409);

    // A job to phuong-7 (the approver's) is not the officer's to see or cancel.
    auto theirs = api.call("POST", "/api/v1/jobs", minh, job_body("phuong-7"));
    REQUIRE_MESSAGE(theirs->status == 202, theirs->body, run_loa(cfg, {"account", "list", "--json"}).out);
    const std::string their_job = json::parse(theirs->body)["id"];
    // Answered as an unknown id would be (issue 29): whether another ward sent is not told.
    auto theirs_seen = api.call("GET", "/api/v1/jobs/" + their_job, lan);
    auto unknown_seen = api.call("GET", "/api/v1/jobs/1700000000000-0", lan);
    CHECK(theirs_seen->status == 404);
    CHECK(unknown_seen->status == 404);
    // The same words, but for the id.
    std::string theirs_said = json::parse(theirs_seen->body)["error"], unknown_said = json::parse(unknown_seen->body)["error"];
    theirs_said.replace(theirs_said.find(their_job), their_job.size(), "ID");
    unknown_said.replace(unknown_said.find("1700000000000-0"), 15, "ID");
    CHECK(theirs_said == unknown_said);
    CHECK(api.call("POST", "/api/v1/jobs/" + their_job + "/cancel", lan)->status == 404);
    CHECK(api.call("GET", "/api/v1/jobs/" + their_job + "/report.csv", lan)->status == 404);
    // An id of its milliseconds alone is no id: never a view of the job of that millisecond.
    const std::string ms_only = their_job.substr(0, their_job.find('-'));
    CHECK(api.call("GET", "/api/v1/jobs/" + ms_only, minh)->status == 404);
    auto listed = json::parse(api.call("GET", "/api/v1/jobs", lan)->body);
    for (const auto& j : listed) CHECK(j["id"] != their_job);
    CHECK(listed.size() == 1);
    CHECK(json::parse(api.call("GET", "/api/v1/jobs", admin)->body).size() == 2);

    // Rights of a role: an officer neither approves, resends nor changes opt-outs.
    const std::string urgent = json::parse(api.call("POST", "/api/v1/jobs", lan, job_body("phuong-6", true, "khẩn"))->body)["id"];
    REQUIRE(wait_until([&] { return job_status(cfg, urgent)["state"] == "awaiting_approval"; }, std::chrono::seconds(10)));
    const std::string held = state_of(redis);
    CHECK(api.call("POST", "/api/v1/jobs/" + urgent + "/approve", lan)->status == 403);
    CHECK(api.call("POST", "/api/v1/jobs/" + job + "/retry?which=failed", lan)->status == 403);
    CHECK(api.call("POST", "/api/v1/optouts", lan, R"({"number":"0912000001"})")->status == 403);
    CHECK(api.call("DELETE", "/api/v1/optouts/0912000001", minh)->status == 403);
    CHECK(state_of(redis) == held);
    CHECK(job_status(cfg, urgent)["state"] == "awaiting_approval");

    // The approver approves the officer's job; an approver's own urgent job needs another.
    auto approved = api.call("POST", "/api/v1/jobs/" + urgent + "/approve", minh);
    CHECK_MESSAGE(approved->status == 200, approved->body);
    REQUIRE(wait_until([&] { return job_status(cfg, urgent)["state"] == "done"; }, std::chrono::seconds(20)));
    const std::string own = json::parse(api.call("POST", "/api/v1/jobs?again=true", minh, job_body("phuong-7", true))->body)["id"];
    REQUIRE(wait_until([&] { return job_status(cfg, own)["state"] == "awaiting_approval"; }, std::chrono::seconds(10)));
    CHECK(api.call("POST", "/api/v1/jobs/" + own + "/approve", minh)->status == 403);
    CHECK(api.call("POST", "/api/v1/jobs/" + own + "/reject", admin, "{}")->status == 400);  // a reason is needed
    auto rejected = api.call("POST", "/api/v1/jobs/" + own + "/reject", admin, R"({"reason":"trùng lịch"})");
    CHECK(rejected->status == 200);
    CHECK(job_status(cfg, own)["reason"] == "trùng lịch");

    // The admin's opt-outs.
    auto opt = api.call("POST", "/api/v1/optouts", admin, R"({"number":"0912 000 001","reason":"không muốn nhận"})");
    CHECK(opt->status == 200);
    CHECK(json::parse(opt->body)["number"] == "0912***001");
    CHECK(run_loa(cfg, {"optout", "list"}).out.find("0912000001") != std::string::npos);
    CHECK(api.call("DELETE", "/api/v1/optouts/0912000001", admin)->status == 200);
    CHECK(api.call("DELETE", "/api/v1/optouts/0912000001", admin)->status == 404);
    CHECK(run_loa(cfg, {"audit", "--verify"}).code == 0);
    CHECK(job_count_mismatch(redis) == "");
  }

  TEST_CASE("a revoked token is refused at once by a second gateway") {
    Rig rig(2, {}, "", "api: { listen: \"127.0.0.1:0\" }\n");
    auto& [dir, redis, provider, cfg] = rig;
    const std::string lan = account(cfg, {"lan", "--role", "officer", "--wards", "phuong-6"});
    Gateway one(dir, cfg, "gw-1", "gw1.log");
    Gateway two(dir, cfg, "gw-2", "gw2.log");
    Api first{one.api_port()}, second{two.api_port()};
    CHECK(first.call("GET", "/api/v1/wards", lan)->status == 200);
    CHECK(second.call("GET", "/api/v1/wards", lan)->status == 200);
    REQUIRE(run_loa(cfg, {"account", "revoke", "lan"}).code == 0);
    CHECK(second.call("GET", "/api/v1/wards", lan)->status == 401);
    CHECK(first.call("GET", "/api/v1/wards", lan)->status == 401);
  }

  TEST_CASE("loa --server: the commands through the API, with the account's rights, in the official's language") {
    Rig rig(3, {}, "", "api: { listen: \"127.0.0.1:0\" }\napproval: { urgent: true }\n");
    auto& [dir, redis, provider, cfg] = rig;
    add_ward(dir, "phuong-7", "Phường 7", 2);
    const std::string server_token_lan = account(cfg, {"lan", "--role", "officer", "--wards", "phuong-6"});
    const std::string server_token_minh = account(cfg, {"minh", "--role", "approver", "--wards", "phuong-6,phuong-7"});
    const std::string server_token_admin = account(cfg, {"chu-tich", "--role", "admin"});
    Gateway gw(dir, cfg, "gw-1", "gw.log");
    const std::string url = "http://127.0.0.1:" + std::to_string(gw.api_port());
    const Official lan{url, server_token_lan}, minh{url, server_token_minh}, admin{url, server_token_admin};
    const std::vector<std::string> announcement{"--template", "thong-bao", "--ward", "phuong-6", "--var",
                                                "noi_dung=họp tổ dân phố"};
    auto with = [&](std::vector<std::string> head, const std::vector<std::string>& tail) {
      head.insert(head.end(), tail.begin(), tail.end());
      return head;
    };

    // What the account may use, and a preview rendered by the gateway with masked numbers.
    auto templates = lan({"templates"});
    CHECK_MESSAGE(templates.code == 0, templates.err);
    CHECK(templates.out.find("thong-bao") != std::string::npos);
    auto preview = lan(with({"preview", "--limit", "2"}, announcement));
    REQUIRE_MESSAGE(preview.code == 0, preview.err);
    CHECK(preview.out.find("0912***000") != std::string::npos);
    CHECK(preview.out.find("họp tổ dân phố") != std::string::npos);
    CHECK(preview.out.find("0912000000") == std::string::npos);
    CHECK(preview.out.find("3 dòng") != std::string::npos);  // the totals, in Vietnamese
    auto preview_json = json::parse(lan(with({"preview", "--json"}, announcement)).out);
    CHECK(preview_json["totals"]["messages"] == 3);

    // Another ward: refused by the server in Vietnamese, exit 2, nothing enqueued.
    const std::string before = state_of(redis);
    auto theirs = lan({"send", "--yes", "--template", "thong-bao", "--ward", "phuong-7", "--var", "noi_dung=x"});
    CHECK(theirs.code == 2);
    CHECK_MESSAGE(theirs.err.find("tài khoản lan không được gửi tới đơn vị \"phuong-7\"") != std::string::npos, theirs.err);
    // ... and in English for an English-speaking official (Accept-Language).
    auto theirs_en = lan({"send", "--yes", "--template", "thong-bao", "--ward", "phuong-7", "--var", "noi_dung=x"},
                         {{"LANG", "en_US.UTF-8"}});
    CHECK_MESSAGE(theirs_en.err.find("account lan may not send to ward \"phuong-7\"") != std::string::npos, theirs_en.err);
    // A template variable missing: the server's validation, every problem named.
    auto missing = lan({"send", "--yes", "--template", "thong-bao", "--ward", "phuong-6"});
    CHECK(missing.code == 2);
    CHECK_MESSAGE(missing.err.find("noi_dung") != std::string::npos, missing.err);
    CHECK(state_of(redis) == before);

    // Its own ward: sent as the account, followed, reported.
    auto sent = lan(with({"send", "--yes"}, announcement));
    REQUIRE_MESSAGE(sent.code == 0, sent.err);
    const std::string job = job_id(sent);
    REQUIRE(wait_until([&] { return job_status(cfg, job)["state"] == "done"; }, std::chrono::seconds(20)));
    auto status = lan({"status", job});
    CHECK_MESSAGE(status.code == 0, status.err);
    CHECK(status.out.find("xong") != std::string::npos);
    CHECK(json::parse(lan({"status", job, "--json"}).out)["by"] == "lan");
    auto jobs = lan({"jobs"});
    CHECK(jobs.code == 0);
    CHECK(jobs.out.find(job) != std::string::npos);
    auto csv = lan({"report", job, "--csv"});
    CHECK(csv.code == 0);
    CHECK(csv.out.find("0912***001") != std::string::npos);
    CHECK(csv.out.find("0912000001") == std::string::npos);
    const std::string book = dir.file("bao-cao.xlsx");
    CHECK(lan({"report", job, "--xlsx", book}).code == 0);
    CHECK(dir.read("bao-cao.xlsx").rfind("PK\x03\x04", 0) == 0);
    CHECK(lan({"report", job, "--full-numbers"}).code == 2);
    // The same announcement again: refused unless --again.
    auto again = lan(with({"send", "--yes"}, announcement));
    CHECK(again.code == 2);
    CHECK_MESSAGE(again.err.find(job) != std::string::npos, again.err);
    // A job the officer may not see, another's right: refused with exit 2.
    auto other = minh({"send", "--yes", "--template", "thong-bao", "--ward", "phuong-7", "--var", "noi_dung=y"});
    REQUIRE_MESSAGE(other.code == 0, other.err);
    CHECK(lan({"status", job_id(other)}).code == 2);
    CHECK(lan({"jobs", "--json"}).out.find(job_id(other)) == std::string::npos);
    CHECK(lan({"retry", job, "--failed"}).code == 2);
    CHECK(lan({"optout", "add", "0912000001"}).code == 2);

    // Approval: the officer's urgent job waits; she cannot approve it, the approver can.
    auto urgent = lan(with({"send", "--yes", "--urgent", "--again"}, announcement));
    REQUIRE_MESSAGE(urgent.code == 0, urgent.err);
    const std::string held = job_id(urgent);
    REQUIRE(wait_until([&] { return job_status(cfg, held)["state"] == "awaiting_approval"; }, std::chrono::seconds(10)));
    CHECK(lan({"status", held}).out.find("chờ duyệt") != std::string::npos);
    auto self = lan({"approve", held});
    CHECK(self.code == 2);
    CHECK_MESSAGE(self.err.find("cán bộ") != std::string::npos, self.err);
    auto approved = minh({"approve", held});
    CHECK_MESSAGE(approved.code == 0, approved.err);
    REQUIRE(wait_until([&] { return job_status(cfg, held)["state"] == "done"; }, std::chrono::seconds(20)));

    // Cancel a job scheduled for tomorrow; the admin resends failures and changes opt-outs.
    auto later = lan(with({"send", "--yes", "--again", "--at", "2099-01-01 08:00"}, announcement));
    REQUIRE_MESSAGE(later.code == 0, later.err);
    REQUIRE(wait_until([&] { return job_status(cfg, job_id(later))["state"] == "scheduled"; }, std::chrono::seconds(10)));
    auto cancelled = lan({"cancel", job_id(later)});
    CHECK_MESSAGE(cancelled.code == 0, cancelled.err);
    CHECK(job_status(cfg, job_id(later))["state"] == "cancelled");
    CHECK(admin({"retry", job, "--failed"}).code == 0);
    CHECK(admin({"optout", "add", "0912 000 001", "--reason", "không muốn nhận"}).code == 0);
    CHECK(run_loa(cfg, {"optout", "list"}).out.find("0912000001") != std::string::npos);
    CHECK(admin({"optout", "remove", "0912000001"}).code == 0);
    CHECK(run_loa(cfg, {"optout", "list"}).out.find("0912000001") == std::string::npos);

    // What the API has no endpoint for is refused, saying where it can be done.
    for (const std::vector<std::string>& local : std::vector<std::vector<std::string>>{
             {"account", "list"}, {"audit"}, {"purge", "--dry-run"}, {"check"}, {"optout", "list"}}) {
      auto r = admin(local);
      CHECK(r.code == 2);
      CHECK_MESSAGE(r.err.find("--server") != std::string::npos, r.err);
    }

    // The trail says who did each, through the API.
    auto trail = json::parse(run_loa(cfg, {"audit", "--json"}).out);
    std::vector<std::string> who;
    for (const auto& e : trail)
      if (e["source"] == "127.0.0.1") who.push_back(e["action"].get<std::string>() + ":" + e["actor"].get<std::string>());
    for (const char* want : {"send:lan", "approve:minh", "cancel:lan", "retry:chu-tich", "optout-add:chu-tich",
                             "optout-remove:chu-tich"})
      CHECK_MESSAGE(std::find(who.begin(), who.end(), want) != who.end(), want);
    CHECK(run_loa(cfg, {"audit", "--verify"}).code == 0);
    CHECK(job_count_mismatch(redis) == "");

    // Without a token, with a revoked one, against no server: clear errors.
    auto no_token = run({bin("loa"), "--server", url, "jobs"},
                        {{"LOA_TOKEN", ""}, {"LOA_CONFIG", "/nonexistent"}, {"XDG_CONFIG_HOME", dir.file("none")}});
    CHECK(no_token.code == 2);
    CHECK(no_token.err.find("LOA_TOKEN") != std::string::npos);
    REQUIRE(run_loa(cfg, {"account", "revoke", "minh"}).code == 0);
    auto revoked = minh({"jobs"});
    CHECK(revoked.code == 2);
    CHECK_MESSAGE(revoked.err.find("thu hồi") != std::string::npos, revoked.err);
    auto nobody = Official{"http://127.0.0.1:1", server_token_lan}({"jobs"});
    CHECK(nobody.code == 1);
    CHECK(nobody.err.find("127.0.0.1:1") != std::string::npos);

    // The server and the token from the official's own config file and token file.
    TempDir home;
    home.write("loa.yaml", "server: " + url + "\nlanguage: en\n");
    std::filesystem::create_directories(home.file("loa"));
    home.write("loa/token", server_token_lan + "\n");
    auto from_files = run({bin("loa"), "--config", home.file("loa.yaml"), "jobs"},
                          {{"LOA_TOKEN", ""}, {"XDG_CONFIG_HOME", home.path()}});
    CHECK_MESSAGE(from_files.code == 0, from_files.err);
    CHECK(from_files.out.find(job) != std::string::npos);
    CHECK(from_files.out.find("STATE") != std::string::npos);  // language: en
  }
}
