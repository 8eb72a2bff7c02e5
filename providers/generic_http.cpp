// The generic http provider: fields from templates, JSON/form/query encodings,
// configurable delivery-report fields and status names.
#include "providers/generic_http.h"

#include <array>
#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/util/yaml_reader.h"
#include "core/text/unicode.h"
#include "core/util/encoding.h"
#include "core/util/url.h"
#include "core/util/i18n.h"
#include "core/util/strings.h"
#include "providers/field_template.h"

namespace loa::providers {

namespace {

struct Settings {
  std::string name, url, method = "POST", content_type = "json", callback_url, message_id;
  std::optional<FieldTemplate> callback_query;  ///< dlr.callback_query: appended to callback_url
  std::vector<std::pair<std::string, std::string>> headers;
  std::vector<std::pair<std::string, FieldTemplate>> fields;
  std::vector<std::string> json_keys;  ///< each field's name, JSON-quoted, with the colon
  std::set<long> accept_status{200, 201, 202};
  std::string dlr_id = "ref", dlr_status = "status", dlr_error, secret_header, secret;
  std::set<std::string> delivered{"DELIVERED"}, failed{"FAILED", "UNDELIV", "REJECTD"};
  bool idempotent = false;
  bool insecure = false;  ///< reports taken without any proof of origin (dlr.insecure, nothing else)
};

// A SAX reader to which every scalar is its JSON text (a string, its value): the readers
// below need only that and the structure.
class ScalarsAsText : public nlohmann::json_sax<nlohmann::json> {
 public:
  bool null() final { return scalar("null"); }
  bool boolean(bool v) final { return scalar(v ? "true" : "false"); }
  bool number_integer(number_integer_t v) final { return scalar(std::to_string(v)); }
  bool number_unsigned(number_unsigned_t v) final { return scalar(std::to_string(v)); }
  bool number_float(number_float_t, const string_t& text) final { return scalar(text); }
  bool string(string_t& v) final { return scalar(std::move(v)); }
  bool binary(binary_t&) final { return scalar(""); }
 protected:
  virtual bool scalar(std::string v) = 0;
};

// Reads one top-level field of a JSON answer as it streams past (SAX), without building the
// whole document: the send path does this once per message. Scalars only; `nested` says
// the field holds an object or array, which the caller then reads the slow way.
class TopLevelField final : public ScalarsAsText {
 public:
  explicit TopLevelField(const std::string& name) : name_(name) {}
  std::optional<std::string> value;
  bool nested = false;

  bool start_object(std::size_t) override { return open(); }
  bool end_object() override { return --depth_, true; }
  bool start_array(std::size_t) override { return open(); }
  bool end_array() override { return --depth_, true; }
  bool key(string_t& k) override {
    wanted_ = depth_ == 1 && k == name_;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }

 private:
  bool scalar(std::string v) override {
    if (wanted_ && depth_ == 1) value = std::move(v);
    wanted_ = false;
    return true;
  }
  bool open() {
    if (wanted_ && depth_ == 1) nested = true;
    wanted_ = false;
    ++depth_;
    return true;
  }
  const std::string& name_;
  int depth_ = 0;
  bool wanted_ = false;
};

// A report body's items -- one JSON object, or a list of them -- read as they stream past
// (SAX), keeping of each object only the fields a report reads (a non-string scalar as its
// JSON text): the webhook does this for every message a provider reports, and a document
// of maps costs an allocation per field. `nested` says a wanted field holds an object or
// array, which the caller then reads the slow way; `error` says why the body is refused.
class ReportItems final : public ScalarsAsText {
 public:
  static constexpr int kWanted = 3;
  using Item = std::array<std::optional<std::string>, kWanted>;
  /// `keys`: the wanted fields' names (an empty one is not read); `max_items`: a list's bound.
  ReportItems(const std::array<const std::string*, kWanted>& keys, std::size_t max_items)
      : keys_(keys), max_items_(max_items) {}
  std::vector<Item> items;
  bool nested = false;
  std::string error;

