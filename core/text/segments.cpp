// SMS segment counting per GSM 03.38 and 3GPP TS 23.040 concatenation overheads.
#include "core/text/segments.h"

#include <cstdint>

#include <unicode/utf8.h>

namespace loa::text {

namespace {
// A character's width in GSM-7: 1 for the basic table, 2 for the extension table (sent as
// ESC + code), 0 for a character GSM-7 does not have. The tables of GSM 03.38 as Unicode
// code points; all but the Greek capitals and the euro sign lie below U+0100, so those
// are looked up in a table made at compile time.
constexpr char32_t kBasic[] = {
    U'@', U'£', U'$', U'¥', U'è', U'é', U'ù', U'ì', U'ò', U'Ç', U'\n', U'Ø', U'ø', U'\r', U'Å', U'å',
    U'Δ', U'_', U'Φ', U'Γ', U'Λ', U'Ω', U'Π', U'Ψ', U'Σ', U'Θ', U'Ξ', U'Æ', U'æ', U'ß', U'É', U' ',
    U'!', U'"', U'#', U'¤', U'%', U'&', U'\'', U'(', U')', U'*', U'+', U',', U'-', U'.', U'/', U':',
    U';', U'<', U'=', U'>', U'?', U'¡', U'Ä', U'Ö', U'Ñ', U'Ü', U'§', U'¿', U'ä', U'ö', U'ñ', U'ü', U'à'};
constexpr char32_t kExtension[] = {U'\f', U'^', U'{', U'}', U'\\', U'[', U'~', U']', U'|', U'€'};

struct Latin1Widths {
  std::uint8_t w[256] = {};
  constexpr Latin1Widths() {
    for (char32_t c = U'A'; c <= U'Z'; ++c) w[c] = 1;
    for (char32_t c = U'a'; c <= U'z'; ++c) w[c] = 1;
    for (char32_t c = U'0'; c <= U'9'; ++c) w[c] = 1;
    for (char32_t c : kBasic)
      if (c < 256) w[c] = 1;
    for (char32_t c : kExtension)
      if (c < 256) w[c] = 2;
  }
};
constexpr Latin1Widths kLatin1;

int gsm7_width(char32_t c) {
  if (c < 256) return kLatin1.w[c];
  if (c == U'€') return 2;
  for (char32_t b : kBasic)
    if (b == c) return 1;
  return 0;
}

// Calls f(code point) for each character of UTF-8 text (U+FFFD for an ill-formed sequence).
template <class F>
void each_char(std::string_view s, F f) {
  int32_t i = 0;
  const int32_t n = static_cast<int32_t>(s.size());
  while (i < n) {
    UChar32 c;
    U8_NEXT(s.data(), i, n, c);
    f(c < 0 ? char32_t{0xFFFD} : static_cast<char32_t>(c));
  }
}
}  // namespace

bool is_gsm7(char32_t c) { return gsm7_width(c) != 0; }

SegmentCount count_segments(std::string_view s) {
  SegmentCount r;
  // Each character's width: septets (2 for an extension character) and UTF-16 units (2 for
  // a surrogate pair). One pass counts both; a second, only for a text of several parts,
  // lays the characters into parts, as neither pair may be split across two.
  int septets = 0, utf16 = 0;
  bool gsm = true;
  each_char(s, [&](char32_t c) {
    utf16 += c > 0xFFFF ? 2 : 1;
    if (!gsm) return;
    const int w = gsm7_width(c);
    if (w == 0) gsm = false;
    septets += w;
  });
  r.unicode = !gsm;
  r.units = gsm ? septets : utf16;
  const int single = gsm ? 160 : 70, part = gsm ? 153 : 67;
  if (r.units == 0) return r;
  r.segments = 1;
  if (r.units <= single) return r;
  // The next character goes in the current part if it fits whole, else it opens the next
  // part (as a handset's encoder fills them).
  int used = 0;
  each_char(s, [&](char32_t c) {
    const int w = gsm ? gsm7_width(c) : (c > 0xFFFF ? 2 : 1);
    if (used + w > part) {
      ++r.segments;
      used = 0;
    }
    used += w;
  });
  return r;
}

}  // namespace loa::text
