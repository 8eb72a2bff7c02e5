// SMS segment counting per GSM 03.38 and 3GPP TS 23.040 concatenation overheads.
#include "core/text/segments.h"

#include <cstdint>
#include <vector>

#include <unicode/utf8.h>

namespace loa::text {

namespace {
// The GSM 03.38 basic character set, as Unicode code points.
constexpr char32_t kBasic[] = {
    U'@', U'£', U'$', U'¥', U'è', U'é', U'ù', U'ì', U'ò', U'Ç', U'\n', U'Ø', U'ø', U'\r', U'Å', U'å',
    U'Δ', U'_', U'Φ', U'Γ', U'Λ', U'Ω', U'Π', U'Ψ', U'Σ', U'Θ', U'Ξ', U'Æ', U'æ', U'ß', U'É', U' ',
    U'!', U'"', U'#', U'¤', U'%', U'&', U'\'', U'(', U')', U'*', U'+', U',', U'-', U'.', U'/', U':',
    U';', U'<', U'=', U'>', U'?', U'¡', U'Ä', U'Ö', U'Ñ', U'Ü', U'§', U'¿', U'ä', U'ö', U'ñ', U'ü', U'à'};
constexpr char32_t kExtension[] = {U'\f', U'^', U'{', U'}', U'\\', U'[', U'~', U']', U'|', U'€'};

bool in(const char32_t* b, const char32_t* e, char32_t c) {
  for (; b != e; ++b)
    if (*b == c) return true;
  return false;
}
bool is_extension(char32_t c) { return in(std::begin(kExtension), std::end(kExtension), c); }
}  // namespace

bool is_gsm7(char32_t c) {
  if ((c >= U'A' && c <= U'Z') || (c >= U'a' && c <= U'z') || (c >= U'0' && c <= U'9')) return true;
  return in(std::begin(kBasic), std::end(kBasic), c) || is_extension(c);
}

SegmentCount count_segments(std::string_view s) {
  SegmentCount r;
  // Each character's width: septets (2 for an extension character, sent as ESC + code)
  // and UTF-16 units (2 for a surrogate pair). Neither pair may be split across parts.
  std::vector<std::uint8_t> septets, utf16;
  septets.reserve(s.size());
  utf16.reserve(s.size());
  bool gsm = true;
  int32_t i = 0, n = static_cast<int32_t>(s.size());
  while (i < n) {
    UChar32 c;
    U8_NEXT(s.data(), i, n, c);
    if (c < 0) c = 0xFFFD;
    utf16.push_back(c > 0xFFFF ? 2 : 1);
    if (gsm && is_gsm7(static_cast<char32_t>(c))) septets.push_back(is_extension(static_cast<char32_t>(c)) ? 2 : 1);
    else gsm = false;
  }
  r.unicode = !gsm;
  const auto& widths = gsm ? septets : utf16;
  for (auto w : widths) r.units += w;
  const int single = gsm ? 160 : 70, part = gsm ? 153 : 67;
  if (r.units == 0) return r;
  if (r.units <= single) {
    r.segments = 1;
    return r;
  }
  // One turn: the next character goes in the current part if it fits whole, else it
  // opens the next part (as a handset's encoder fills them).
  int used = 0;
  r.segments = 1;
  for (auto w : widths) {
    if (used + w > part) {
      ++r.segments;
      used = 0;
    }
    used += w;
  }
  return r;
}

}  // namespace loa::text