  bool start_object(std::size_t) override {
    if (depth_ == 0 || (depth_ == 1 && list_)) {
      if (items.size() == max_items_)
        return refuse(fmt::format("a list of more than {} reports (1 to {} in one request)", max_items_, max_items_));
      items.emplace_back();
    } else if (!open_value()) {
      return false;
    }
    ++depth_;
    return true;
  }
  bool end_object() override { return --depth_, true; }
  bool start_array(std::size_t) override {
    if (depth_ == 0) list_ = true;
    else if (depth_ == 1 && list_) return refuse("a report in the list is not an object");
    else if (!open_value()) return false;
    ++depth_;
    return true;
  }
  bool end_array() override { return --depth_, true; }
  bool key(string_t& k) override {
    wanted_ = -1;
    if (depth_ == item_depth())
      for (int i = 0; i < kWanted; ++i)
        if (!keys_[i]->empty() && k == *keys_[i]) wanted_ = i;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
    return refuse(std::string("body is not valid JSON: ") + e.what());
  }

 private:
  int item_depth() const { return list_ ? 2 : 1; }
  bool scalar(std::string v) override {
    if (depth_ == 0) return refuse("the JSON body is neither an object nor a list");
    if (depth_ == 1 && list_) return refuse("a report in the list is not an object");
    if (wanted_ >= 0 && depth_ == item_depth()) items.back()[static_cast<std::size_t>(wanted_)] = std::move(v);
    wanted_ = -1;
    return true;
  }
  // An object or array as a field's value: only a wanted field's matters.
  bool open_value() {
    if (wanted_ >= 0 && depth_ == item_depth()) {
      nested = true;
      return false;
    }
    wanted_ = -1;
    return true;
  }
  bool refuse(std::string why) {
    if (error.empty()) error = std::move(why);
    return false;
  }
  std::array<const std::string*, kWanted> keys_;
  std::size_t max_items_;
  int depth_ = 0;
  bool list_ = false;
  int wanted_ = -1;
};

bool looks_like_ref(const std::string& s) {
  // <digits>-<digits>.<digits>: a job id (a stream id) and an index.
  std::size_t at = 0;
  auto digits = [&] {
    const std::size_t from = at;
    while (at < s.size() && s[at] >= '0' && s[at] <= '9') ++at;
    return at > from;
  };
  auto is = [&](char c) { return at < s.size() && s[at++] == c; };
  return digits() && is('-') && digits() && is('.') && digits() && at == s.size();
}

class GenericHttpProvider final : public Provider {
 public:
  explicit GenericHttpProvider(Settings s) : s_(std::move(s)) {}
  const std::string& name() const override { return s_.name; }
  bool idempotent() const override { return s_.idempotent; }
  bool reports_unauthenticated() const override { return s_.insecure; }
  // With the default dlr.id ("ref", the field Loa's fake provider echoes its ref in),
  // reports are matched by ref; a provider whose report field holds its own id needs the map.
  bool reports_by_provider_id() const override { return s_.dlr_id != "ref"; }

  std::expected<HttpRequest, ProviderError> build_request(const Message& m) override {
    HttpRequest req;
    req.method = s_.method;
    req.headers = s_.headers;
    const std::string callback = callback_for(m);
    if (s_.method == "GET") {
      req.url = s_.url + (s_.url.find('?') == std::string::npos ? "?" : "&") + util::form_encode(render_fields(m, callback));
    } else if (s_.content_type == "json") {
      // A flat object of strings, in the configured order.
      std::string& body = req.body;
      body.reserve(256 + m.text.size() * 2);
      body += '{';
      for (std::size_t i = 0; i < s_.fields.size(); ++i) {
        if (i) body += ',';
        body += s_.json_keys[i];
        text::append_json_string(body, s_.fields[i].second.render(m, callback));
      }
      body += '}';
      req.url = s_.url;
      req.headers.emplace_back("Content-Type", "application/json");
    } else {
      req.body = util::form_encode(render_fields(m, callback));
      req.url = s_.url;
      req.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    }
    return req;
  }

  std::expected<Accepted, ProviderError> parse_response(const Message& m, const HttpResponse& r) override {
    if (!r.transport_error.empty() || !s_.accept_status.count(r.status)) return std::unexpected(classify_http(r));
    Accepted a;
    if (s_.message_id.empty()) {
      a.provider_id = m.ref;
      return a;
    }
    // Accepted by status; an answer without a parsable id still means the provider took it.
    TopLevelField field(s_.message_id);
    if (nlohmann::json::sax_parse(r.body, &field, nlohmann::json::input_format_t::json, false) && field.value) {
      a.provider_id = std::move(*field.value);
    } else if (field.nested) {
      try {
        a.provider_id = nlohmann::json::parse(r.body)[s_.message_id].dump();
      } catch (const nlohmann::json::exception&) {
      }
    }
    if (a.provider_id.empty()) a.provider_id = m.ref;
    return a;
  }

