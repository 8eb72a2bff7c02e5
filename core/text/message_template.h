// Message templates (<templates_dir>/<name>.yaml): Mustache without HTML escaping,
// NFC output, optional diacritic stripping, segment limits.
#pragma once
#include <expected>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace loa::text {

enum class Encoding { Unicode, Ascii };

/// Names a template may use without declaring them: the ward's and a resident's.
const std::set<std::string>& builtin_names();

/// A loaded, validated template. Immutable and thread-safe to render once loaded.
class MessageTemplate {
 public:
  using Vars = std::map<std::string, std::string>;

  /// Loads `<dir>/<name>.yaml`. Errors are "file:line: ..." strings. `extra_columns`
  /// are resident columns some ward list provides; a name outside builtins, declared
  /// variables and these is an error.
  static std::expected<MessageTemplate, std::vector<std::string>> load(
      const std::string& dir, const std::string& name, const std::set<std::string>& extra_columns = {});

  /// Parses a template from its parts (for tests and for load()).
  static std::expected<MessageTemplate, std::string> from_body(std::string name, std::string body,
                                                               Encoding encoding = Encoding::Unicode,
                                                               int max_segments = 0,
                                                               std::vector<std::string> variables = {});

  /// Renders with `vars`; the text is NFC and, for Encoding::Ascii, plain ASCII.
  std::string render(const Vars& vars) const;
  /// render() into `out` (replacing what it held), reusing its buffer.
  void render_to(const Vars& vars, std::string& out) const;

  const std::string& name() const { return name_; }
  const std::string& description() const { return description_; }
  const std::vector<std::string>& variables() const { return variables_; }
  Encoding encoding() const { return encoding_; }
  int max_segments() const { return max_segments_; }  ///< 0: no limit
  /// Every name the body refers to.
  const std::set<std::string>& names() const { return names_; }
  /// Names the body uses that are neither built in nor declared variables: resident columns.
  std::set<std::string> column_names() const;

 private:
  struct Compiled;
  std::string name_, description_, body_;
  std::vector<std::string> variables_;
  Encoding encoding_ = Encoding::Unicode;
  int max_segments_ = 0;
  std::set<std::string> names_;
  std::shared_ptr<Compiled> compiled_;
};

/// Extracts the names a Mustache body uses ({{x}}, {{{x}}}, {{&x}}, {{#x}}, {{^x}}).
/// Error for an unclosed tag or a delimiter change.
std::expected<std::set<std::string>, std::string> mustache_names(const std::string& body);

}  // namespace loa::text
