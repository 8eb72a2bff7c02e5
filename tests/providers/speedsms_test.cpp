// SpeedSMS.vn cases (tests/providers/runner.h).
#include <doctest/doctest.h>

#include "tests/providers/runner.h"

using namespace loa::test::vendors;

TEST_CASE("providers/speedsms") {
  run({
      .type = "speedsms",
      .yaml = "{name: speedsms, type: speedsms, access_token: T0K, sender: UBND, sms_type: 3}",
      .configs =
          {
              {.label = "no access_token", .yaml = "{name: speedsms, type: speedsms}", .error = "needs access_token"},
              {.label = "sms_type out of range", .yaml = "{name: speedsms, type: speedsms, access_token: T, sms_type: 12}", .error = "sms_type"},
          },
      .request = {.url = "http://127.0.0.1:9/index.php/sms/send",
                  .basic_auth = "T0K:x",
                  .headers = {{"Content-Type", "application/json"}},
                  .body = "@request.json"},
      .sends =
          {
              {.label = "success: tranId", .body = "@send_ok.json", .accepted_id = "88123456"},
              {.label = "error: invalid number", .body = "@send_error.json", .error = ErrorKind::Permanent,
               .reason = "invalid phone number"},
              {.label = "not JSON", .body = "oops", .error = ErrorKind::Ambiguous},
              {.label = "HTTP 429", .status = 429, .body = "", .error = ErrorKind::RateLimited},
              {.label = "500: please try again (not taken)", .body = R"({"status":"error","code":"500","message":"Internal error"})",
               .error = ErrorKind::Transient, .reason = "SpeedSMS 500"},
              {.label = "008: account blocked", .body = R"({"status":"error","code":"008","message":"Account blocked"})",
               .error = ErrorKind::Account},
              {.label = "HTTP 503: not taken", .status = 503, .body = "", .error = ErrorKind::Transient},
              {.label = "HTTP 502 from a proxy: may have been taken", .status = 502, .body = "", .error = ErrorKind::Ambiguous},
              {.label = "HTTP 504: may have been taken", .status = 504, .body = "", .error = ErrorKind::Ambiguous},
              {.label = "HTTP 500: may have been taken", .status = 500, .body = "", .error = ErrorKind::Ambiguous},
          },
      .reports =
          {
              {.label = "delivered (status 0)", .body = "@report.json", .reports = {{"", "88123456", MessageState::delivered}}},
              {.label = "failed (status 70)", .body = R"({"type":"report","tranId":1,"status":70})",
               .reports = {{"", "1", MessageState::failed, "status 70"}}},
              {.label = "temporary failure (status 12): not final", .body = R"({"type":"report","tranId":1,"status":12})",
               .reports = {{"", "1", std::nullopt}}},
              {.label = "another notification: nothing", .body = R"({"type":"balance","tranId":1,"status":0})"},
              {.label = "a reply (type incoming): taken, nothing recorded",
               .body = R"({"type":"incoming","phone":"0912345678","content":"Da nhan"})"},
              {.label = "no tranId, status a string", .body = R"({"type":"report","status":"0"})",
               .error = ReportError::Malformed},
              {.label = "not JSON", .body = "{", .error = ReportError::Malformed},
          },
  });
}