  std::expected<std::vector<Report>, ReportFailure> parse_report(const IncomingReport& in) override {
    if (!s_.secret_header.empty() && !util::constant_time_equal(in.header(s_.secret_header), s_.secret))
      return std::unexpected(ReportFailure{ReportError::Unauthorized, "missing or wrong " + s_.secret_header});
    std::map<std::string, std::string> f;
    for (const auto& [k, v] : in.params) f.emplace(k, v);
    if (in.body.empty() || (in.content_type.find("json") == std::string::npos && in.body.front() != '{' &&
                            in.body.front() != '['))
    {
      auto rep = one_report(Fields{f, nullptr, nullptr});
      if (!rep) return std::unexpected(rep.error());
      return std::vector<Report>{std::move(*rep)};
    }
    // One report (an object), or a batch of them (a list of objects: gateways that post
    // reports in batches), each field over the query's.
    ReportItems sax({&s_.dlr_id, &s_.dlr_status, &s_.dlr_error}, kMaxBatch);
    const bool read = nlohmann::json::sax_parse(in.body, &sax, nlohmann::json::input_format_t::json, true);
    if (!read && sax.nested) return parse_report_document(in.body, f);
    if (!read || !sax.error.empty())
      return std::unexpected(ReportFailure{ReportError::Malformed, sax.error.empty() ? "body is not valid JSON" : sax.error});
    if (sax.items.empty()) return std::unexpected(ReportFailure{ReportError::Malformed, "an empty list of reports"});
    std::vector<Report> out;
    out.reserve(sax.items.size());
    for (auto& item : sax.items) {
      auto rep = one_report(Fields{f, &item, {}});
      if (!rep) return std::unexpected(rep.error());
      out.push_back(std::move(*rep));
    }
    return out;
  }

  /// Reports in one JSON list at most (as Infobip's 100 results).
  static constexpr std::size_t kMaxBatch = 100;

 private:
  // One report's fields: a JSON item's (a non-string value as its JSON text) over the
  // query's and the form's. Looked up by name, nothing copied but the values asked for.
  struct Fields {
    const std::map<std::string, std::string>& query;
    ReportItems::Item* item;     ///< read by ReportItems, or
    const nlohmann::json* node;  ///< a document's object (a wanted field that nests)
    std::optional<std::string> get(const std::string& key, std::size_t which) const {
      if (item && (*item)[which]) return std::move(*(*item)[which]);
      if (node)
        if (auto it = node->find(key); it != node->end()) return it->is_string() ? it->get_ref<const std::string&>() : it->dump();
      if (auto it = query.find(key); it != query.end()) return it->second;
      return std::nullopt;
    }
  };

  // The slow way, for a body whose wanted field holds an object or a list: the whole
  // document, that field as its JSON text.
  std::expected<std::vector<Report>, ReportFailure> parse_report_document(const std::string& body,
                                                                          const std::map<std::string, std::string>& f) const {
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(body);
    } catch (const nlohmann::json::exception& e) {
      return std::unexpected(ReportFailure{ReportError::Malformed, std::string("body is not valid JSON: ") + e.what()});
    }
    if (!j.is_object() && !j.is_array())
      return std::unexpected(ReportFailure{ReportError::Malformed, "the JSON body is neither an object nor a list"});
    if (j.is_array() && (j.empty() || j.size() > kMaxBatch))
      return std::unexpected(ReportFailure{ReportError::Malformed,
                                           fmt::format("a list of {} reports (1 to {} in one request)", j.size(), kMaxBatch)});
    std::vector<Report> out;
    for (const auto& item : j.is_array() ? j : nlohmann::json::array({j})) {
      if (!item.is_object()) return std::unexpected(ReportFailure{ReportError::Malformed, "a report in the list is not an object"});
      auto rep = one_report(Fields{f, nullptr, &item});
      if (!rep) return std::unexpected(rep.error());
      out.push_back(std::move(*rep));
    }
    return out;
  }

