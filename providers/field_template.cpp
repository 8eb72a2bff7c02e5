// Request-field templates.
#include "providers/field_template.h"

#include <algorithm>
#include <iterator>

#include "core/text/tags.h"

namespace loa::providers {

std::expected<FieldTemplate, std::string> FieldTemplate::compile(const std::string& source) {
  static constexpr std::pair<std::string_view, Slot> kSlots[] = {
      {"to", Slot::To},     {"to_e164", Slot::ToE164}, {"to_local", Slot::ToLocal},      {"text", Slot::Text},
      {"ref", Slot::Ref}, {"callback_url", Slot::Callback}, {"unicode", Slot::Unicode},
  };
  auto pieces = text::split_tags(source);
  if (!pieces) return std::unexpected(pieces.error() + " in \"" + source + "\"");
  FieldTemplate t;
  for (auto& p : *pieces) {
    if (!p.tag) {
      t.parts_.emplace_back(Slot::Literal, std::move(p.text));
      continue;
    }
    const auto* slot = std::find_if(std::begin(kSlots), std::end(kSlots), [&](const auto& s) { return s.first == p.text; });
    if (p.triple || slot == std::end(kSlots))
      return std::unexpected("unknown field name {{" + p.text +
                             "}} (expected to, to_e164, to_local, text, ref, callback_url or unicode)");
    t.parts_.emplace_back(slot->second, "");
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
  for (const auto& [from, to] : map_)
    if (out == from) return to;
  return out;
}

}  // namespace loa::providers
