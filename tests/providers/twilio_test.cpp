// Twilio cases (tests/providers/runner.h): form send, sid, signatures checked against the
// public URL.
#include <doctest/doctest.h>

#include "tests/providers/runner.h"

using namespace loa::test::vendors;

namespace {
const std::string kSection =
    "{name: twilio, type: twilio, account_sid: AC0123456789abcdef0123456789abcdef, auth_token: test-auth-token, "
    "from: '+15005550006', webhook_shared_key: test-shared-key}";
// A Webhooks Rule's signature (HMAC-SHA256 with its shared key; Python's hmac computed it).
const std::vector<std::pair<std::string, std::string>> kRuleSigned = {
    {"X-Twilio-Signature", "@status_callback.sha256.signature"},
    {"X-Twilio-Webhooks-Signature-Settings", "key=KS0123,algorithm=HMAC_SHA256"}};
const std::vector<std::pair<std::string, std::string>> kSigned = {{"X-Twilio-Signature", "@status_callback.signature"}};
// tests/data/providers/twilio/status_callback_json.url
const std::string kJsonUrl =
    "https://sms.example.vn/dlr/twilio?bodySHA256=25cc66e553909f44a7c038b0642846c5f4c0f7b6c5e14f786b58ed7ae3032e39";
}  // namespace

TEST_CASE("providers/twilio") {
  run({
      .type = "twilio",
      .yaml = kSection,
      .token = "",
      .configs =
          {
              {.label = "no from nor messaging_service_sid", .yaml = "{name: twilio, type: twilio, account_sid: A, auth_token: B}", .error = "exactly one of from and messaging_service_sid"},
          },
      .request = {.url = "http://127.0.0.1:9/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json",
                  .basic_auth = "AC0123456789abcdef0123456789abcdef:test-auth-token",
                  .headers = {{"Content-Type", "application/x-www-form-urlencoded"}},
                  .body = "@request.form"},
      .sends =
          {
              {.label = "201: sid", .status = 201, .body = "@send_ok.json", .accepted_id = "SM0123456789abcdef0123456789abcdef"},
              {.label = "400 21211: invalid number, Twilio's reason kept", .status = 400, .body = "@send_invalid.json",
               .error = ErrorKind::Permanent, .reason = "Twilio 21211"},
              {.label = "429", .status = 429, .body = "{}", .error = ErrorKind::RateLimited},
              {.label = "200 without sid", .body = "{}", .error = ErrorKind::Ambiguous},
              {.label = "timed out after writing", .transport_error = "Timeout was reached", .error = ErrorKind::Ambiguous},
          },
      .reports =
          {
              {.label = "delivered, signed", .body = "@status_callback.form", .headers = kSigned,
               .reports = {{"", "SM0123456789abcdef0123456789abcdef", MessageState::delivered}}},
              {.label = "status changed after signing", .body = "MessageSid=SM0123456789abcdef0123456789abcdef&"
                                                       "MessageStatus=failed&AccountSid=AC0123456789abcdef0123456789abcdef&"
                                                       "From=%2B15005550006&To=%2B84912345678&ApiVersion=2010-04-01&"
                                                       "SmsStatus=delivered",
               .headers = kSigned, .error = ReportError::Unauthorized},
              {.label = "signed for another URL (a proxy's view)", .body = "@status_callback.form", .headers = kSigned,
               .url = "http://10.0.0.5:8089/dlr/twilio", .error = ReportError::Unauthorized},
              {.label = "no signature", .body = "@status_callback.form", .error = ReportError::Unauthorized},
              // Twilio's newer signatures, as its helper library takes them (issue 29).
              {.label = "HMAC-SHA256 by a Webhooks Rule's shared key", .body = "@status_callback.form",
               .headers = kRuleSigned, .reports = {{"", "SM0123456789abcdef0123456789abcdef", MessageState::delivered}}},
              {.label = "HMAC-SHA256 announced, the body changed", .body = "@status_callback_json.body",
               .headers = kRuleSigned, .error = ReportError::Unauthorized},
              {.label = "the auth token's HMAC-SHA1 where the header says HMAC-SHA256", .body = "@status_callback.form",
               .headers = {{"X-Twilio-Signature", "@status_callback.signature"},
                           {"X-Twilio-Webhooks-Signature-Settings", "key=KS0123,algorithm=HMAC_SHA256"}},
               .error = ReportError::Unauthorized},
              {.label = "an algorithm Loa does not know", .body = "@status_callback.form",
               .headers = {{"X-Twilio-Signature", "@status_callback.sha256.signature"},
                           {"X-Twilio-Webhooks-Signature-Settings", "key=KS0123,algorithm=HMAC_MD5"}},
               .error = ReportError::Unauthorized},
              // Twilio's helpers accept the URL with and without the default port.
              {.label = "signed without :443, called with it", .body = "@status_callback.form", .headers = kSigned,
               .url = "https://sms.example.vn:443/dlr/twilio",
               .reports = {{"", "SM0123456789abcdef0123456789abcdef", MessageState::delivered}}},
              {.label = "signed with :443, called without it", .body = "@status_callback.form",
               .headers = {{"X-Twilio-Signature", "@status_callback.port443.signature"}},
               .reports = {{"", "SM0123456789abcdef0123456789abcdef", MessageState::delivered}}},
              {.label = "signed with :443 for another port", .body = "@status_callback.form",
               .headers = {{"X-Twilio-Signature", "@status_callback.port443.signature"}},
               .url = "https://sms.example.vn:8443/dlr/twilio", .error = ReportError::Unauthorized},
              // A body signed by its SHA-256 (bodySHA256 in the URL, the signature over the URL).
              {.label = "JSON body signed by bodySHA256", .body = "@status_callback_json.body",
               .headers = {{"X-Twilio-Signature", "@status_callback_json.signature"}}, .url = kJsonUrl,
               .reports = {{"", "SM0123456789abcdef0123456789abcdef", MessageState::delivered}}},
              {.label = "bodySHA256 body changed", .body = "{\"MessageSid\":\"SM0123456789abcdef0123456789abcdef\",\"MessageStatus\":\"failed\"}",
               .headers = {{"X-Twilio-Signature", "@status_callback_json.signature"}}, .url = kJsonUrl,
               .error = ReportError::Unauthorized},
          },
  });
}
