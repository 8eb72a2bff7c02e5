// Fuzz target: every provider's delivery-report parser, with the webhook's own reading of
// the query and form body. The first byte picks the provider and the content type; the
// rest is "<query>\n<signature>\n<body>".
#include <memory>

#include "core/config/config.h"
#include "core/util/encoding.h"
#include "providers/registry.h"
#include "tests/fuzz/fuzz.h"

namespace {
constexpr const char* kConfig = R"(redis: { url: "redis://127.0.0.1:1/0" }
webhook: { listen: "127.0.0.1:0", public_url: "https://gw.example.vn" }
templates_dir: .
wards_dir: .
providers:
  - { name: json, type: http, url: "http://127.0.0.1:9/send", dlr_token: t,
      dlr: { id: id, status: status, statuses: { delivered: [DELIVERED], failed: [FAILED] } } }
  - { name: form, type: http, url: "http://127.0.0.1:9/send", message_id: id,
      dlr: { secret_header: X-S, secret: s, statuses: { delivered: [D], failed: [F] } } }
  - { name: esms, type: esms, api_key: k, secret_key: s, brandname: B, dlr_token: t }
  - { name: speedsms, type: speedsms, access_token: a, dlr_token: t }
  - { name: twilio, type: twilio, account_sid: AC1, auth_token: tok, from: "+15550001" }
  - { name: infobip, type: infobip, api_key: k, sender: UBND, base_url: "https://x.api.infobip.com", dlr_token: t }
)";

std::map<std::string, std::unique_ptr<loa::providers::Provider>>& providers() {
  static auto made = [] {
    auto cfg = loa::config::load_config(loa::fuzz::write("reports.yaml", kConfig));
    if (!cfg) std::abort();
    auto p = loa::providers::build_providers(*cfg, "https://gw.example.vn");
    if (!p) std::abort();
    return std::move(*p);
  }();
  return made;
}
}  // namespace

LOA_FUZZ_TARGET(reports) {
  if (size == 0) return 0;
  auto& all = providers();
  auto it = all.begin();
  std::advance(it, data[0] % all.size());
  std::string_view rest = loa::fuzz::text(data + 1, size - 1);
  auto cut = [&rest]() {
    auto nl = rest.find('\n');
    std::string_view head = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    return std::string(head);
  };
  loa::providers::IncomingReport in;
  std::string query = cut();
  std::string signature = cut();
  in.body = std::string(rest);
  in.method = data[0] & 0x80 ? "GET" : "POST";
  in.url = "https://gw.example.vn/dlr/" + it->first + (query.empty() ? "" : "?" + query);
  in.content_type = data[0] & 0x40 ? "application/x-www-form-urlencoded" : "application/json";
  for (auto& [k, v] : loa::util::parse_form(query)) in.params.emplace(k, v);
  if (data[0] & 0x40)
    for (auto& [k, v] : loa::util::parse_form(in.body)) in.params.emplace(k, v);
  in.headers.emplace("X-Twilio-Signature", signature);
  in.headers.emplace("X-S", signature);
  (void)it->second->parse_report(in);
  return 0;
}
