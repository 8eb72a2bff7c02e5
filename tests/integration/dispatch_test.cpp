// Dispatch against real processes: a shared rate limit across two gateways, retries after
// 503 and 429, failover from a dead provider, two wards' jobs interleaving, and a Redis
// that stops answering for a while.
#include <doctest/doctest.h>
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/store/query_store.h"
#include "tests/integration/harness.h"

using namespace loa::test;
using nlohmann::json;

namespace {

bool done(const std::string& cfg, const std::string& job) { return job_status(cfg, job)["state"] == "done"; }

std::vector<std::int64_t> send_times(const FakeProvider& p) {
  std::vector<std::int64_t> at;
  for (const auto& line : p.log_lines()) at.push_back(json::parse(line)["at"].get<std::int64_t>());
  std::sort(at.begin(), at.end());
  return at;
}
// The most arrivals (sorted times, ms) in any one second.
std::int64_t busiest_second(const std::vector<std::int64_t>& at) {
  std::int64_t most = 0;
  for (size_t i = 0, j = 0; i < at.size(); ++i) {
    while (at[i] - at[j] >= 1000) ++j;
    most = std::max<std::int64_t>(most, static_cast<std::int64_t>(i - j + 1));
  }
  return most;
}
// The rig's provider with another max_in_flight (the harness writes 16).
void set_max_in_flight(TempDir& dir, int n) {
  std::string yaml = dir.read("loa.yaml");
  yaml.replace(yaml.find("max_in_flight: 16"), 17, fmt::format("max_in_flight: {}", n));
  dir.write("loa.yaml", yaml);
}
// A second provider, "backup", and a route trying "local" first, then it.
std::string backup_route(int backup_port) {
  return fmt::format(R"(  - name: backup
    type: http
    url: http://127.0.0.1:{}/send
    message_id: id
    dlr_token: t0k3n
routes:
  default: [local, backup]
)", backup_port);
}
}  // namespace

