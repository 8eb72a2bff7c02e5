// Request-field templates of the generic http provider: literal text with {{name}}
// placeholders from a fixed set, compiled once and filled per message without parsing.
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
  /// Fills the placeholders for one message.
  std::string render(const Message& m, const std::string& callback_url) const;

 private:
  enum class Slot { Literal, To, ToE164, ToLocal, Text, Ref, Callback, Unicode };
  std::vector<std::pair<Slot, std::string>> parts_;
};

}  // namespace loa::providers
