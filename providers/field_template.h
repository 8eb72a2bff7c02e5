// Request-field templates of the generic http provider: literal text with {{name}}
// placeholders from a fixed set, compiled once and filled per message without parsing;
// optionally with a value map applied to the result (Kannel's `coding`: {{unicode}} 1 -> 2).
#pragma once
#include <expected>
#include <string>
#include <vector>

#include "providers/provider.h"

namespace loa::providers {

class FieldTemplate {
 public:
  /// Names: to, to_e164, to_local, text, ref, callback_url, unicode.
  static std::expected<FieldTemplate, std::string> compile(const std::string& source);
  /// Fills the placeholders for one message, then maps the result when the map has it.
  std::string render(const Message& m, const std::string& callback_url) const;
  /// Values to put in place of whole results ("1" -> "2"); a result not in it stays.
  void map_values(std::vector<std::pair<std::string, std::string>> map) { map_ = std::move(map); }

 private:
  enum class Slot { Literal, To, ToE164, ToLocal, Text, Ref, Callback, Unicode };
  std::vector<std::pair<Slot, std::string>> parts_;
  std::vector<std::pair<std::string, std::string>> map_;
};

}  // namespace loa::providers
