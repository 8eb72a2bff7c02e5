// Delivery-report webhook: secrets, sizes, unknown providers and messages, forward-only states.
#include <doctest/doctest.h>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "tests/integration/harness.h"

using namespace loa::test;
using nlohmann::json;

TEST_SUITE("integration") {
  TEST_CASE("webhook answers: 404 unknown provider, 401 secret, 400 malformed, 413 oversized, 200 parsed") {
    TempDir dir;
    RedisServer redis(dir);
    // Reports are posted by hand here: the fake provider is told to report far in the future.
    FakeProvider provider(dir, "fake", {"--dlr-delay-ms", "600000"});
    write_ward(dir, "phuong-6", 2);
    auto cfg = write_config(dir, redis.url(), provider.port(),
                            "    dlr:\n      id: id\n      secret_header: X-Loa-Secret\n      secret: s3cret\n"
                            "      statuses: { delivered: [DELIVERED], failed: [FAILED] }\n");
    Gateway gw(dir, cfg, "gw-1", "gw.log");
    httplib::Client client("127.0.0.1", gw.port());
    httplib::Headers secret{{"X-Loa-Secret", "s3cret"}};

    CHECK(client.Get("/healthz")->status == 200);
    CHECK(client.Post("/dlr/nope", secret, "{}", "application/json")->status == 404);
    CHECK(client.Post("/dlr/local", secret, R"({"id":"1-0.0","status":"DELIVERED"})", "application/json")->status == 401);  // no token
    CHECK(client.Post("/dlr/local?token=t0k3N", secret, R"({"id":"1-0.0","status":"DELIVERED"})", "application/json")->status == 401);
    CHECK(client.Post("/dlr/local?token=t0k3n", R"({"id":"1-0.0","status":"DELIVERED"})", "application/json")->status == 401);
    CHECK(client.Post("/dlr/local?token=t0k3n", httplib::Headers{{"X-Loa-Secret", "s3creT"}}, R"({"id":"1-0.0","status":"DELIVERED"})", "application/json")->status == 401);
    CHECK(client.Post("/dlr/local?token=t0k3n", secret, "{broken", "application/json")->status == 400);
    CHECK(client.Post("/dlr/local?token=t0k3n", secret, R"({"status":"DELIVERED"})", "application/json")->status == 400);
    CHECK(client.Post("/dlr/local?token=t0k3n", secret, std::string(70 * 1024, 'x'), "application/json")->status == 413);
    CHECK(client.Post("/dlr/local?token=t0k3n", secret, R"({"id":"999-0.3","status":"DELIVERED"})", "application/json")->status == 200);
    CHECK(client.Get("/dlr/local?token=t0k3n&id=999-0.4&status=DELIVERED", secret)->status == 200);

    // A real job: reports move messages forward and never back.
    std::string job = send_job(cfg, "phuong-6", "x");
    auto counts = [&] { return job_status(cfg, job)["counts"]; };
    REQUIRE(wait_until([&] { return counts()["sent"] == 2; }, std::chrono::seconds(20)));
    std::string ref0 = job + ".0", ref1 = job + ".1";
    CHECK(client.Post("/dlr/local?token=t0k3n", secret, json{{"id", ref0}, {"status", "DELIVERED"}}.dump(), "application/json")->status == 200);
    CHECK(client.Post("/dlr/local?token=t0k3n", secret, json{{"id", ref0}, {"status", "FAILED"}}.dump(), "application/json")->status == 200);
    CHECK(client.Post("/dlr/local?token=t0k3n", secret, json{{"id", ref0}, {"status", "DELIVERED"}}.dump(), "application/json")->status == 200);
    // Form-encoded, keyed by the provider's own id, resolved through the id Loa recorded.
    std::string pid = message_field(*redis.connect(), job, 1, "pid");
    REQUIRE(pid.rfind("fp-", 0) == 0);
    CHECK(client.Post("/dlr/local?token=t0k3n", secret, "id=" + pid + "&status=FAILED", "application/x-www-form-urlencoded")->status == 200);
    auto c = counts();
    CHECK(c["delivered"] == 1);
    CHECK(c["failed"] == 1);
    CHECK(c["sent"] == 0);
    CHECK(gw.log().find("report for unknown message 999-0.3") != std::string::npos);

    auto metrics = client.Get("/metrics");
    REQUIRE(metrics->status == 200);
    CHECK(metrics->body.find("loa_messages{state=\"delivered\"} 1") != std::string::npos);
    CHECK(metrics->body.find("loa_dlr_total{outcome=\"duplicate\"} 2") != std::string::npos);
  }
}