  std::expected<Report, ReportFailure> one_report(const Fields& f) const {
    auto id = f.get(s_.dlr_id, 0);
    auto status = f.get(s_.dlr_status, 1);
    if (!id || id->empty()) return std::unexpected(ReportFailure{ReportError::Malformed, "no \"" + s_.dlr_id + "\" field"});
    if (!status) return std::unexpected(ReportFailure{ReportError::Malformed, "no \"" + s_.dlr_status + "\" field"});
    Report rep;
    if (looks_like_ref(*id)) rep.ref = std::move(*id);
    else rep.provider_id = std::move(*id);
    if (s_.delivered.count(*status)) rep.state = jobs::MessageState::delivered;
    else if (s_.failed.count(*status)) {
      rep.state = jobs::MessageState::failed;
      rep.error = "provider reported " + *status;
      if (auto why = s_.dlr_error.empty() ? std::nullopt : f.get(s_.dlr_error, 2); why && !why->empty())
        rep.error += ": " + util::loggable(*why, 200);
    }
    return rep;
  }

  // The callback URL for one message: the provider's, with dlr.callback_query after a "?"
  // or, when the URL has a query already (?token=...), a "&".
  std::string callback_for(const Message& m) const {
    if (!s_.callback_query) return s_.callback_url;
    return s_.callback_url + (s_.callback_url.find('?') == std::string::npos ? "?" : "&") +
           s_.callback_query->render(m, "");
  }
  std::vector<std::pair<std::string, std::string>> render_fields(const Message& m, const std::string& callback) const {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [k, t] : s_.fields) out.emplace_back(k, t.render(m, callback));
    return out;
  }
  Settings s_;
};

}  // namespace

