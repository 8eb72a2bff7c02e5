// Template loading and rendering with kainjow::mustache.
#include "core/text/message_template.h"

#include <filesystem>
#include <mutex>

#include <fmt/format.h>
#include <kainjow/mustache.hpp>

#include "core/util/yaml_reader.h"
#include "core/text/tags.h"
#include "core/text/unicode.h"
#include "core/util/i18n.h"
#include "core/util/strings.h"

namespace loa::text {

struct MessageTemplate::Compiled {
  explicit Compiled(const std::string& body) : tmpl(body) {
    tmpl.set_custom_escape([](const std::string& s) { return s; });
  }
  /// For bodies of plain text and variables only (no sections, comments or partials):
  /// the text split into literals and names, rendered without kainjow. Empty otherwise.
  std::vector<std::pair<bool, std::string>> flat;  ///< (is a name, literal text or name)
  bool is_flat = false;
  // kainjow's render() is non-const, so calls are serialised.
  std::mutex mu;
  kainjow::mustache::mustache tmpl;
};

const std::set<std::string>& builtin_names() {
  static const std::set<std::string> k{"ten_phuong", "don_vi", "ten_don_vi", "ward", "ho_ten", "so_dien_thoai", "khom_ap", "nhom"};
  return k;
}

namespace {
// The names a body's tags use; an error for what Loa does not support.
std::expected<std::set<std::string>, std::string> names_of(const std::vector<Piece>& pieces) {
  std::set<std::string> names;
  for (const auto& p : pieces) {
    if (!p.tag) continue;
    std::string tag = p.text;
    if (tag.empty()) return std::unexpected(i18n::tr("empty tag {{}}"));
    const char sigil = tag[0];
    if (sigil == '!') continue;
    if (sigil == '=') return std::unexpected(i18n::tr("delimiter changes ({{=...=}}) are not supported"));
    if (sigil == '>') return std::unexpected(i18n::tr("partials ({{>...}}) are not supported"));
    if (sigil == '#' || sigil == '^' || sigil == '/' || sigil == '&') tag = util::trimmed(tag.substr(1));
    if (sigil == '/') continue;
    if (tag.empty()) return std::unexpected(i18n::tr("a tag without a name"));
    names.insert(tag);
  }
  return names;
}
}  // namespace

std::expected<std::set<std::string>, std::string> mustache_names(const std::string& body) {
  auto pieces = split_tags(body);
  if (!pieces) return std::unexpected(pieces.error());
  return names_of(*pieces);
}

std::expected<MessageTemplate, std::string> MessageTemplate::from_body(std::string name, std::string body,
                                                                       Encoding encoding, int max_segments,
                                                                       std::vector<std::string> variables) {
  MessageTemplate t;
  t.name_ = std::move(name);
  t.body_ = nfc(body);
  t.encoding_ = encoding;
  t.max_segments_ = max_segments;
  t.variables_ = std::move(variables);
  auto pieces = split_tags(t.body_);
  if (!pieces) return std::unexpected(pieces.error());
  auto names = names_of(*pieces);
  if (!names) return std::unexpected(names.error());
  t.names_ = std::move(*names);
  t.compiled_ = std::make_shared<Compiled>(t.body_);
  if (!t.compiled_->tmpl.is_valid()) return std::unexpected(t.compiled_->tmpl.error_message());
  // A plain body (the usual case: literals and plain names) is kept as its pieces, so
  // rendering is a few appends.
  auto& c = *t.compiled_;
  c.is_flat = true;
  for (auto& p : *pieces) {
    std::string name = p.text;
    if (p.tag && !name.empty() && name[0] == '&') name = util::trimmed(name.substr(1));
    if (p.tag && (name.empty() || std::string_view("#^/!>=").find(name[0]) != std::string_view::npos)) c.is_flat = false;
    else c.flat.emplace_back(p.tag, p.tag ? name : p.text);
  }
  if (!c.is_flat) c.flat.clear();
  return t;
}

std::set<std::string> MessageTemplate::column_names() const {
  std::set<std::string> out;
  for (const auto& n : names_)
    if (!builtin_names().count(n) && std::find(variables_.begin(), variables_.end(), n) == variables_.end())
      out.insert(n);
  return out;
}

std::expected<MessageTemplate, std::vector<std::string>> MessageTemplate::load(
    const std::string& dir, const std::string& name, const std::set<std::string>& extra_columns) {
  std::string file = (std::filesystem::path(dir) / (name + ".yaml")).string();
  util::YamlReader r(file);
  if (!std::filesystem::exists(file)) {
    r.error(i18n::tr("no such template"));
    return std::unexpected(r.errors());
  }
  YAML::Node root = r.load();
  if (!r.errors().empty()) return std::unexpected(r.errors());
  if (!r.expect_keys(root, {"description", "variables", "encoding", "max_segments", "body"}, i18n::tr("a template")))
    return std::unexpected(r.errors());
  std::string description, body;
  std::vector<std::string> variables;
  Encoding encoding = Encoding::Unicode;
  int max_segments = 0;
  if (root["description"])
    if (auto v = r.string(root["description"], "description")) description = *v;
  if (root["variables"])
    if (auto v = r.strings(root["variables"], "variables")) variables = *v;
  if (root["encoding"])
    if (auto v = r.string(root["encoding"], "encoding")) {
      if (*v == "ascii") encoding = Encoding::Ascii;
      else if (*v != "unicode") r.error(root["encoding"], i18n::trf("encoding must be unicode or ascii, got \"{}\"", *v));
    }
  if (root["max_segments"])
    if (auto v = r.integer(root["max_segments"], "max_segments", 1, 20)) max_segments = static_cast<int>(*v);
  if (!root["body"] || !root["body"].IsScalar()) {
    r.error(root, i18n::tr("a template needs a body"));
    return std::unexpected(r.errors());
  }
  // The body is taken literally: ${...} in an SMS text is not an environment lookup.
  body = root["body"].Scalar();
  if (!r.errors().empty()) return std::unexpected(r.errors());
  auto t = from_body(name, body, encoding, max_segments, variables);
  if (!t) {
    r.error(root["body"], i18n::trf("broken template body: {}", t.error()));
    return std::unexpected(r.errors());
  }
  t->description_ = description;
  for (const auto& col : t->column_names())
    if (!extra_columns.count(col))
      r.error(root["body"], i18n::trf("the body uses {{{{{}}}}}, which no variable, ward or resident column provides", col));
  if (!r.errors().empty()) return std::unexpected(r.errors());
  return std::move(*t);
}

std::string MessageTemplate::render(const Vars& vars) const {
  std::string out;
  render_to(vars, out);
  return out;
}

void MessageTemplate::render_to(const Vars& vars, std::string& out) const {
  out.clear();
  if (compiled_->is_flat) {
    for (const auto& [is_name, part] : compiled_->flat) {
      if (!is_name) {
        out += part;
      } else if (auto it = vars.find(part); it != vars.end()) {
        out += it->second;
      }
    }
  } else {
    kainjow::mustache::data data;
    for (const auto& [k, v] : vars) data.set(k, v);
    std::lock_guard lock(compiled_->mu);
    out = compiled_->tmpl.render(data);
  }
  to_nfc(out);
  if (encoding_ == Encoding::Ascii) out = to_ascii(out);
}

}  // namespace loa::text
