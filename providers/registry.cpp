// Provider registry and the shared HTTP error classification.
#include "core/util/strings.h"
#include "providers/registry.h"

#include <fmt/format.h>

#include "core/util/yaml_reader.h"
#include "core/util/encoding.h"
#include "core/util/i18n.h"
#include "providers/file_provider.h"
#include "providers/generic_http.h"

namespace loa::providers {

// The vendor adapters' factories (providers/vendors/list.h).
#define LOA_VENDOR(type, factory) \
  std::expected<std::unique_ptr<Provider>, std::vector<std::string>> factory(const FactoryContext& ctx);
#include "providers/vendors/list.h"
#undef LOA_VENDOR

std::string IncomingReport::header(const std::string& name) const {
  for (const auto& [k, v] : headers)
    if (strcasecmp(k.c_str(), name.c_str()) == 0) return v;
  return "";
}

std::string IncomingReport::param(const std::string& name) const {
  auto it = params.find(name);
  return it == params.end() ? "" : it->second;
}

std::string reference_for(const Message& m) { return m.round > 0 ? m.ref + "r" + std::to_string(m.round) : m.ref; }

std::string_view report_ref(std::string_view reference) {
  // Loa's refs end in digits ("<job>.<index>"): an "r" followed by digits only is a round.
  const auto r = reference.rfind('r');
  if (r == std::string_view::npos || r + 1 == reference.size()) return reference;
  for (char c : reference.substr(r + 1))
    if (c < '0' || c > '9') return reference;
  return reference.substr(0, r);
}

ProviderError classify_http(const HttpResponse& r) {
  if (!r.transport_error.empty()) {
    if (!r.request_sent) return {ErrorKind::Transient, "not sent: " + r.transport_error, std::nullopt};
    return {ErrorKind::Ambiguous, (r.timed_out ? "timed out after the request was written: " : "connection lost after the request was written: ") + r.transport_error, std::nullopt};
  }
  std::string body = r.body.substr(0, 200);
  const auto wait = r.retry_after_ms ? r.retry_after_ms : r.rate_limit_reset_ms;
  if (r.status == 429) return {ErrorKind::RateLimited, fmt::format("HTTP 429: {}", body), wait};
  // 503 says the provider did not take the request. 500, 502 and 504 do not: a provider
  // may fail after acting on it, and 502/504 come from a proxy in front of it that may
  // have passed it on (../shared/docs/providers-and-sms-facts.md, "Corrections"); none of
  // the providers' documents says otherwise for these codes. Any other 5xx (501, 505):
  // the request was not understood, so not acted on.
  if (r.status == 500 || r.status == 502 || r.status == 504)
    return {ErrorKind::Ambiguous, fmt::format("HTTP {} after the request was written: {}", r.status, body), std::nullopt};
  if (r.status >= 500) return {ErrorKind::Transient, fmt::format("HTTP {}: {}", r.status, body), wait};
  if (r.status == 401 || r.status == 403) return {ErrorKind::Account, fmt::format("HTTP {}: {}", r.status, body), std::nullopt};
  return {ErrorKind::Permanent, fmt::format("HTTP {}: {}", r.status, body), std::nullopt};
}

bool Registry::add(const std::string& type, Factory f) { return factories_.emplace(type, std::move(f)).second; }

const Factory* Registry::find(const std::string& type) const {
  auto it = factories_.find(type);
  return it == factories_.end() ? nullptr : &it->second;
}

std::string Registry::known_types() const {
  return util::join(factories_, ", ", [](const auto& kv) { return kv.first; });
}

std::vector<std::string_view> provider_keys(std::initializer_list<std::string_view> own) {
  std::vector<std::string_view> keys{"name", "type", "rate_per_second", "burst", "max_in_flight", "timeout_ms", "base_url", "dlr_token", "ca_file"};
  keys.insert(keys.end(), own.begin(), own.end());
  return keys;
}

void read_strings(util::YamlReader& r, const YAML::Node& n, const std::string& what,
                  std::initializer_list<std::pair<const char*, std::string*>> fields, bool required) {
  for (auto [key, dst] : fields) {
    if (!n[key]) {
      if (required) r.error(n, i18n::trf("{} needs {}", what, key));
    } else if (auto v = r.string(n[key], key)) {
      *dst = *v;
    }
  }
}

void register_builtin_providers(Registry& r) {
  r.add("http", make_generic_http);
  r.add("file", make_file_provider);
#define LOA_VENDOR(type, factory) r.add(type, factory);
#include "providers/vendors/list.h"
#undef LOA_VENDOR
}

// The token goes in the path, /dlr/<name>/<token>: a provider that appends its report's
// fields to the URL with "?" (eSMS documents no rule for a URL that has a query already)
// keeps it whole. The webhook still takes ?token= (callback URLs handed out before).
std::string callback_url(const std::string& public_url, const config::ProviderConfig& p) {
  std::string url = public_url + "/dlr/" + p.name;
  if (!p.dlr_token.empty()) url += "/" + util::url_encode(p.dlr_token);
  return url;
}

std::expected<std::map<std::string, std::unique_ptr<Provider>>, std::vector<std::string>> build_providers(
    const config::Config& cfg, const std::string& public_url) {
  Registry registry;
  register_builtin_providers(registry);
  std::map<std::string, std::unique_ptr<Provider>> out;
  std::vector<std::string> errors;
  for (const auto& p : cfg.providers) {
    const Factory* f = registry.find(p.type);
    if (!f) {
      util::YamlReader r(cfg.path);
      r.error(p.node["type"] ? p.node["type"] : p.node,
              i18n::trf("provider \"{}\" has unknown type \"{}\" (known types: {})", p.name, p.type, registry.known_types()));
      errors.insert(errors.end(), r.errors().begin(), r.errors().end());
      continue;
    }
    auto made = (*f)(FactoryContext{cfg, p, callback_url(public_url, p)});
    if (!made) errors.insert(errors.end(), made.error().begin(), made.error().end());
    else out.emplace(p.name, std::move(*made));
  }
  if (!errors.empty()) return std::unexpected(errors);
  return out;
}

}  // namespace loa::providers
