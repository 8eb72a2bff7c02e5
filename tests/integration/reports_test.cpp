// Reports for programs (CONTRACT.md turn 3, "Machine-readable reports"): `loa report JOB
// --json` on Redis and through the API, and GET /api/v1/jobs/<id>/messages page by page.
#include <doctest/doctest.h>

#include <regex>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "core/util/strings.h"
#include "tests/integration/harness.h"

using namespace loa::test;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

std::vector<json> json_lines(const std::string& out) {
  std::vector<json> v;
  for (auto line : loa::util::split(out, "\n")) v.push_back(json::parse(line));
  return v;
}

}  // namespace

TEST_SUITE("integration/reports") {
  TEST_CASE("loa report --json and GET /messages: one object a recipient, English keys, masked numbers, paged in order") {
    Rig rig(250, {}, "", "api: { listen: \"127.0.0.1:0\" }\n");
    auto& [dir, redis, provider, cfg] = rig;
    add_ward(dir, "phuong-7", "Phường 7", 2);
    const std::string lan = account(cfg, {"lan", "--role", "officer", "--wards", "phuong-6"});
    const std::string mai = account(cfg, {"mai", "--role", "officer", "--wards", "phuong-7"});
    Gateway gw(dir, cfg, "gw-1", "gw.log");
    const std::string job = send_job(cfg, "phuong-6", "họp tổ");
    REQUIRE(wait_until([&] { return job_status(cfg, job)["state"] == "done"; }, 30s));

    // On Redis: every recipient once, in order, masked; whole numbers only when asked.
    auto local = run_loa(cfg, {"report", job, "--json"});
    REQUIRE(local.code == 0);
    const auto lines = json_lines(local.out);
    REQUIRE(lines.size() == 250);
    static const std::regex rfc3339(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00)");
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const json& m = lines[i];
      CAPTURE(m.dump());
      CHECK(m["row"] == i + 1);
      CHECK(m["list_row"] == i + 2);  // the header is the list's row 1
      CHECK(m["ward"] == "phuong-6");
      CHECK(m["name"] == "Cư dân " + std::to_string(i));
      CHECK(m["phone"].get<std::string>().find(fmt::format("{:06d}", i)) == std::string::npos);  // masked
      CHECK((m["state"] == "sent" || m["state"] == "delivered"));
      CHECK(m["channel"] == "sms");
      CHECK(m["provider"] == "local");
      CHECK(m["attempts"] == 1);
      CHECK(std::regex_match(m["queued_at"].get<std::string>(), rfc3339));
      CHECK(std::regex_match(m["sent_at"].get<std::string>(), rfc3339));
      for (const char* key : {"area", "reason", "provider_id", "finished_at"}) CHECK(m.contains(key));
    }
    auto whole = run_loa(cfg, {"report", job, "--json", "--full-numbers"});
    REQUIRE(whole.code == 0);
    CHECK(json_lines(whole.out)[7]["phone"] == "0912000007");
    CHECK(run_loa(cfg, {"report", job, "--json", "--csv"}).code == 2);

    // Through the API: the same lines, page after page; never whole numbers.
    const std::string server = "http://127.0.0.1:" + std::to_string(gw.api_port());
    auto remote = run({bin("loa"), "--config", cfg, "--server", server, "report", job, "--json"}, {{"LOA_TOKEN", lan}});
    REQUIRE(remote.code == 0);
    CHECK(remote.out == local.out);
    CHECK(run({bin("loa"), "--config", cfg, "--server", server, "report", job, "--json", "--full-numbers"},
              {{"LOA_TOKEN", lan}})
              .code == 2);

    httplib::Client api("127.0.0.1", gw.api_port());
    const httplib::Headers as_lan{{"Authorization", "Bearer " + lan}};
    auto page = [&](const std::string& query, int status = 200) {
      auto r = api.Get("/api/v1/jobs/" + job + "/messages" + query, as_lan);
      REQUIRE(r);
      CHECK_MESSAGE(r->status == status, r->body);
      return json::parse(r->body);
    };
    json first = page("?limit=100");
    CHECK(first["messages"].size() == 100);
    CHECK(first["next"] == 100);
    json second = page("?limit=100&after=100");
    CHECK(second["messages"][0]["row"] == 101);
    CHECK(second["next"] == 200);
    json last = page("?limit=100&after=200");
    CHECK(last["messages"].size() == 50);
    CHECK(last["next"].is_null());
    CHECK(last["messages"][49] == lines[249]);
    CHECK(page("?state=failed")["messages"].empty());
    CHECK(page("?state=sent&limit=1000")["messages"].size() + page("?state=delivered&limit=1000")["messages"].size() == 250);
    page("?state=bogus", 400);
    page("?after=-1", 400);
    page("?limit=0", 400);
    // Another ward's officer: no such job, for them.
    auto other = api.Get("/api/v1/jobs/" + job + "/messages", {{"Authorization", "Bearer " + mai}});
    REQUIRE(other);
    CHECK(other->status == 404);
  }
}
