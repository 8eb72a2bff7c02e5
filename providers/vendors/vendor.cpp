// The vendor adapters' shared parts.
#include "providers/vendors/vendor.h"

#include "core/util/i18n.h"

namespace loa::providers::vendor {

std::optional<ProviderError> gate(const HttpResponse& r, std::initializer_list<long> ok) {
  if (r.transport_error.empty() && std::find(ok.begin(), ok.end(), r.status) != ok.end()) return std::nullopt;
  return classify_http(r);
}

std::expected<json, ProviderError> answer_json(std::string_view vendor, const HttpResponse& r) {
  try {
    return json::parse(r.body);
  } catch (const json::exception&) {
    return std::unexpected(error(ErrorKind::Ambiguous, std::string(vendor) + " answer is not JSON: " + r.body.substr(0, 100)));
  }
}

std::expected<json, ReportFailure> report_json(std::string_view vendor, std::string_view body) {
  try {
    return json::parse(body);
  } catch (const json::exception&) {
    return malformed(std::string(vendor) + " report is not JSON");
  }
}

std::string text_of(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

std::string string_at(const json& j, std::string_view key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

Section::Section(const FactoryContext& ctx, std::string_view type, std::initializer_list<std::string_view> own)
    : ctx_(ctx),
      node_(ctx.provider.node),
      reader_(ctx.config.path),
      what_(i18n::trf("provider \"{}\" (type {})", ctx.provider.name, type)) {
  reader_.expect_keys(node_, provider_keys(own), what_);
}

void Section::strings(std::initializer_list<std::pair<const char*, std::string*>> fields, bool needed) {
  read_strings(reader_, node_, what_, fields, needed);
}

std::optional<long long> Section::integer(const char* key, long long lo, long long hi) {
  if (!node_[key]) return std::nullopt;
  return reader_.integer(node_[key], key, lo, hi);
}

std::optional<bool> Section::boolean(const char* key) {
  if (!node_[key]) return std::nullopt;
  return reader_.boolean(node_[key], key);
}

void Section::error(const std::string& text) { reader_.error(node_, what_ + " " + text); }

void Section::need_dlr_token(std::string_view vendor) {
  if (ctx_.provider.dlr_token.empty()) error(i18n::trf("needs dlr_token: {} reports carry no signature", vendor));
}

std::string Section::base_url(std::string_view fallback, std::string_view hint) {
  if (!ctx_.provider.base_url.empty()) return ctx_.provider.base_url;
  if (fallback.empty()) error(hint.empty() ? std::string(i18n::tr("needs base_url")) : i18n::trf("needs base_url ({})", hint));
  return std::string(fallback);
}

}  // namespace loa::providers::vendor
