// SpeedSMS.vn: JSON send with HTTP Basic (access token, "x"), JSON POST reports.
#include <nlohmann/json.hpp>

#include "core/config/yaml_reader.h"
#include "providers/adapters.h"

namespace loa::providers {

namespace {

struct SpeedSettings {
  std::string name, url, access_token, sender;
  int sms_type = 2;
};

std::string text_of(const nlohmann::json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

class SpeedSmsProvider final : public Provider {
 public:
  explicit SpeedSmsProvider(SpeedSettings s) : s_(std::move(s)) {}
  const std::string& name() const override { return s_.name; }

  std::expected<HttpRequest, ProviderError> build_request(const Message& m) override {
    nlohmann::json body{{"to", {m.to_local}}, {"content", m.text}, {"sms_type", s_.sms_type}, {"sender", s_.sender}};
    HttpRequest req;
    req.url = s_.url;
    req.body = body.dump();
    req.basic_auth = s_.access_token + ":x";
    req.headers.emplace_back("Content-Type", "application/json");
    return req;
  }

  std::expected<Accepted, ProviderError> parse_response(const Message&, const HttpResponse& r) override {
    if (!r.transport_error.empty() || r.status != 200) return std::unexpected(classify_http(r));
    try {
      auto j = nlohmann::json::parse(r.body);
      if (j.value("status", "") == "success" && j.contains("data") && j["data"].contains("tranId"))
        return Accepted{text_of(j["data"]["tranId"]), false};
      std::string why = "SpeedSMS " + (j.contains("code") ? text_of(j["code"]) : "?") + ": " + j.value("message", "error");
      return std::unexpected(ProviderError{ErrorKind::Permanent, why, std::nullopt});
    } catch (const nlohmann::json::exception&) {
      return std::unexpected(ProviderError{ErrorKind::Ambiguous, "SpeedSMS answer is not JSON", std::nullopt});
    }
  }

  std::expected<std::vector<Report>, ReportFailure> parse_report(const IncomingReport& in) override {
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(in.body);
    } catch (const nlohmann::json::exception&) {
      return std::unexpected(ReportFailure{ReportError::Malformed, "SpeedSMS report is not JSON"});
    }
    if (!j.is_object() || !j.contains("tranId") || !j.contains("status") || !j["status"].is_number_integer())
      return std::unexpected(ReportFailure{ReportError::Malformed, "SpeedSMS report needs tranId and a numeric status"});
    if (j.value("type", "") != "report") return std::vector<Report>{};  // other notifications: nothing to record
    Report rep;
    rep.provider_id = text_of(j["tranId"]);
    int status = j["status"].get<int>();
    if (status == 0) rep.state = jobs::MessageState::delivered;
    else if (status >= 64) {
      rep.state = jobs::MessageState::failed;
      rep.error = "SpeedSMS status " + std::to_string(status);
    }
    return std::vector<Report>{rep};
  }

 private:
  SpeedSettings s_;
};

}  // namespace

FactoryResult make_speedsms(const FactoryContext& ctx) {
  config::YamlReader r(ctx.config.path);
  const YAML::Node& n = ctx.provider.node;
  SpeedSettings s;
  s.name = ctx.provider.name;
  std::string what = "provider \"" + s.name + "\" (type speedsms)";
  r.expect_keys(n, provider_keys({"access_token", "sender", "sms_type"}), what);
  read_strings(r, n, what, {{"access_token", &s.access_token}}, true);
  read_strings(r, n, what, {{"sender", &s.sender}}, false);
  if (n["sms_type"])
    if (auto v = r.integer(n["sms_type"], "sms_type", 1, 9)) s.sms_type = static_cast<int>(*v);
  if (ctx.provider.dlr_token.empty()) r.error(n, what + " needs dlr_token: SpeedSMS reports carry no signature");
  s.url = (ctx.provider.base_url.empty() ? "https://api.speedsms.vn" : ctx.provider.base_url) + "/index.php/sms/send";
  if (!r.errors().empty()) return std::unexpected(r.errors());
  return std::make_unique<SpeedSmsProvider>(std::move(s));
}

}  // namespace loa::providers
