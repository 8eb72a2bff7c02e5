// Infobip cases (tests/providers/runner.h): messageId is the ref, batched reports of up
// to 100.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "tests/providers/runner.h"

using namespace loa::test::vendors;

namespace {
std::string results(int n) {
  nlohmann::json many{{"results", nlohmann::json::array()}};
  for (int i = 0; i < n; ++i) many["results"].push_back({{"messageId", "1-0." + std::to_string(i)}, {"status", {{"groupId", 3}}}});
  return many.dump();
}
}  // namespace

TEST_CASE("providers/infobip") {
  run({
      .type = "infobip",
      .yaml = "{name: infobip, type: infobip, api_key: KEY, sender: UBND}",
      .idempotent = false,  // de-duplication by messageId is Infobip's per-account option
      .reports_by_provider_id = false,
      .configs =
          {
              {.label = "no base_url", .yaml = "{name: infobip, type: infobip, api_key: K, sender: UBND}", .base_url = "", .error = "needs base_url"},
              {.label = "no api_key", .yaml = "{name: infobip, type: infobip, sender: UBND}", .error = "needs api_key"},
              {.label = "no sender: never an empty one", .yaml = "{name: infobip, type: infobip, api_key: K}", .error = "needs sender"},
          },
      .request = {.url = "http://127.0.0.1:9/sms/3/messages",
                  .headers = {{"Authorization", "App KEY"}, {"Content-Type", "application/json"}},
                  .body = "@request.json"},
      .sends =
          {
              {.label = "pending: taken", .body = "@send_ok.json", .accepted_id = "1795893452014-0.3"},
              {.label = "rejected (group 5)", .body = "@send_rejected.json", .error = ErrorKind::Permanent},
              {.label = "no messages list", .body = "{}", .error = ErrorKind::Ambiguous},
              {.label = "HTTP 401", .status = 401, .body = "", .error = ErrorKind::Account},
          },
      .reports =
          {
              {.label = "a batch: delivered, undeliverable, pending", .body = "@dlr.json",
               .reports = {{"1795893452014-0.3", "1795893452014-0.3", MessageState::delivered},
                           {"1795893452014-0.4", "1795893452014-0.4", MessageState::failed, "UNDELIVERABLE_NOT_DELIVERED"},
                           {"1795893452014-0.5", "1795893452014-0.5", std::nullopt}}},
              {.label = "delivered to the operator: not final (a further report follows)",
               .body = R"({"results":[{"messageId":"1-0.1","status":{"groupId":3,"groupName":"DELIVERED","id":2,"name":"DELIVERED_TO_OPERATOR","description":"Message delivered to operator"}}]})",
               .reports = {{"1-0.1", "1-0.1", std::nullopt}}},
              {.label = "delivered to the operator, then undeliverable: the second is the outcome",
               .body = R"({"results":[{"messageId":"1-0.1","status":{"groupId":3,"groupName":"DELIVERED","id":2,"name":"DELIVERED_TO_OPERATOR","description":"Message delivered to operator"}},{"messageId":"1-0.1","status":{"groupId":2,"groupName":"UNDELIVERABLE","id":9,"name":"UNDELIVERABLE_NOT_DELIVERED","description":"Message sent not delivered"}}]})",
               .reports = {{"1-0.1", "1-0.1", std::nullopt}, {"1-0.1", "1-0.1", MessageState::failed, "UNDELIVERABLE_NOT_DELIVERED"}}},
              {.label = "1001 results: past the bound", .body = results(1001), .error = ReportError::Malformed},
              {.label = "a result without status", .body = R"({"results":[{"messageId":"1-0.1"}]})", .error = ReportError::Malformed},
              {.label = "not an object", .body = "[]", .error = ReportError::Malformed},
          },
  });
}

TEST_CASE("providers/infobip: de-duplication by messageId is a config fact, off unless the account has it") {
  auto off = build("infobip", "{name: infobip, type: infobip, api_key: K, sender: UBND}");
  REQUIRE(off->provider);
  CHECK_FALSE(off->provider->idempotent());
  auto on = build("infobip", "{name: infobip, type: infobip, api_key: K, sender: UBND, idempotent: true}");
  REQUIRE(on->provider);
  CHECK(on->provider->idempotent());
  auto wrong = build("infobip", "{name: infobip, type: infobip, api_key: K, sender: UBND, idempotent: maybe}");
  CHECK_FALSE(wrong->provider);
  CHECK_FALSE(wrong->errors.empty());
}