std::expected<std::unique_ptr<Provider>, std::vector<std::string>> make_generic_http(const FactoryContext& ctx) {
  util::YamlReader r(ctx.config.path);
  const YAML::Node& n = ctx.provider.node;
  Settings s;
  s.name = ctx.provider.name;
  s.callback_url = ctx.callback_url;
  r.expect_keys(n, provider_keys({"url", "method", "content_type", "headers", "fields", "accept_status", "message_id", "dlr", "idempotent"}),
                "provider \"" + s.name + "\" (type http)");
  if (n["url"]) {
    if (auto v = r.string(n["url"], "url")) s.url = *v;
  }
  if (!ctx.provider.base_url.empty()) {
    if (s.url.empty() || s.url.front() == '/') s.url = ctx.provider.base_url + s.url;
  }
  if (auto parsed = util::parse_http_url(s.url); !parsed)
    r.error(n, i18n::trf("provider \"{}\" needs url: http(s)://... (or base_url): {}", s.name, parsed.error()));
  if (n["method"])
    if (auto v = r.string(n["method"], "method")) {
      if (*v != "POST" && *v != "GET") r.error(n["method"], "method must be POST or GET");
      s.method = *v;
    }
  if (n["content_type"])
    if (auto v = r.string(n["content_type"], "content_type")) {
      if (*v != "json" && *v != "form") r.error(n["content_type"], "content_type must be json or form");
      s.content_type = *v;
    }
  if (const auto& h = n["headers"]) {
    if (!h.IsMap()) r.error(h, i18n::tr("headers must be a mapping"));
    else
      for (const auto& kv : h)
        if (auto v = r.string(kv.second, "header " + kv.first.as<std::string>())) s.headers.emplace_back(kv.first.as<std::string>(), *v);
  }
  // A field is a template, or {template, map} whose map puts other values in place of the
  // template's results (Kannel's coding: {template: "{{unicode}}", map: {"1": "2"}}).
  struct FieldSource {
    std::string name, source;
    std::vector<std::pair<std::string, std::string>> map;
  };
  std::vector<FieldSource> fields{{"to", "{{to}}", {}}, {"text", "{{text}}", {}}, {"ref", "{{ref}}", {}},
                                  {"callback", "{{callback_url}}", {}}, {"unicode", "{{unicode}}", {}}};
  if (const auto& f = n["fields"]) {
    fields.clear();
    if (!f.IsMap()) r.error(f, i18n::tr("fields must map request field names to templates"));
    else
      for (const auto& kv : f) {
        const std::string key = kv.first.as<std::string>();
        if (kv.second.IsMap()) {
          if (!r.expect_keys(kv.second, {"template", "map"}, "field " + key)) continue;
          FieldSource one{key, "", {}};
          const YAML::Node t = kv.second["template"];
          if (!t) {
            r.error(kv.second, i18n::trf("field {} needs a template", key));
            continue;
          }
          if (auto v = r.string(t, "field " + key + ".template")) one.source = *v;
          if (const auto& m = kv.second["map"]) {
            if (!m.IsMap()) r.error(m, i18n::trf("field {}.map must map results to values", key));
            else
              for (const auto& mv : m)
                if (auto to = r.string(mv.second, "field " + key + ".map")) one.map.emplace_back(mv.first.as<std::string>(), *to);
          }
          fields.push_back(std::move(one));
        } else if (auto v = r.string(kv.second, "field " + key)) {
          fields.push_back({key, *v, {}});
        }
      }
  }
  for (auto& [k, src, map] : fields) {
    auto t = FieldTemplate::compile(src);
    if (!t) r.error(n["fields"] ? n["fields"] : n, fmt::format("field \"{}\": {}", k, t.error()));
    else {
      t->map_values(std::move(map));
      s.fields.emplace_back(k, std::move(*t));
      s.json_keys.push_back(nlohmann::json(k).dump() + ":");
    }
  }
  if (n["accept_status"]) {
    s.accept_status.clear();
    if (auto v = r.strings(n["accept_status"], "accept_status"))
      for (const auto& code : *v) {
        try {
          s.accept_status.insert(std::stol(code));
        } catch (...) {
          r.error(n["accept_status"], "accept_status must list HTTP status codes");
        }
      }
  }
  if (n["message_id"])
    if (auto v = r.string(n["message_id"], "message_id")) s.message_id = *v;
  if (n["idempotent"])
    if (auto v = r.boolean(n["idempotent"], "idempotent")) s.idempotent = *v;
  if (const auto& d = n["dlr"]) {
    if (r.expect_keys(d, {"id", "status", "error", "statuses", "secret_header", "secret", "insecure", "callback_query"},
                      "dlr")) {
      if (d["id"])
        if (auto v = r.string(d["id"], "dlr.id")) s.dlr_id = *v;
      if (d["status"])
        if (auto v = r.string(d["status"], "dlr.status")) s.dlr_status = *v;
      if (d["error"])
        if (auto v = r.string(d["error"], "dlr.error")) s.dlr_error = *v;
      if (d["callback_query"])
        if (auto v = r.string(d["callback_query"], "dlr.callback_query")) {
          auto t = FieldTemplate::compile(*v);
          if (!t) r.error(d["callback_query"], "dlr.callback_query: " + t.error());
          else s.callback_query = std::move(*t);
        }
      if (const auto& st = d["statuses"]) {
        if (r.expect_keys(st, {"delivered", "failed"}, "dlr.statuses")) {
          if (st["delivered"])
            if (auto v = r.strings(st["delivered"], "dlr.statuses.delivered")) s.delivered = {v->begin(), v->end()};
          if (st["failed"])
            if (auto v = r.strings(st["failed"], "dlr.statuses.failed")) s.failed = {v->begin(), v->end()};
        }
      }
      if (d["secret_header"])
        if (auto v = r.string(d["secret_header"], "dlr.secret_header")) s.secret_header = *v;
      if (d["secret"])
        if (auto v = r.string(d["secret"], "dlr.secret")) s.secret = *v;
      if (!s.secret_header.empty() && s.secret.empty()) r.error(d, i18n::tr("dlr.secret_header needs dlr.secret"));
      if (d["insecure"])
        if (auto v = r.boolean(d["insecure"], "dlr.insecure")) s.insecure = *v;
    }
  }
  // Its /dlr endpoint faces the internet: a report must prove where it comes from.
  const bool authenticated = !s.secret_header.empty() || !ctx.provider.dlr_token.empty();
  s.insecure = s.insecure && !authenticated;
  if (!authenticated && !s.insecure)
    r.error(n, i18n::trf("provider \"{}\" would take delivery reports from anyone: set dlr_token, or "
                         "dlr.secret_header and dlr.secret, or (knowingly) dlr: {{ insecure: true }}",
                         s.name));
  if (!r.errors().empty()) return std::unexpected(r.errors());
  return std::make_unique<GenericHttpProvider>(std::move(s));
}

}  // namespace loa::providers
