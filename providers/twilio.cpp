// Twilio Programmable Messaging: form send with HTTP Basic, StatusCallback reports signed
// with X-Twilio-Signature (HMAC-SHA1 over the configured public URL and sorted params).
#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/config/yaml_reader.h"
#include "providers/adapters.h"
#include "providers/encoding.h"

namespace loa::providers {

std::string twilio_signature(const std::string& auth_token, const std::string& url,
                             std::vector<std::pair<std::string, std::string>> params) {
  std::stable_sort(params.begin(), params.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string data = url;
  for (const auto& [k, v] : params) data += k + v;
  return base64(hmac_sha1(auth_token, data));
}

namespace {

struct TwilioSettings {
  std::string name, url, account_sid, auth_token, from, messaging_service_sid, callback_url;
};

class TwilioProvider final : public Provider {
 public:
  explicit TwilioProvider(TwilioSettings s) : s_(std::move(s)) {}
  const std::string& name() const override { return s_.name; }

  std::expected<HttpRequest, ProviderError> build_request(const Message& m) override {
    std::vector<std::pair<std::string, std::string>> f{{"To", m.to_e164}, {"Body", m.text}, {"StatusCallback", s_.callback_url}};
    if (!s_.messaging_service_sid.empty()) f.emplace_back("MessagingServiceSid", s_.messaging_service_sid);
    else f.emplace_back("From", s_.from);
    HttpRequest req;
    req.url = s_.url;
    req.body = form_encode(f);
    req.basic_auth = s_.account_sid + ":" + s_.auth_token;
    req.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    return req;
  }

  std::expected<Accepted, ProviderError> parse_response(const Message&, const HttpResponse& r) override {
    if (!r.transport_error.empty() || (r.status != 200 && r.status != 201)) {
      ProviderError e = classify_http(r);
      try {  // keep Twilio's own code and message as the reason
        auto j = nlohmann::json::parse(r.body);
        if (j.contains("code")) e.reason = "Twilio " + j["code"].dump() + ": " + j.value("message", "");
      } catch (const nlohmann::json::exception&) {
      }
      return std::unexpected(e);
    }
    try {
      auto j = nlohmann::json::parse(r.body);
      if (j.contains("sid") && j["sid"].is_string()) return Accepted{j["sid"].get<std::string>(), false};
    } catch (const nlohmann::json::exception&) {
    }
    return std::unexpected(ProviderError{ErrorKind::Ambiguous, "Twilio answer has no sid", std::nullopt});
  }

  std::expected<std::vector<Report>, ReportFailure> parse_report(const IncomingReport& in) override {
    auto params = parse_form(in.body);
    std::string expected = twilio_signature(s_.auth_token, in.url, params);
    if (!constant_time_equal(in.header("X-Twilio-Signature"), expected))
      return std::unexpected(ReportFailure{ReportError::Unauthorized, "bad X-Twilio-Signature"});
    std::string sid, status, code;
    for (const auto& [k, v] : params) {
      if (k == "MessageSid") sid = v;
      else if (k == "MessageStatus") status = v;
      else if (k == "ErrorCode") code = v;
    }
    if (sid.empty() || status.empty())
      return std::unexpected(ReportFailure{ReportError::Malformed, "Twilio report needs MessageSid and MessageStatus"});
    Report rep;
    rep.provider_id = sid;
    if (status == "delivered" || status == "read") rep.state = jobs::MessageState::delivered;
    else if (status == "failed" || status == "undelivered" || status == "canceled") {
      rep.state = jobs::MessageState::failed;
      rep.error = "Twilio " + status + (code.empty() ? "" : " (error " + code + ")");
    }
    return std::vector<Report>{rep};
  }

 private:
  TwilioSettings s_;
};

}  // namespace

FactoryResult make_twilio(const FactoryContext& ctx) {
  config::YamlReader r(ctx.config.path);
  const YAML::Node& n = ctx.provider.node;
  TwilioSettings s;
  s.name = ctx.provider.name;
  s.callback_url = ctx.callback_url;
  std::string what = "provider \"" + s.name + "\" (type twilio)";
  r.expect_keys(n, provider_keys({"account_sid", "auth_token", "from", "messaging_service_sid"}), what);
  read_strings(r, n, what, {{"account_sid", &s.account_sid}, {"auth_token", &s.auth_token}}, true);
  read_strings(r, n, what, {{"from", &s.from}, {"messaging_service_sid", &s.messaging_service_sid}}, false);
  if (s.from.empty() == s.messaging_service_sid.empty()) r.error(n, what + " needs exactly one of from and messaging_service_sid");
  if (ctx.config.public_url.empty())
    r.error(n, what + " needs webhook.public_url: signatures are checked against the URL Twilio calls");
  s.url = (ctx.provider.base_url.empty() ? "https://api.twilio.com" : ctx.provider.base_url) + "/2010-04-01/Accounts/" +
          s.account_sid + "/Messages.json";
  if (!r.errors().empty()) return std::unexpected(r.errors());
  return std::make_unique<TwilioProvider>(std::move(s));
}

}  // namespace loa::providers
