// Twilio Programmable Messaging: form send with HTTP Basic, StatusCallback reports signed
// with X-Twilio-Signature (HMAC-SHA1 over the configured public URL and sorted params), as
// Twilio's helper libraries check it (twilio-python's RequestValidator): the URL with the
// scheme's default port written out or left out, and for a body Twilio does not send as
// form fields, a bodySHA256 query parameter (the body's SHA-256, hex) with the signature
// over the URL alone. Where a Webhooks Rule signs instead (X-Twilio-Webhooks-Signature-Settings:
// key=<id>,algorithm=HMAC_SHA256 or HMAC_SHA1), the rule's shared key (webhook_shared_key)
// and that algorithm sign the same string, as twilio-node's validateRequest takes them.
#include "providers/vendors/twilio.h"

#include <algorithm>
#include <optional>
#include <string_view>

#include "core/util/encoding.h"
#include "core/util/i18n.h"
#include "core/util/strings.h"
#include "providers/vendors/vendor.h"

namespace loa::providers {

std::string twilio_signature(const std::string& key, const std::string& url,
                             std::vector<std::pair<std::string, std::string>> params, bool sha256) {
  std::stable_sort(params.begin(), params.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string data = url;
  for (const auto& [k, v] : params) data += k + v;
  return util::base64(sha256 ? util::hmac_sha256(key, data) : util::hmac_sha1(key, data));
}

namespace {
using namespace vendor;

// The URLs Twilio may have signed for `url`: itself, and the same with the scheme's default
// port (:443, :80) written out when it is left out, or left out when written.
std::vector<std::string> signed_forms(const std::string& url) {
  std::vector<std::string> out{url};
  const bool tls = url.starts_with("https://");
  if (!tls && !url.starts_with("http://")) return out;
  const std::size_t host_at = tls ? 8 : 7;
  const std::size_t end = std::min(url.find_first_of("/?#", host_at), url.size());
  const std::string authority = url.substr(host_at, end - host_at);
  const std::string port = tls ? ":443" : ":80";
  if (authority.ends_with(port))
    out.push_back(url.substr(0, end - port.size()) + url.substr(end));
  else if (authority.rfind(':') == std::string::npos || authority.ends_with("]"))
    out.push_back(url.substr(0, end) + port + url.substr(end));
  return out;
}

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

// MessageStatus of a status callback (Twilio docs, Messaging API, "Message resource":
// "Message status values"): delivered and read are final deliveries; failed, undelivered
// and canceled final failures; any other (queued, accepted, scheduled, sending, sent,
// partially_delivered) is not final.
constexpr Row<std::string_view, Outcome> kReports[] = {
    {"delivered", kDelivered}, {"read", kDelivered},
    {"failed", kFailed},       {"undelivered", kFailed}, {"canceled", kFailed},
};

struct TwilioSettings {
  std::string name, url, account_sid, auth_token, from, messaging_service_sid, callback_url;
  std::string webhook_shared_key;  ///< a Webhooks Rule's SharedKey secret, when one signs
};

// The algorithm an X-Twilio-Webhooks-Signature-Settings value names ("key=K1,algorithm=
// HMAC_SHA256"): true for SHA-256, false for SHA-1, nullopt for anything else.
std::optional<bool> signature_algorithm(std::string_view settings) {
  for (auto part : util::split(settings, ",")) {
    part = util::trimmed(part);
    if (!part.starts_with("algorithm=")) continue;
    const auto algorithm = part.substr(10);
    if (algorithm == "HMAC_SHA256") return true;
    if (algorithm == "HMAC_SHA1") return false;
    return std::nullopt;
  }
  return std::nullopt;
}

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
    req.body = util::form_encode(f);
    req.basic_auth = s_.account_sid + ":" + s_.auth_token;
    req.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    return req;
  }

  std::expected<Accepted, ProviderError> parse_response(const Message&, const HttpResponse& r) override {
    if (auto e = gate(r, {200, 201})) {
      // Keep Twilio's own code and message as the reason.
      if (auto j = answer_json("Twilio", r); j && j->is_object() && j->contains("code"))
        e->reason = "Twilio " + (*j)["code"].dump() + ": " + string_at(*j, "message");
      return std::unexpected(*e);
    }
    auto j = answer_json("Twilio", r);
    if (std::string sid = j ? string_at(*j, "sid") : ""; !sid.empty()) return Accepted{sid, false};
    return std::unexpected(error(ErrorKind::Ambiguous, "Twilio answer has no sid"));
  }

  std::expected<std::vector<Report>, ReportFailure> parse_report(const IncomingReport& in) override {
    // A body signed by its hash (bodySHA256) is not signed as form fields; its fields are
    // read from it as JSON or form.
    const std::string body_hash = util::query_param(in.url, "bodySHA256");
    std::vector<std::pair<std::string, std::string>> params;
    if (body_hash.empty()) params = util::parse_form(in.body);
    else if (!util::constant_time_equal(lower(body_hash), util::sha256_hex(in.body)))
      return std::unexpected(ReportFailure{ReportError::Unauthorized, "bodySHA256 does not match the body"});
    // Signed by a Webhooks Rule (its shared key, its algorithm), or by the account (the auth
    // token, HMAC-SHA1).
    std::string key = s_.auth_token;
    bool sha256 = false;
    if (const std::string settings = in.header("X-Twilio-Webhooks-Signature-Settings"); !settings.empty()) {
      const auto algorithm = signature_algorithm(settings);
      if (!algorithm)
        return std::unexpected(ReportFailure{ReportError::Unauthorized,
                                             "X-Twilio-Webhooks-Signature-Settings names no algorithm Loa knows"});
      if (s_.webhook_shared_key.empty())
        return std::unexpected(ReportFailure{ReportError::Unauthorized,
                                             "signed with a Webhooks Rule's shared key, and webhook_shared_key is not set"});
      key = s_.webhook_shared_key;
      sha256 = *algorithm;
    }
    bool good = false;
    const std::string given = in.header("X-Twilio-Signature");
    for (const auto& url : signed_forms(in.url))
      good |= util::constant_time_equal(given, twilio_signature(key, url, params, sha256));
    if (!good) return std::unexpected(ReportFailure{ReportError::Unauthorized, "bad X-Twilio-Signature"});
    if (!body_hash.empty()) params = fields_of(in.body);
    std::string sid, status, code;
    for (const auto& [k, v] : params) {
      if (k == "MessageSid") sid = v;
      else if (k == "MessageStatus") status = v;
      else if (k == "ErrorCode") code = v;
    }
    if (sid.empty() || status.empty()) return malformed("Twilio report needs MessageSid and MessageStatus");
    Report rep{"", sid, lookup(kReports, status).value_or(kIntermediate), ""};
    if (rep.state == kFailed) rep.error = "Twilio " + status + (code.empty() ? "" : " (error " + code + ")");
    return std::vector<Report>{rep};
  }

 private:
  // The string fields of a body signed by its hash: a JSON object's, else form fields.
  static std::vector<std::pair<std::string, std::string>> fields_of(const std::string& body) {
    auto j = nlohmann::json::parse(body, nullptr, false);
    if (!j.is_object()) return util::parse_form(body);
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [k, v] : j.items())
      if (v.is_string()) out.emplace_back(k, v.get<std::string>());
      else if (v.is_number()) out.emplace_back(k, v.dump());
    return out;
  }

  TwilioSettings s_;
};

}  // namespace

vendor::FactoryResult make_twilio(const FactoryContext& ctx) {
  vendor::Section sec(ctx, "twilio", {"account_sid", "auth_token", "from", "messaging_service_sid", "webhook_shared_key"});
  TwilioSettings s{.name = sec.name(), .callback_url = sec.callback_url()};
  sec.strings({{"account_sid", &s.account_sid}, {"auth_token", &s.auth_token}}, true);
  sec.strings({{"from", &s.from}, {"messaging_service_sid", &s.messaging_service_sid},
               {"webhook_shared_key", &s.webhook_shared_key}},
              false);
  if (s.from.empty() == s.messaging_service_sid.empty()) sec.error(i18n::tr("needs exactly one of from and messaging_service_sid"));
  if (ctx.config.public_url.empty())
    sec.error(i18n::tr("needs webhook.public_url: signatures are checked against the URL Twilio calls"));
  s.url = sec.base_url("https://api.twilio.com") + "/2010-04-01/Accounts/" + s.account_sid + "/Messages.json";
  return sec.finish<TwilioProvider>(std::move(s));
}

}  // namespace loa::providers
