// Request-field templates.
#include "providers/field_template.h"

#include "core/text/unicode.h"

namespace loa::providers {

std::expected<FieldTemplate, std::string> FieldTemplate::compile(const std::string& source) {
  FieldTemplate t;
  size_t i = 0;
  while (i < source.size()) {
    size_t open = source.find("{{", i);
    if (open == std::string::npos) {
      t.parts_.emplace_back(Slot::Literal, source.substr(i));
      break;
    }
    if (open > i) t.parts_.emplace_back(Slot::Literal, source.substr(i, open - i));
    size_t close = source.find("}}", open);
    if (close == std::string::npos) return std::unexpected("unclosed {{ in \"" + source + "\"");
    std::string name = text::trim(source.substr(open + 2, close - open - 2));
    Slot slot;
    if (name == "to") slot = Slot::To;
    else if (name == "to_e164") slot = Slot::ToE164;
    else if (name == "to_local") slot = Slot::ToLocal;
    else if (name == "text") slot = Slot::Text;
    else if (name == "ref") slot = Slot::Ref;
    else if (name == "callback_url") slot = Slot::Callback;
    else if (name == "unicode") slot = Slot::Unicode;
    else return std::unexpected("unknown field name {{" + name + "}} (expected to, to_e164, to_local, text, ref, callback_url or unicode)");
    t.parts_.emplace_back(slot, "");
    i = close + 2;
  }
  return t;
}

std::string FieldTemplate::render(const Message& m, const std::string& callback_url) const {
  std::string out;
  for (const auto& [slot, literal] : parts_) {
    switch (slot) {
      case Slot::Literal: out += literal; break;
      case Slot::To: out += m.to_digits; break;
      case Slot::ToE164: out += m.to_e164; break;
      case Slot::ToLocal: out += m.to_local; break;
      case Slot::Text: out += m.text; break;
      case Slot::Ref: out += m.ref; break;
      case Slot::Callback: out += callback_url; break;
      case Slot::Unicode: out += m.unicode ? "1" : "0"; break;
    }
  }
  return out;
}

}  // namespace loa::providers