TEST_SUITE("integration/dispatch") {
  TEST_CASE("two gateways on one Redis hold one rate limit together") {
    Rig rig(100, {}, "    rate_per_second: 20\n    burst: 2\n");
    auto& [dir, redis, provider, cfg] = rig;
    Gateway a(dir, cfg, "gw-a", "a.log");
    Gateway b(dir, cfg, "gw-b", "b.log");
    std::string job = send_job(cfg, "phuong-6");
    REQUIRE(wait_until([&] { return done(cfg, job); }, std::chrono::seconds(30)));
    auto at = send_times(provider);
    REQUIRE(at.size() == 100);
    CHECK(busiest_second(at) <= 22);  // rate + burst - 1 = 21 leave the limiter; one for arrival jitter
    CHECK(at.back() - at.front() >= 4500);  // 100 at 20/s with a burst of 2 takes ~4.9 s
    CHECK(at.back() - at.front() <= 7000);  // ... and not much more: the limit is reached
    // Both did part of the work: the requests each made, from its /metrics.
    auto requests = [](const Gateway& gw) {
      httplib::Client client("127.0.0.1", gw.port());
      auto page = client.Get("/metrics");
      REQUIRE(page);
      const std::string series = "loa_provider_request_seconds_count{provider=\"local\"} ";
      auto at = page->body.find(series);
      REQUIRE(at != std::string::npos);
      return std::stoi(page->body.substr(at + series.size()));
    };
    const int by_a = requests(a), by_b = requests(b);
    CHECK(by_a > 0);
    CHECK(by_b > 0);
    CHECK(by_a + by_b == 100);
  }

  TEST_CASE("at a rate limit R with provider latency L, about R x L requests stay open: the limit is what is reached") {
    Rig rig(100, {"--latency-ms", "200"}, "    rate_per_second: 50\n    burst: 5\n");
    auto& [dir, redis, provider, cfg] = rig;
    Gateway gw(dir, cfg, "gw-1", "gw.log");
    std::string job = send_job(cfg, "phuong-6");
    REQUIRE(wait_until([&] { return done(cfg, job); }, std::chrono::seconds(30)));
    auto at = send_times(provider);
    REQUIRE(at.size() == 100);
    // 5 at once, then one per 20 ms: about 1.9 s. Ten must be open at a time for that
    // (50/s x 0.2 s); a dispatcher waiting for each answer would take 20 s, one holding
    // eight open could not pass 40 a second. The densest second shows the rate reached,
    // whatever a loaded machine does to a moment of the run (the largest gap is printed).
    const std::int64_t most = busiest_second(at);
    std::int64_t gap = 0;
    for (size_t i = 1; i < at.size(); ++i) gap = std::max(gap, at[i] - at[i - 1]);
    MESSAGE("100 sends took " << at.back() - at.front() << " ms; at most " << most << " in a second; largest gap " << gap << " ms");
    CHECK(at.back() - at.front() >= 1800);
    CHECK(most >= 46);  // 50 a second (and the burst of 5): more than eight open could give
    CHECK(most <= 57);  // rate + burst, and two for arrival jitter
  }

  // At a job's start the transport has few connections (they ramp up as answers come back
  // in time). Messages the limiter let go while every connection was busy must not wait in
  // the gateway and then go out beside those it lets go later: the provider would see more
  // than the limit in a second (the bench saw 209-210 for 200/s, burst 5).
  TEST_CASE("a rate-limited job's start, while connections ramp up, sends no more than the limit in any second") {
    // 100/s at 200 ms needs 20 open: more than the 8 a transport starts with.
    Rig rig(250, {"--latency-ms", "200"}, "    rate_per_second: 100\n    burst: 5\n");
    auto& [dir, redis, provider, cfg] = rig;
    set_max_in_flight(dir, 64);
    Gateway gw(dir, cfg, "gw-1", "gw.log");
    std::string job = send_job(cfg, "phuong-6");
    REQUIRE(wait_until([&] { return done(cfg, job); }, std::chrono::seconds(30)));
    auto at = send_times(provider);
    REQUIRE(at.size() == 250);
    const std::int64_t most = busiest_second(at);
    MESSAGE("250 sends took " << at.back() - at.front() << " ms; at most " << most << " in a second");
    CHECK(most <= 107);  // rate + burst, and two for arrival jitter
    CHECK(most >= 95);   // and the limit is reached once the connections are up
  }

  TEST_CASE("503 then 200: retried with backoff until accepted") {
    Rig rig(4, {"--fail-first", "6"});
    auto& [dir, redis, provider, cfg] = rig;
    Gateway gw(dir, cfg, "gw-1", "gw.log");
    std::string job = send_job(cfg, "phuong-6");
    REQUIRE(wait_until([&] { return done(cfg, job); }, std::chrono::seconds(20)));
    auto s = job_status(cfg, job);
    CHECK(s["counts"]["failed"] == 0);
    CHECK(s["counts"]["sent"].get<int>() + s["counts"]["delivered"].get<int>() == 4);
    CHECK(provider.log_lines().size() == 4);
    auto report = run_loa(cfg, {"report", job}).out;
    CHECK(report.find("  2  ") != std::string::npos);  // some took a second attempt
  }

  // A 502 comes from a proxy in front of the provider, which may have passed the request on:
  // for a provider that does not de-duplicate, the message is unknown, never resent.
  TEST_CASE("502 after the request was written: unknown for a provider that does not de-duplicate, not sent again") {
    Rig rig(1, {"--fail-first", "1", "--fail-status", "502"});
    auto& [dir, redis, provider, cfg] = rig;
    Gateway gw(dir, cfg, "gw-1", "gw.log");
    std::string job = send_job(cfg, "phuong-6");
    REQUIRE(wait_until([&] { return done(cfg, job); }, std::chrono::seconds(20)));
    auto s = job_status(cfg, job);
    CHECK(s["counts"]["unknown"] == 1);
    CHECK(s["counts"]["failed"] == 0);
    auto r = redis.connect();
    CHECK(message(*r, job, 0).progress.attempts == 1);
    CHECK(provider.log_lines().empty());  // the stand-in took nothing after its 502
    // The official is told how to send it again, knowingly.
    auto told = run_loa(cfg, {"status", job});
    CHECK_MESSAGE(told.out.find("loa retry " + job + " --unknown") != std::string::npos, told.out);
  }

  // SpeedSMS answers 429 with X-Rate-Limit-Reset and no Retry-After (speedsms.vn/sms-api).
  TEST_CASE("429 with X-Rate-Limit-Reset: the retry waits at least that long") {
    Rig rig(1, {"--fail-first", "1", "--fail-status", "429", "--rate-limit-reset", "2"});
    auto& [dir, redis, provider, cfg] = rig;
    Gateway gw(dir, cfg, "gw-1", "gw.log");
    std::string job = send_job(cfg, "phuong-6");
    REQUIRE(wait_until([&] { return done(cfg, job); }, std::chrono::seconds(20)));
    auto r = redis.connect();
    CHECK(message(*r, job, 0).progress.sent_at - message(*r, job, 0).data.queued_at >= 2000);
    CHECK(message(*r, job, 0).progress.attempts == 2);
  }

  TEST_CASE("429 with Retry-After: the retry waits at least that long") {
    Rig rig(1, {"--fail-first", "1", "--fail-status", "429", "--retry-after", "1"});
    auto& [dir, redis, provider, cfg] = rig;
    Gateway gw(dir, cfg, "gw-1", "gw.log");
    std::string job = send_job(cfg, "phuong-6");
    REQUIRE(wait_until([&] { return done(cfg, job); }, std::chrono::seconds(20)));
    auto r = redis.connect();
    auto queued = message(*r, job, 0).data.queued_at;
    auto sent = message(*r, job, 0).progress.sent_at;
    CHECK(sent - queued >= 1000);
    CHECK(message(*r, job, 0).progress.attempts == 2);
  }

  TEST_CASE("a dead primary fails over to the backup, and is taken out of rotation") {
    TempDir dir;
    RedisServer redis(dir);
    FakeProvider backup(dir, "backup");
    write_ward(dir, "phuong-6", 100);
    // Port 1 on loopback: nothing listens, so connections are refused at once.
    auto cfg = write_config(dir, redis.url(), 1, backup_route(backup.port()));
    Gateway gw(dir, cfg, "gw-1", "gw.log");
    std::string job = send_job(cfg, "phuong-6");
    REQUIRE_MESSAGE(wait_until([&] { return done(cfg, job); }, std::chrono::seconds(30)), gw.log());
    auto s = job_status(cfg, job);
    auto report = run_loa(cfg, {"report", job}).out;
    CHECK(s["counts"]["failed"] == 0);
    CHECK_MESSAGE(backup.log_lines().size() == 100, (s.dump() + "\n" + report + "\n" + gw.log()));
    CHECK(report.find(" backup ") != std::string::npos);
    CHECK(gw.log().find("out of rotation") == std::string::npos);  // reroutes are not logged as failures
    auto r = redis.connect();
    int rerouted = 0;  // sent by the backup at the first attempt: never tried on the dead one
    for (int i = 0; i < 100; ++i) {
      rerouted += message(*r, job, i).progress.attempts == 1 && message(*r, job, i).progress.provider == "backup";
    }
    CHECK(rerouted > 0);  // after 5 refusals the breaker opened and messages skipped the dead one
  }

  // A provider that refuses the account (401 here; a balance or an IP not whitelisted in a
  // vendor's words) refuses every message alike: paused, not failing them one by one.
  TEST_CASE("a provider that refuses the account is paused, loudly: its messages go to the backup, none failed") {
    TempDir dir;
    RedisServer redis(dir);
    FakeProvider refusing(dir, "refusing", {"--fail-first", "1000000", "--fail-status", "401"});
    FakeProvider backup(dir, "backup");
    write_ward(dir, "phuong-6", 200);
    auto cfg = write_config(dir, redis.url(), refusing.port(), backup_route(backup.port()));
    Gateway gw(dir, cfg, "gw-1", "gw.log");
    std::string job = send_job(cfg, "phuong-6");
    REQUIRE_MESSAGE(wait_until([&] { return done(cfg, job); }, std::chrono::seconds(30)), gw.log());
    auto s = job_status(cfg, job);
    CHECK(s["counts"]["failed"] == 0);
    CHECK(backup.log_lines().size() == 200);
    httplib::Client client("127.0.0.1", gw.port());
    auto page = client.Get("/metrics");
    REQUIRE(page);
    CHECK(page->body.find("loa_provider_paused{provider=\"local\"} 1") != std::string::npos);
    CHECK(page->body.find("loa_provider_paused{provider=\"backup\"} 0") != std::string::npos);
    const std::string asked = "loa_provider_request_seconds_count{provider=\"local\"} ";
    const auto at = page->body.find(asked);
    REQUIRE(at != std::string::npos);
    const int refused = std::stoi(page->body.substr(at + asked.size()));
    CAPTURE(refused);
    CHECK(refused >= 1);
    CHECK(refused <= 40);  // those out before the first refusal came back (two dispatchers' windows), not 200
    const std::string log = gw.log();
    const auto said = log.find("refuses the account");
    CHECK(said != std::string::npos);
    CHECK_MESSAGE(log.find("refuses the account", said + 1) == std::string::npos, log);  // said once
    auto r = redis.connect();
    auto pause = loa::store::QueryStore(*r, "t").paused("local");
    REQUIRE(pause.has_value());
    REQUIRE(pause->has_value());
    CHECK((*pause)->reason.find("401") != std::string::npos);
    CHECK((*pause)->left_ms > 60000);
  }

  TEST_CASE("with no other provider, messages wait out the pause instead of failing; loa status says why") {
    TempDir dir;
    RedisServer redis(dir);
    FakeProvider refusing(dir, "refusing", {"--fail-first", "1000000", "--fail-status", "401"});
    write_ward(dir, "phuong-6", 5);
    auto cfg = write_config(dir, redis.url(), refusing.port());
    Gateway gw(dir, cfg, "gw-1", "gw.log");
    std::string job = send_job(cfg, "phuong-6");
    REQUIRE_MESSAGE(wait_until([&] { return gw.log().find("refuses the account") != std::string::npos; },
                               std::chrono::seconds(20)),
                    gw.log());
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    auto s = job_status(cfg, job);
    CHECK(s["counts"]["failed"] == 0);
    CHECK(s["state"] == "sending");
    auto status = run_loa(cfg, {"status", job});
    CAPTURE(status.out);
    CHECK(status.out.find("provider local paused for 5 more min") != std::string::npos);
    CHECK(status.out.find("HTTP 401") != std::string::npos);
  }

  // eSMS's own words for an account without credit (table-of-error-codes.md: 103), from a
  // stand-in speaking eSMS's answer format, in this process.
  TEST_CASE("an eSMS 103 (balance too low) pauses the provider without failing the job's messages") {
    TempDir dir;
    RedisServer redis(dir);
    httplib::Server esms;
    std::atomic<int> asked{0};
    esms.Post(R"(/MainService.svc/json/SendMultipleMessage_V4_post_json/)", [&](const httplib::Request&, httplib::Response& res) {
      ++asked;
      res.set_content(R"({"CodeResult":"103","ErrorMessage":"Balance not enough to send message"})", "application/json");
    });
    const int port = esms.bind_to_any_port("127.0.0.1");
    std::thread serving([&] { esms.listen_after_bind(); });
    write_ward(dir, "phuong-6", 30);
    auto cfg = write_config(dir, redis.url(), 1, fmt::format(R"(  - name: esms
    type: esms
    base_url: http://127.0.0.1:{}
    api_key: K
    secret_key: S
    brandname: UBND-P6
    dlr_token: t0k3n
routes:
  default: [esms]
)", port));
    {
      Gateway gw(dir, cfg, "gw-1", "gw.log");
      std::string job = send_job(cfg, "phuong-6");
      REQUIRE_MESSAGE(wait_until([&] { return gw.log().find("refuses the account") != std::string::npos; },
                                 std::chrono::seconds(20)),
                      gw.log());
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      auto s = job_status(cfg, job);
      CHECK(s["counts"]["failed"] == 0);
      CHECK(asked.load() < 30);  // not every message tried and failed one by one
      auto status = run_loa(cfg, {"status", job});
      CAPTURE(status.out);
      CHECK(status.out.find("provider esms paused") != std::string::npos);
      CHECK(status.out.find("eSMS 103") != std::string::npos);
    }
    esms.stop();
    serving.join();
  }

  // The providers' own report samples, from the send to the job's counts: a stand-in
  // speaking each provider's send format takes the messages (keeping the references Loa
  // gave them), then the reports their documents show are posted to the webhook.
  TEST_CASE("reports in the providers' own words reach the job: eSMS 5 with SendFailed 2 fails, Infobip DELIVERED_TO_OPERATOR is not final") {
    TempDir dir;
    RedisServer redis(dir);
    std::mutex mu;
    std::vector<std::string> esms_refs, infobip_refs;
    httplib::Server standin;
    standin.Post(R"(/MainService.svc/json/SendMultipleMessage_V4_post_json/)", [&](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mu);
      esms_refs.push_back(json::parse(req.body)["RequestId"]);
      res.set_content(fmt::format(R"({{"CodeResult":"100","CountRegenerate":0,"SMSID":"s{}"}})", esms_refs.size()), "application/json");
    });
    standin.Post("/sms/3/messages", [&](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mu);
      auto ref = json::parse(req.body)["messages"][0]["destinations"][0]["messageId"].get<std::string>();
      infobip_refs.push_back(ref);
      res.set_content(fmt::format(R"({{"bulkId":"b","messages":[{{"messageId":"{}","status":{{"groupId":1,"groupName":"PENDING","id":26,"name":"PENDING_ACCEPTED"}}}}]}})", ref),
                      "application/json");
    });
    const int port = standin.bind_to_any_port("127.0.0.1");
    std::thread serving([&] { standin.listen_after_bind(); });
    write_ward(dir, "phuong-6", 3);
    // Both providers are configured (the webhook takes reports for either); the route
    // names the one a job goes by.
    auto config_routing_to = [&](const char* provider) {
      return write_config(dir, redis.url(), port, fmt::format(R"(  - name: esms
    type: esms
    base_url: http://127.0.0.1:{0}
    api_key: K
    secret_key: S
    brandname: UBND-P6
    dlr_token: t0k3n
  - name: infobip
    type: infobip
    base_url: http://127.0.0.1:{0}
    api_key: K
    sender: UBND-P6
    dlr_token: t0k3n
routes:
  default: [{1}]
)", port, provider));
    };
    auto all_sent = [](const std::string& cfg, const std::string& job) {
      return job_status(cfg, job)["counts"].value("sent", 0) == 3;
    };
    std::string by_esms;
    {
      auto cfg = config_routing_to("esms");
      Gateway gw(dir, cfg, "gw-1", "gw-esms.log");
      by_esms = send_job(cfg, "phuong-6", "x");
      REQUIRE(wait_until([&] { return all_sent(cfg, by_esms); }, std::chrono::seconds(20)));
    }
    {
      auto cfg = config_routing_to("infobip");
      Gateway gw(dir, cfg, "gw-1", "gw-infobip.log");
      std::string by_infobip = send_job(cfg, "phuong-6", "y");
      REQUIRE(wait_until([&] { return all_sent(cfg, by_infobip); }, std::chrono::seconds(20)));
      httplib::Client hook("127.0.0.1", gw.port());
      std::vector<std::string> e, i;
      {
        std::lock_guard lock(mu);
        e = esms_refs;
        i = infobip_refs;
      }
      REQUIRE(e.size() == 3);
      REQUIRE(i.size() == 3);
      // eSMS callback-url.md: the sample (SendStatus 5, SendFailed 2, SendSuccess 0) is a
      // failure; 5 with a success is delivered; 5 with neither count says nothing final.
      auto esms_report = [&](const std::string& ref, const std::string& fields) {
        return hook.Get(fmt::format("/dlr/esms/t0k3n?SMSID=x&{}&RequestId={}", fields, ref))->status;
      };
      CHECK(esms_report(e[0], "SendFailed=2&SendStatus=5&SendSuccess=0") == 200);
      CHECK(esms_report(e[1], "SendFailed=0&SendStatus=5&SendSuccess=1") == 200);
      CHECK(esms_report(e[2], "SendStatus=5") == 200);
      // Infobip message-status-codes: DELIVERED_TO_OPERATOR (group 3, id 2) is followed by
      // a final report; UNDELIVERABLE_NOT_DELIVERED (group 2, id 9) is one.
      auto infobip_report = [&](const std::string& ref, int group, const char* group_name, int id, const char* name) {
        json body{{"results",
                   {{{"messageId", ref},
                     {"callbackData", ref},
                     {"status", {{"groupId", group}, {"groupName", group_name}, {"id", id}, {"name", name}}}}}}};
        return hook.Post("/dlr/infobip/t0k3n", body.dump(), "application/json")->status;
      };
      CHECK(infobip_report(i[0], 3, "DELIVERED", 2, "DELIVERED_TO_OPERATOR") == 200);
      CHECK(infobip_report(i[1], 3, "DELIVERED", 5, "DELIVERED_TO_HANDSET") == 200);
      REQUIRE(wait_until([&] { return job_status(cfg, by_infobip)["counts"].value("delivered", 0) == 1; }, std::chrono::seconds(10)));
      auto ib = job_status(cfg, by_infobip);
      CHECK(ib["counts"].value("sent", 0) == 2);  // DELIVERED_TO_OPERATOR left i[0] sent
      CHECK(infobip_report(i[0], 2, "UNDELIVERABLE", 9, "UNDELIVERABLE_NOT_DELIVERED") == 200);
      REQUIRE(wait_until([&] { return job_status(cfg, by_infobip)["counts"].value("failed", 0) == 1; }, std::chrono::seconds(10)));
      REQUIRE(wait_until([&] { return job_status(cfg, by_esms)["counts"].value("failed", 0) == 1; }, std::chrono::seconds(10)));
      auto es = job_status(cfg, by_esms);
      CHECK(es["counts"].value("delivered", 0) == 1);
      CHECK(es["counts"].value("sent", 0) == 1);
    }
    standin.stop();
    serving.join();
  }

  TEST_CASE("two wards' jobs interleave: the small one is not held back by the big one") {
    TempDir dir;
    RedisServer redis(dir);
    FakeProvider provider(dir, "fake");
    write_ward(dir, "phuong-6", 300);
    // A second ward with different numbers.
    std::string csv = "ho_ten,so_dien_thoai,khom_ap\n";
    for (int i = 0; i < 10; ++i) csv += fmt::format("B {},0987{:06d},Khóm 1\n", i, i);
    dir.write("wards/phuong-7.csv", csv);
    auto cfg = write_config(dir, redis.url(), provider.port(), "    rate_per_second: 100\n    burst: 1\n");
    Gateway gw(dir, cfg, "gw-1", "gw.log");
    std::string big = send_job(cfg, "phuong-6");
    REQUIRE(wait_until([&] { return provider.log_lines().size() >= 20; }, std::chrono::seconds(10)));
    std::string small = send_job(cfg, "phuong-7");
    REQUIRE(wait_until([&] { return done(cfg, small); }, std::chrono::seconds(20)));
    auto big_status = job_status(cfg, big);
    CHECK(big_status["state"] != "done");  // the small job finished while the big one went on
    REQUIRE(wait_until([&] { return done(cfg, big); }, std::chrono::seconds(30)));
  }

  TEST_CASE("Redis stalls mid-job: the dispatcher gives up on its answer, goes on after; nothing sent twice") {
    Rig rig(300, {"--latency-ms", "20"});
    auto& [dir, redis, provider, cfg] = rig;
    Gateway gw(dir, cfg, "gw-stall", "gw.log");
    std::string job = send_job(cfg, "phuong-6");
    REQUIRE(wait_until([&] { return provider.log_lines().size() >= 30; }, std::chrono::seconds(20)));
    redis.process().signal(SIGSTOP);  // answers nothing, refuses nothing
    std::this_thread::sleep_for(std::chrono::milliseconds(6500));
    redis.process().signal(SIGCONT);
    // Messages a lost answer had taken fall to their lease (2 x timeout + 20 s): unknown.
    REQUIRE(wait_until([&] { return done(cfg, job); }, std::chrono::seconds(60)));
    CHECK(gw.log().find("no answer in 5000 ms") != std::string::npos);
    auto counts = job_status(cfg, job)["counts"];
    int sent = counts["sent"].get<int>() + counts["delivered"].get<int>();
    CHECK(sent + counts["unknown"].get<int>() == 300);
    CHECK(sent > 30);
    std::map<std::string, int> seen;
    for (const auto& line : provider.log_lines()) ++seen[json::parse(line)["ref"].get<std::string>()];
    CHECK(seen.size() == provider.log_lines().size());  // no message twice
    CHECK(static_cast<int>(seen.size()) >= sent);
  }

  TEST_CASE("max_in_flight bounds the requests open at once, and that many stay open (taking ahead goes no further)") {
    Rig rig(40, {"--latency-ms", "200"});
    auto& [dir, redis, provider, cfg] = rig;
    set_max_in_flight(dir, 4);
    Gateway gw(dir, cfg, "gw-1", "gw.log");
    std::string job = send_job(cfg, "phuong-6");
    REQUIRE(wait_until([&] { return done(cfg, job); }, std::chrono::seconds(30)));
    auto at = send_times(provider);
    REQUIRE(at.size() == 40);
    // Each request is answered 200 ms after it arrives and only then may another start:
    // with 4 open at most, any 5 consecutive arrivals span at least 200 ms.
    for (size_t i = 4; i < at.size(); ++i) CHECK_MESSAGE(at[i] - at[i - 4] >= 199, "arrival ", i);
    // And 4 are kept open: 40 requests in about 10 latencies, not 40.
    CHECK(at.back() - at.front() < 3500);
  }
}
