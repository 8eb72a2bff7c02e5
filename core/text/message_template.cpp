// Template loading and rendering with kainjow::mustache.
#include "core/text/message_template.h"

#include <filesystem>
#include <mutex>

#include <fmt/format.h>
#include <kainjow/mustache.hpp>

#include "core/config/yaml_reader.h"
#include "core/text/unicode.h"

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
  static const std::set<std::string> k{"ten_phuong", "ward", "ho_ten", "so_dien_thoai", "khom_ap", "nhom"};
  return k;
}

std::expected<std::set<std::string>, std::string> mustache_names(const std::string& body) {
  std::set<std::string> names;
  size_t i = 0;
  while ((i = body.find("{{", i)) != std::string::npos) {
    bool triple = body.compare(i, 3, "{{{") == 0;
    size_t open = i + (triple ? 3 : 2);
    size_t close = body.find(triple ? "}}}" : "}}", open);
    if (close == std::string::npos) return std::unexpected(fmt::format("unclosed tag at byte {}", i));
    std::string tag = trim(body.substr(open, close - open));
    i = close + (triple ? 3 : 2);
    if (tag.empty()) return std::unexpected("empty tag {{}}");
    char sigil = tag[0];
    if (sigil == '!') continue;
    if (sigil == '=') return std::unexpected("delimiter changes ({{=...=}}) are not supported");
    if (sigil == '>') return std::unexpected("partials ({{>...}}) are not supported");
    if (sigil == '#' || sigil == '^' || sigil == '/' || sigil == '&') tag = trim(tag.substr(1));
    if (sigil == '/') continue;
    if (tag.empty()) return std::unexpected("a tag without a name");
    names.insert(tag);
  }
  return names;
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
  auto names = mustache_names(t.body_);
  if (!names) return std::unexpected(names.error());
  t.names_ = std::move(*names);
  t.compiled_ = std::make_shared<Compiled>(t.body_);
  if (!t.compiled_->tmpl.is_valid()) return std::unexpected(t.compiled_->tmpl.error_message());
  // A plain body (the usual case) is split once so rendering is a few appends.
  auto& c = *t.compiled_;
  c.is_flat = true;
  for (size_t i = 0; c.is_flat && i < t.body_.size();) {
    size_t open = t.body_.find("{{", i);
    if (open == std::string::npos) {
      c.flat.emplace_back(false, t.body_.substr(i));
      break;
    }
    if (open > i) c.flat.emplace_back(false, t.body_.substr(i, open - i));
    bool triple = t.body_.compare(open, 3, "{{{") == 0;
    size_t close = t.body_.find(triple ? "}}}" : "}}", open);
    std::string tag = trim(t.body_.substr(open + (triple ? 3 : 2), close - open - (triple ? 3 : 2)));
    if (!tag.empty() && tag[0] == '&') tag = trim(tag.substr(1));
    if (tag.empty() || std::string("#^/!>=").find(tag[0]) != std::string::npos) c.is_flat = false;
    else c.flat.emplace_back(true, tag);
    i = close + (triple ? 3 : 2);
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
  config::YamlReader r(file);
  if (!std::filesystem::exists(file)) {
    r.error("no such template");
    return std::unexpected(r.errors());
  }
  YAML::Node root = r.load();
  if (!r.errors().empty()) return std::unexpected(r.errors());
  if (!r.expect_keys(root, {"description", "variables", "encoding", "max_segments", "body"}, "a template"))
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
      else if (*v != "unicode") r.error(root["encoding"], fmt::format("encoding must be unicode or ascii, got \"{}\"", *v));
    }
  if (root["max_segments"])
    if (auto v = r.integer(root["max_segments"], "max_segments", 1, 20)) max_segments = static_cast<int>(*v);
  if (!root["body"] || !root["body"].IsScalar()) {
    r.error(root, "a template needs a body");
    return std::unexpected(r.errors());
  }
  // The body is taken literally: ${...} in an SMS text is not an environment lookup.
  body = root["body"].Scalar();
  if (!r.errors().empty()) return std::unexpected(r.errors());
  auto t = from_body(name, body, encoding, max_segments, variables);
  if (!t) {
    r.error(root["body"], "broken template body: " + t.error());
    return std::unexpected(r.errors());
  }
  t->description_ = description;
  for (const auto& col : t->column_names())
    if (!extra_columns.count(col))
      r.error(root["body"], fmt::format("the body uses {{{{{}}}}}, which no variable, ward or resident column provides", col));
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
