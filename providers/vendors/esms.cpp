// eSMS.vn: JSON send with RequestId (de-duplicated by eSMS: a repeat answers 124), GET
// callbacks with SendStatus.
#include <charconv>

#include "providers/vendors/vendor.h"

namespace loa::providers {

namespace {
using namespace vendor;

// CodeResult of a send (eSMS developer docs, table-of-error-codes.md): 100 accepted; 124
// this RequestId was taken before (not a second send); 101 bad key/secret, 102 no price
// list, 103 balance too low, 104 brandname unknown, 140 caller IP not whitelisted concern
// the account (the provider is paused); 177 the brandname is not registered on this
// network: not taken, so the message goes to the next provider of its route. Others
// (99 blocked number, 108 bad phone, 146 template...) concern the message.
constexpr Row<std::string_view, Answer> kAnswers[] = {
    {"100", Answer::taken},   {"124", Answer::taken},   {"101", Answer::account}, {"102", Answer::account},
    {"103", Answer::account}, {"104", Answer::account}, {"140", Answer::account}, {"177", Answer::elsewhere},
};
// SendStatus of a callback (eSMS developer docs, devesms/gitbook_esms_for_develop_v2_en,
// callback-url.md): 1 pending approval, 2 waiting, 4 rejected, 5 finished sending, 7 sent
// to the telco awaiting its report. Only 4 is an outcome by itself; 5 says sending is over
// and the outcome is in SendSuccess / SendFailed (their own sample: SendStatus=5 with
// SendFailed=2, SendSuccess=0); any other is not final.
constexpr std::string_view kRejected = "4";
constexpr std::string_view kFinished = "5";

struct EsmsSettings {
  std::string name, url, api_key, secret_key, brandname, sms_type = "2", callback_url;
  bool sandbox = false;
};

class EsmsProvider final : public Provider {
 public:
  explicit EsmsProvider(EsmsSettings s) : s_(std::move(s)) {}
  const std::string& name() const override { return s_.name; }
  bool idempotent() const override { return true; }
  bool reports_by_provider_id() const override { return false; }  // reports carry our ref

  std::expected<HttpRequest, ProviderError> build_request(const Message& m) override {
    json body{{"ApiKey", s_.api_key},   {"SecretKey", s_.secret_key},          {"Phone", m.to_local},
              {"Content", m.text},      {"Brandname", s_.brandname},           {"SmsType", s_.sms_type},
              {"IsUnicode", m.unicode ? "1" : "0"}, {"Sandbox", s_.sandbox ? "1" : "0"},
              {"RequestId", reference_for(m)}, {"CallbackUrl", s_.callback_url}};
    HttpRequest req;
    req.url = s_.url;
    req.body = body.dump();
    req.headers.emplace_back("Content-Type", "application/json");
    return req;
  }

  std::expected<Accepted, ProviderError> parse_response(const Message& m, const HttpResponse& r) override {
    if (auto e = gate(r)) return std::unexpected(*e);
    auto j = answer_json("eSMS", r);
    if (!j) return std::unexpected(j.error());
    const std::string code = j->is_object() && j->contains("CodeResult") ? text_of((*j)["CodeResult"]) : "";
    const std::string message = string_at(*j, "ErrorMessage");
    const std::string why = "eSMS " + code + (message.empty() ? "" : ": " + message);
    switch (lookup(kAnswers, code).value_or(Answer::refused)) {
      case Answer::taken: {
        std::string id = string_at(*j, "SMSID");
        return Accepted{id.empty() || code == "124" ? m.ref : id, false};
      }
      case Answer::account:
        return std::unexpected(error(ErrorKind::Account, why));
      case Answer::elsewhere:
        return std::unexpected(error(ErrorKind::Transient, why));
      case Answer::refused:
        break;
    }
    return std::unexpected(error(ErrorKind::Permanent, why));
  }

  std::expected<std::vector<Report>, ReportFailure> parse_report(const IncomingReport& in) override {
    const std::string status = in.param("SendStatus");
    Report rep{std::string(report_ref(in.param("RequestId"))), in.param("SMSID"), std::nullopt, ""};
    if (status.empty() || (rep.ref.empty() && rep.provider_id.empty()))
      return malformed("eSMS report needs SendStatus and RequestId or SMSID");
    if (status == kRejected) {
      rep.state = kFailed;
      rep.error = "eSMS SendStatus 4 (rejected)";
    } else if (status == kFinished) {
      // Loa sends one number a request: a failure counted is this message's.
      const auto count = [&](const char* key) {
        long long n = 0;
        const std::string v = in.param(key);
        auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
        return ec == std::errc() && end == v.data() + v.size() ? n : 0;
      };
      if (count("SendFailed") > 0) {
        rep.state = kFailed;
        rep.error = "eSMS SendStatus 5 with SendFailed " + in.param("SendFailed") + " (not delivered)";
      } else if (count("SendSuccess") > 0) {
        rep.state = kDelivered;
      }  // neither counted: sending over, outcome not told; the message stays sent
    }
    return std::vector<Report>{rep};
  }

 private:
  EsmsSettings s_;
};

}  // namespace

vendor::FactoryResult make_esms(const FactoryContext& ctx) {
  vendor::Section sec(ctx, "esms", {"api_key", "secret_key", "brandname", "sms_type", "sandbox"});
  EsmsSettings s{.name = sec.name(), .callback_url = sec.callback_url()};
  sec.strings({{"api_key", &s.api_key}, {"secret_key", &s.secret_key}, {"brandname", &s.brandname}}, true);
  if (auto v = sec.integer("sms_type", 1, 99)) s.sms_type = std::to_string(*v);
  if (auto v = sec.boolean("sandbox")) s.sandbox = *v;
  sec.need_dlr_token("eSMS");
  s.url = sec.base_url("https://rest.esms.vn") + "/MainService.svc/json/SendMultipleMessage_V4_post_json/";
  return sec.finish<EsmsProvider>(std::move(s));
}

}  // namespace loa::providers
