// Infobip: JSON send (messageId = Loa's ref, so a resend is recognised), batched JSON
// delivery reports of up to 100 results.
#include <nlohmann/json.hpp>

#include "core/config/yaml_reader.h"
#include "providers/adapters.h"

namespace loa::providers {

namespace {

struct InfobipSettings {
  std::string name, url, api_key, sender, callback_url;
};

class InfobipProvider final : public Provider {
 public:
  explicit InfobipProvider(InfobipSettings s) : s_(std::move(s)) {}
  const std::string& name() const override { return s_.name; }
  bool idempotent() const override { return true; }  // messageId is ours
  bool reports_by_provider_id() const override { return false; }  // reports carry our ref

  std::expected<HttpRequest, ProviderError> build_request(const Message& m) override {
    nlohmann::json msg{{"from", s_.sender},
                       {"destinations", {{{"to", m.to_digits}, {"messageId", m.ref}}}},
                       {"text", m.text},
                       {"notifyUrl", s_.callback_url},
                       {"notifyContentType", "application/json"},
                       {"callbackData", m.ref}};
    HttpRequest req;
    req.url = s_.url;
    req.body = nlohmann::json{{"messages", {msg}}}.dump();
    req.headers = {{"Authorization", "App " + s_.api_key}, {"Content-Type", "application/json"}, {"Accept", "application/json"}};
    return req;
  }

  std::expected<Accepted, ProviderError> parse_response(const Message& m, const HttpResponse& r) override {
    if (!r.transport_error.empty() || r.status != 200) return std::unexpected(classify_http(r));
    try {
      auto j = nlohmann::json::parse(r.body);
      const auto& first = j.at("messages").at(0);
      int group = first.at("status").value("groupId", 0);
      if (group == 5 || group == 2) {
        std::string why = "Infobip " + first["status"].value("name", "REJECTED") + ": " + first["status"].value("description", "");
        return std::unexpected(ProviderError{ErrorKind::Permanent, why, std::nullopt});
      }
      return Accepted{first.value("messageId", m.ref), false};
    } catch (const nlohmann::json::exception&) {
      return std::unexpected(ProviderError{ErrorKind::Ambiguous, "Infobip answer not understood: " + r.body.substr(0, 100), std::nullopt});
    }
  }

  std::expected<std::vector<Report>, ReportFailure> parse_report(const IncomingReport& in) override {
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(in.body);
    } catch (const nlohmann::json::exception&) {
      return std::unexpected(ReportFailure{ReportError::Malformed, "Infobip report is not JSON"});
    }
    if (!j.is_object() || !j.contains("results") || !j["results"].is_array())
      return std::unexpected(ReportFailure{ReportError::Malformed, "Infobip report needs a results list"});
    if (j["results"].size() > 100) return std::unexpected(ReportFailure{ReportError::Malformed, "over 100 results in one report"});
    std::vector<Report> out;
    for (const auto& res : j["results"]) {
      if (!res.is_object() || !res.contains("status") || !res["status"].is_object())
        return std::unexpected(ReportFailure{ReportError::Malformed, "a result without status"});
      Report rep;
      if (res.contains("callbackData") && res["callbackData"].is_string()) rep.ref = res["callbackData"].get<std::string>();
      if (res.contains("messageId") && res["messageId"].is_string()) rep.provider_id = res["messageId"].get<std::string>();
      if (rep.ref.empty()) rep.ref = rep.provider_id;  // our messageId is our ref
      if (rep.ref.empty()) return std::unexpected(ReportFailure{ReportError::Malformed, "a result without messageId"});
      int group = res["status"].value("groupId", 0);
      if (group == 3) rep.state = jobs::MessageState::delivered;
      else if (group == 2 || group == 4 || group == 5) {
        rep.state = jobs::MessageState::failed;
        rep.error = "Infobip " + res["status"].value("name", "") + ": " + res["status"].value("description", "");
      }
      out.push_back(rep);
    }
    return out;
  }

 private:
  InfobipSettings s_;
};

}  // namespace

FactoryResult make_infobip(const FactoryContext& ctx) {
  config::YamlReader r(ctx.config.path);
  const YAML::Node& n = ctx.provider.node;
  InfobipSettings s;
  s.name = ctx.provider.name;
  s.callback_url = ctx.callback_url;
  std::string what = "provider \"" + s.name + "\" (type infobip)";
  r.expect_keys(n, provider_keys({"api_key", "sender"}), what);
  read_strings(r, n, what, {{"api_key", &s.api_key}}, true);
  read_strings(r, n, what, {{"sender", &s.sender}}, false);
  if (ctx.provider.base_url.empty()) r.error(n, what + " needs base_url (your account's https://xxxxx.api.infobip.com)");
  if (ctx.provider.dlr_token.empty()) r.error(n, what + " needs dlr_token: Infobip reports carry no signature");
  s.url = ctx.provider.base_url + "/sms/2/text/advanced";
  if (!r.errors().empty()) return std::unexpected(r.errors());
  return std::make_unique<InfobipProvider>(std::move(s));
}

}  // namespace loa::providers
