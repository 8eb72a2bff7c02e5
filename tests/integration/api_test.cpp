// The officials' HTTP API (issue 13, point 2): every endpoint with good, missing, wrong-ward
// and wrong-role tokens, and nothing changed on a 401 or 403.
#include <doctest/doctest.h>

#include <httplib.h>

#include <nlohmann/json.hpp>

#include "tests/integration/harness.h"

using namespace loa::test;
using nlohmann::json;

namespace {

// `loa account add NAME ...` and the token it printed (its last line).
std::string account(const std::string& cfg, std::vector<std::string> args) {
  args.insert(args.begin(), {"account", "add"});
  auto r = run_loa(cfg, args);
  REQUIRE_MESSAGE(r.code == 0, r.err);
  return job_id(r);
}

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

}  // namespace

TEST_SUITE("integration/api") {
  TEST_CASE("tokens, wards and roles: 401 and 403 change nothing; each right where the contract gives it") {
    Rig rig(3, {}, "", "api: { listen: \"127.0.0.1:0\" }\napproval: { urgent: true }\n");
    auto& [dir, redis, provider, cfg] = rig;
    write_ward(dir, "phuong-7", 2);
    {
      std::string text = dir.read("loa.yaml");
      auto at = text.find("  phuong-6: \"Phường 6\"\n");
      REQUIRE(at != std::string::npos);
      text.insert(at, "  phuong-7: \"Phường 7\"\n");
      dir.write("loa.yaml", text);
    }
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
    CHECK(api.call("GET", "/api/v1/jobs/" + their_job, lan)->status == 403);
    CHECK(api.call("POST", "/api/v1/jobs/" + their_job + "/cancel", lan)->status == 403);
    CHECK(api.call("GET", "/api/v1/jobs/" + their_job + "/report.csv", lan)->status == 403);
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
}
