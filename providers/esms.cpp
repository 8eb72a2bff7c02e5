// eSMS.vn: JSON send with RequestId (de-duplicated by eSMS, code 124), GET callbacks.
#include <nlohmann/json.hpp>

#include "core/config/yaml_reader.h"
#include "providers/adapters.h"

namespace loa::providers {

namespace {

struct EsmsSettings {
  std::string name, url, api_key, secret_key, brandname, sms_type = "2", callback_url;
  bool sandbox = false;
};

class EsmsProvider final : public Provider {
 public:
  explicit EsmsProvider(EsmsSettings s) : s_(std::move(s)) {}
  const std::string& name() const override { return s_.name; }
  bool idempotent() const override { return true; }  // RequestId: a repeat answers 124
  bool reports_by_provider_id() const override { return false; }  // reports carry our ref

  std::expected<HttpRequest, ProviderError> build_request(const Message& m) override {
    nlohmann::json body{{"ApiKey", s_.api_key},       {"SecretKey", s_.secret_key}, {"Phone", m.to_local},
                        {"Content", m.text},          {"Brandname", s_.brandname},  {"SmsType", s_.sms_type},
                        {"IsUnicode", m.unicode ? "1" : "0"}, {"Sandbox", s_.sandbox ? "1" : "0"},
                        {"RequestId", m.ref},         {"CallbackUrl", s_.callback_url}};
    HttpRequest req;
    req.url = s_.url;
    req.body = body.dump();
    req.headers.emplace_back("Content-Type", "application/json");
    return req;
  }

  std::expected<Accepted, ProviderError> parse_response(const Message& m, const HttpResponse& r) override {
    if (!r.transport_error.empty() || r.status != 200) return std::unexpected(classify_http(r));
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(r.body);
    } catch (const nlohmann::json::exception&) {
      return std::unexpected(ProviderError{ErrorKind::Ambiguous, "eSMS answer is not JSON: " + r.body.substr(0, 100), std::nullopt});
    }
    std::string code = j.contains("CodeResult") ? (j["CodeResult"].is_string() ? j["CodeResult"].get<std::string>() : j["CodeResult"].dump()) : "";
    std::string why = "eSMS " + code + (j.contains("ErrorMessage") && j["ErrorMessage"].is_string() ? ": " + j["ErrorMessage"].get<std::string>() : "");
    if (code == "100") {
      std::string id = j.contains("SMSID") && j["SMSID"].is_string() ? j["SMSID"].get<std::string>() : m.ref;
      return Accepted{id, false};
    }
    if (code == "124") return Accepted{m.ref, false};  // this RequestId was already taken: not a second send
    if (code == "101" || code == "140") return std::unexpected(ProviderError{ErrorKind::Auth, why, std::nullopt});
    return std::unexpected(ProviderError{ErrorKind::Permanent, why, std::nullopt});
  }

  std::expected<std::vector<Report>, ReportFailure> parse_report(const IncomingReport& in) override {
    std::string status = in.param("SendStatus");
    std::string ref = in.param("RequestId"), id = in.param("SMSID");
    if (status.empty() || (ref.empty() && id.empty()))
      return std::unexpected(ReportFailure{ReportError::Malformed, "eSMS report needs SendStatus and RequestId or SMSID"});
    Report rep;
    rep.ref = ref;
    rep.provider_id = id;
    if (status == "5") rep.state = jobs::MessageState::delivered;
    else if (status == "4") {
      rep.state = jobs::MessageState::failed;
      rep.error = "eSMS SendStatus 4 (rejected)";
    }
    return std::vector<Report>{rep};
  }

 private:
  EsmsSettings s_;
};

}  // namespace

FactoryResult make_esms(const FactoryContext& ctx) {
  config::YamlReader r(ctx.config.path);
  const YAML::Node& n = ctx.provider.node;
  EsmsSettings s;
  s.name = ctx.provider.name;
  s.callback_url = ctx.callback_url;
  std::string what = "provider \"" + s.name + "\" (type esms)";
  r.expect_keys(n, provider_keys({"api_key", "secret_key", "brandname", "sms_type", "sandbox"}), what);
  read_strings(r, n, what, {{"api_key", &s.api_key}, {"secret_key", &s.secret_key}, {"brandname", &s.brandname}}, true);
  if (n["sms_type"])
    if (auto v = r.integer(n["sms_type"], "sms_type", 1, 99)) s.sms_type = std::to_string(*v);
  if (n["sandbox"])
    if (auto v = r.boolean(n["sandbox"], "sandbox")) s.sandbox = *v;
  if (ctx.provider.dlr_token.empty()) r.error(n, what + " needs dlr_token: eSMS callbacks carry no signature");
  std::string base = ctx.provider.base_url.empty() ? "https://rest.esms.vn" : ctx.provider.base_url;
  s.url = base + "/MainService.svc/json/SendMultipleMessage_V4_post_json/";
  if (!r.errors().empty()) return std::unexpected(r.errors());
  return std::make_unique<EsmsProvider>(std::move(s));
}

}  // namespace loa::providers
