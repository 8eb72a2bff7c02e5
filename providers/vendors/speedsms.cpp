// SpeedSMS.vn: JSON send with HTTP Basic (access token, "x"), JSON POST reports.
#include "providers/vendors/vendor.h"

namespace loa::providers {

namespace {
using namespace vendor;

// Report status ranges (speedsms.vn/sms-api, delivery report posts {"type":"report",
// "tranId","phone","status"}): 0 delivered, 1-63 a temporary failure (not final yet), 64
// and above failed.
constexpr Row<std::pair<int, int>, Outcome> kReports[] = {
    {{0, 0}, kDelivered},
    {{1, 63}, kIntermediate},
    {{64, 1 << 30}, kFailed},
};
Outcome report_outcome(int status) {
  for (const auto& row : kReports)
    if (status >= row.code.first && status <= row.code.second) return row.meaning;
  return kIntermediate;
}

// Error codes of a send answer (speedsms.vn/sms-api): 500 is the service's own failure,
// "please try again" (not taken: retried, maybe elsewhere); 007 IP locked, 008 account
// blocked, 009 API not allowed, 300 balance too low concern the account, not the message;
// others (101 bad parameters, 105 bad phone, 110 encoding, 113 too long) the message.
constexpr Row<std::string_view, ErrorKind> kCodes[] = {
    {"500", ErrorKind::Transient},
    {"007", ErrorKind::Account},
    {"008", ErrorKind::Account},
    {"009", ErrorKind::Account},
    {"300", ErrorKind::Account},  // balance too low
};

struct SpeedSettings {
  std::string name, url, access_token, sender;
  int sms_type = 2;
};

class SpeedSmsProvider final : public Provider {
 public:
  explicit SpeedSmsProvider(SpeedSettings s) : s_(std::move(s)) {}
  const std::string& name() const override { return s_.name; }

  std::expected<HttpRequest, ProviderError> build_request(const Message& m) override {
    json body{{"to", {m.to_local}}, {"content", m.text}, {"sms_type", s_.sms_type}, {"sender", s_.sender}};
    HttpRequest req;
    req.url = s_.url;
    req.body = body.dump();
    req.basic_auth = s_.access_token + ":x";
    req.headers.emplace_back("Content-Type", "application/json");
    return req;
  }

  std::expected<Accepted, ProviderError> parse_response(const Message&, const HttpResponse& r) override {
    if (auto e = gate(r)) return std::unexpected(*e);
    auto j = answer_json("SpeedSMS", r);
    if (!j) return std::unexpected(j.error());
    if (string_at(*j, "status") == "success" && j->contains("data") && (*j)["data"].contains("tranId"))
      return Accepted{text_of((*j)["data"]["tranId"]), false};
    const std::string message = string_at(*j, "message");
    const std::string code = j->contains("code") ? text_of((*j)["code"]) : "?";
    return std::unexpected(error(lookup(kCodes, code).value_or(ErrorKind::Permanent),
                                 "SpeedSMS " + code + ": " + (message.empty() ? "error" : message)));
  }

  std::expected<std::vector<Report>, ReportFailure> parse_report(const IncomingReport& in) override {
    auto j = report_json("SpeedSMS", in.body);
    if (!j) return std::unexpected(j.error());
    if (!j->is_object()) return malformed("SpeedSMS report is not a JSON object");
    // Other notifications (type "incoming": a resident's reply) are taken and recorded
    // nowhere: refusing them would only make SpeedSMS post them again.
    if (string_at(*j, "type") != "report") return std::vector<Report>{};
    if (!j->contains("tranId") || !j->contains("status") || !(*j)["status"].is_number_integer())
      return malformed("SpeedSMS report needs tranId and a numeric status");
    const int status = (*j)["status"].get<int>();
    Report rep{"", text_of((*j)["tranId"]), report_outcome(status), ""};
    if (rep.state == kFailed) rep.error = "SpeedSMS status " + std::to_string(status);
    return std::vector<Report>{rep};
  }

 private:
  SpeedSettings s_;
};

}  // namespace

vendor::FactoryResult make_speedsms(const FactoryContext& ctx) {
  vendor::Section sec(ctx, "speedsms", {"access_token", "sender", "sms_type"});
  SpeedSettings s{.name = sec.name()};
  sec.strings({{"access_token", &s.access_token}}, true);
  sec.strings({{"sender", &s.sender}}, false);
  if (auto v = sec.integer("sms_type", 1, 9)) s.sms_type = static_cast<int>(*v);
  sec.need_dlr_token("SpeedSMS");
  s.url = sec.base_url("https://api.speedsms.vn") + "/index.php/sms/send";
  return sec.finish<SpeedSmsProvider>(std::move(s));
}

}  // namespace loa::providers
