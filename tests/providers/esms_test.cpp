// eSMS.vn cases (tests/providers/runner.h).
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "tests/providers/runner.h"

using namespace loa::test::vendors;

TEST_CASE("providers/esms") {
  run({
      .type = "esms",
      .yaml = "{name: esms, type: esms, api_key: K, secret_key: S, brandname: UBND-P6}",
      .idempotent = true,
      .reports_by_provider_id = false,
      .configs =
          {
              {"complete", "{name: esms, type: esms, api_key: K, secret_key: S, brandname: B}"},
              {.label = "no brandname", .yaml = "{name: esms, type: esms, api_key: K, secret_key: S}", .error = "needs brandname"},
              {"no dlr_token", "{name: esms, type: esms, api_key: K, secret_key: S, brandname: B}", "", "",
               "needs dlr_token"},
              {.label = "unknown key", .yaml = "{name: esms, type: esms, api_key: K, secret_key: S, brandname: B, colour: red}", .error = "colour"},
          },
      .request = {.url = "http://127.0.0.1:9/MainService.svc/json/SendMultipleMessage_V4_post_json/",
                  .headers = {{"Content-Type", "application/json"}},
                  .body = "@request.json"},
      .sends =
          {
              {.label = "100: taken", .body = "@send_ok.json", .accepted_id = "bdc9a3e0-5e4f-4d39-9b5c-5a6c8b1e7d01"},
              {.label = "124: this RequestId was taken before", .body = "@send_duplicate.json", .accepted_id = "1795893452014-0.3"},
              {.label = "99: blocked number", .body = "@send_blocked.json", .error = ErrorKind::Permanent,
               .reason = "eSMS 99: Phone number is blocked"},
              {.label = "101: credentials refused", .body = R"({"CodeResult":"101"})", .error = ErrorKind::Account},
              {.label = "103: balance too low (the account's)", .body = R"({"CodeResult":"103","ErrorMessage":"Balance not enough"})",
               .error = ErrorKind::Account, .reason = "eSMS 103"},
              {.label = "140: IP not whitelisted (the account's)", .body = R"({"CodeResult":"140"})", .error = ErrorKind::Account},
              {.label = "177: network not served: not taken, try the next provider", .body = R"({"CodeResult":"177"})",
               .error = ErrorKind::Transient},
              {.label = "108: bad phone (the message's)", .body = R"({"CodeResult":"108"})", .error = ErrorKind::Permanent},
              {.label = "not JSON", .body = "<html>", .error = ErrorKind::Ambiguous},
              {.label = "HTTP 503", .status = 503, .body = "busy", .error = ErrorKind::Transient},
              {.label = "refused before sending", .transport_error = "Connection refused", .request_sent = false,
               .error = ErrorKind::Transient},
          },
      .reports =
          {
              {.label = "delivered (SendStatus 5, SendSuccess 1)", .query = "@callback.query",
               .reports = {{"1795893452014-0.3", "bdc9a3e0-5e4f-4d39-9b5c-5a6c8b1e7d01", MessageState::delivered}}},
              {.label = "finished, failed (their sample: SendStatus 5, SendFailed 2, SendSuccess 0)",
               .query = "SMSID=x1&SendFailed=2&SendStatus=5&SendSuccess=0&RequestId=1-0.2",
               .reports = {{"1-0.2", "x1", MessageState::failed, "SendFailed 2"}}},
              {.label = "finished, outcome not told: not final",
               .query = "SMSID=x1&SendStatus=5&RequestId=1-0.2", .reports = {{"1-0.2", "x1", std::nullopt}}},
              {.label = "sent to the telco, awaiting its report (SendStatus 7): not final",
               .query = "SendStatus=7&SendSuccess=1&RequestId=1-0.2", .reports = {{"1-0.2", "", std::nullopt}}},
              {.label = "a resent message's report: its RequestId with the round, back to the ref",
               .query = "SMSID=x2&SendFailed=0&SendStatus=5&SendSuccess=1&RequestId=1-0.2r1",
               .reports = {{"1-0.2", "x2", MessageState::delivered}}},
              {.label = "rejected (SendStatus 4)", .query = "SendStatus=4&RequestId=1-0.2",
               .reports = {{"1-0.2", "", MessageState::failed, "SendStatus 4"}}},
              {.label = "still sending (SendStatus 2): not final", .query = "SendStatus=2&RequestId=1-0.2",
               .reports = {{"1-0.2", "", std::nullopt}}},
              {.label = "no SendStatus", .query = "SMSID=x", .error = ReportError::Malformed},
          },
  });
}

TEST_CASE("providers/esms: a message sent again after it failed carries a new RequestId (eSMS answers a repeat with 124)") {
  auto built = build("esms", "{name: esms, type: esms, api_key: K, secret_key: S, brandname: UBND-P6}");
  REQUIRE(built->provider);
  auto m = sample_message();
  CHECK(nlohmann::json::parse(built->provider->build_request(m)->body)["RequestId"] == m.ref);
  m.round = 2;
  CHECK(nlohmann::json::parse(built->provider->build_request(m)->body)["RequestId"] == m.ref + "r2");
}
