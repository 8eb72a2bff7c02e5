// Strict YAML reading: unknown keys, wrong types and unset ${ENV} names become
// "file:line: what was expected" errors, collected rather than thrown.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace loa::util {

/// Collects errors while reading one YAML file. Not thread-safe; one per file.
class YamlReader {
 public:
  explicit YamlReader(std::string file) : file_(std::move(file)) {}

  /// Parses the file; on a syntax error records it and returns a null node. A document
  /// with a key that is not a scalar, text that is not UTF-8, nesting deeper than
  /// kMaxDepth or more than kMaxNodes values is refused the same way.
  YAML::Node load();

  static constexpr int kMaxDepth = 32;
  static constexpr std::size_t kMaxNodes = 100000;

  /// Records "file:line: message" for `node` (line 0 when the node has no mark).
  void error(const YAML::Node& node, std::string_view message);
  /// Records an error about the file itself.
  void error(std::string_view message);

  /// Refuses keys of `map` not in `allowed`; false when `map` is not a map.
  bool expect_keys(const YAML::Node& map, std::initializer_list<std::string_view> allowed,
                   std::string_view what);
  bool expect_keys(const YAML::Node& map, const std::vector<std::string_view>& allowed, std::string_view what);

  /// Reads a scalar string with ${NAME} replaced from the environment.
  std::optional<std::string> string(const YAML::Node& node, std::string_view what);
  std::optional<std::int64_t> integer(const YAML::Node& node, std::string_view what,
                                      std::int64_t min, std::int64_t max);
  std::optional<double> number(const YAML::Node& node, std::string_view what, double min, double max);
  std::optional<bool> boolean(const YAML::Node& node, std::string_view what);
  std::optional<std::vector<std::string>> strings(const YAML::Node& node, std::string_view what);

  const std::vector<std::string>& errors() const { return errors_; }

 private:
  bool well_formed(const YAML::Node& node, int depth, std::size_t& budget);

 public:
  const std::string& file() const { return file_; }
  /// "file:line" of a node, for messages raised later.
  std::string where(const YAML::Node& node) const;

 private:
  std::string file_;
  std::vector<std::string> errors_;
};

/// Replaces ${NAME} from the environment; an error message names the unset variable.
std::optional<std::string> expand_env(std::string_view value, std::string* unset_name);

}  // namespace loa::util
