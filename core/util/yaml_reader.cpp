// Strict YAML reading with file:line errors.
#include "core/util/yaml_reader.h"

#include <cstdlib>

#include <fmt/format.h>

#include "core/util/encoding.h"
#include "core/util/i18n.h"
#include "core/util/strings.h"

namespace loa::util {

YAML::Node YamlReader::load() {
  try {
    YAML::Node root = YAML::LoadFile(file_);
    std::size_t budget = kMaxNodes;
    if (!well_formed(root, 0, budget)) return YAML::Node();
    return root;
  } catch (const YAML::BadFile&) {
    error(i18n::tr("cannot read file"));
  } catch (const YAML::ParserException& e) {
    errors_.push_back(i18n::trf("{}:{}: YAML syntax error: {}", file_, e.mark.line + 1, e.msg));
  } catch (const YAML::Exception& e) {
    errors_.push_back(fmt::format("{}:{}: {}", file_, e.mark.line + 1, e.msg));
  }
  return YAML::Node();
}

// Checked before any reading, so that no reader meets a shape it would throw on: every
// key a plain scalar, all text valid UTF-8, nesting and size bounded (aliases make a
// small file a huge tree: the walk counts every node it visits).
bool YamlReader::well_formed(const YAML::Node& node, int depth, std::size_t& budget) {
  if (budget == 0) return false;
  if (--budget == 0) {
    error(node, i18n::trf("too large: more than {} values (aliases included)", kMaxNodes));
    return false;
  }
  if (depth > kMaxDepth) {
    error(node, i18n::trf("nested more than {} levels deep", kMaxDepth));
    return false;
  }
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      if (!util::valid_utf8(node.Scalar())) {
        error(node, i18n::tr("text that is not valid UTF-8 (save the file as UTF-8)"));
        return false;
      }
      return true;
    case YAML::NodeType::Sequence:
      for (const auto& item : node)
        if (!well_formed(item, depth + 1, budget)) return false;
      return true;
    case YAML::NodeType::Map:
      for (const auto& kv : node) {
        if (!kv.first.IsScalar()) {
          error(kv.first, i18n::tr("a key must be plain text, not a list or a mapping"));
          return false;
        }
        if (!well_formed(kv.first, depth + 1, budget) || !well_formed(kv.second, depth + 1, budget)) return false;
      }
      return true;
    default:
      return true;
  }
}

std::string YamlReader::where(const YAML::Node& node) const {
  return fmt::format("{}:{}", file_, node.Mark().line + 1);
}

void YamlReader::error(const YAML::Node& node, std::string_view message) {
  errors_.push_back(fmt::format("{}: {}", where(node), message));
}

void YamlReader::error(std::string_view message) { errors_.push_back(fmt::format("{}: {}", file_, message)); }

bool YamlReader::expect_keys(const YAML::Node& map, std::initializer_list<std::string_view> allowed,
                             std::string_view what) {
  return expect_keys(map, std::vector<std::string_view>(allowed), what);
}

bool YamlReader::expect_keys(const YAML::Node& map, const std::vector<std::string_view>& allowed,
                             std::string_view what) {
  if (!map.IsMap()) {
    error(map, i18n::trf("{} must be a mapping", what));
    return false;
  }
  for (const auto& kv : map) {
    auto key = kv.first.as<std::string>();
    bool known = false;
    for (auto a : allowed) known |= (a == key);
    if (!known) {
      std::string list = util::join(allowed, ", ");
      error(kv.first, i18n::trf("unknown key \"{}\" in {} (expected one of: {})", key, what, list));
    }
  }
  return true;
}

std::optional<std::string> expand_env(std::string_view value, std::string* unset_name) {
  std::string out;
  size_t i = 0;
  while (i < value.size()) {
    if (value.substr(i, 2) == "${") {
      size_t close = value.find('}', i + 2);
      if (close == std::string_view::npos) {
        out.append(value.substr(i));
        break;
      }
      std::string name(value.substr(i + 2, close - i - 2));
      const char* v = std::getenv(name.c_str());
      if (!v) {
        if (unset_name) *unset_name = name;
        return std::nullopt;
      }
      out += v;
      i = close + 1;
    } else {
      out += value[i++];
    }
  }
  return out;
}

std::optional<std::string> YamlReader::string(const YAML::Node& node, std::string_view what) {
  if (!node.IsScalar()) {
    error(node, i18n::trf("{} must be a string", what));
    return std::nullopt;
  }
  std::string unset;
  auto v = expand_env(node.Scalar(), &unset);
  if (!v) error(node, i18n::trf("{} uses ${{{}}}, which is not set in the environment", what, unset));
  return v;
}

std::optional<std::int64_t> YamlReader::integer(const YAML::Node& node, std::string_view what,
                                                std::int64_t min, std::int64_t max) {
  auto s = string(node, what);
  if (!s) return std::nullopt;
  try {
    size_t used = 0;
    long long v = std::stoll(*s, &used);
    if (used == s->size() && v >= min && v <= max) return v;
  } catch (...) {
  }
  error(node, i18n::trf("{} must be a whole number from {} to {}, got \"{}\"", what, min, max, *s));
  return std::nullopt;
}

std::optional<double> YamlReader::number(const YAML::Node& node, std::string_view what, double min, double max) {
  auto s = string(node, what);
  if (!s) return std::nullopt;
  try {
    size_t used = 0;
    double v = std::stod(*s, &used);
    if (used == s->size() && v >= min && v <= max) return v;
  } catch (...) {
  }
  error(node, i18n::trf("{} must be a number from {} to {}, got \"{}\"", what, min, max, *s));
  return std::nullopt;
}

std::optional<bool> YamlReader::boolean(const YAML::Node& node, std::string_view what) {
  auto s = string(node, what);
  if (!s) return std::nullopt;
  if (*s == "true" || *s == "yes" || *s == "on") return true;
  if (*s == "false" || *s == "no" || *s == "off") return false;
  error(node, i18n::trf("{} must be true or false, got \"{}\"", what, *s));
  return std::nullopt;
}

std::optional<std::vector<std::string>> YamlReader::strings(const YAML::Node& node, std::string_view what) {
  if (!node.IsSequence()) {
    error(node, i18n::trf("{} must be a list", what));
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (const auto& item : node) {
    auto s = string(item, what);
    if (!s) return std::nullopt;
    out.push_back(*s);
  }
  return out;
}

}  // namespace loa::util
