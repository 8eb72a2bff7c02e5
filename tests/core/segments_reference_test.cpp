// Segment counts checked against a reference written here from 3GPP TS 23.038 and
// TS 23.040, independently of core/text/segments.cpp: its own GSM 7-bit tables, code
// points read by ICU, and part capacities worked out from the 140-octet user data and the
// 6-octet concatenation header rather than taken as 153 and 67. Thousands of seeded random
// texts around the part boundaries, with extension characters and surrogate pairs placed
// where they would straddle two parts.
#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include <unicode/unistr.h>
#include <unicode/utf16.h>

#include "core/text/segments.h"

namespace {

// TS 23.038 6.2.1: the default alphabet, 0x00-0x7F (0x1B is the escape to the extension table).
const std::u32string kBasic =
    U"@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1B" U"ÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    U"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
// TS 23.038 6.2.1.1: the extension table's characters (each sent as escape + code).
const std::u32string kExtension = U"\f^{}\\[~]|€";

struct Reference {
  bool unicode = false;
  int units = 0, segments = 0;
};

Reference reference(const std::string& utf8) {
  std::vector<char32_t> cps;
  auto u = icu::UnicodeString::fromUTF8(utf8);
  for (int32_t i = 0; i < u.length(); i = u.moveIndex32(i, 1)) cps.push_back(static_cast<char32_t>(u.char32At(i)));
  bool gsm = true;
  for (char32_t c : cps)
    gsm = gsm && ((kBasic.find(c) != std::u32string::npos && c != 0x1B) || kExtension.find(c) != std::u32string::npos);
  // Units of each character: septets (1, or 2 with the escape) or UTF-16 code units.
  std::vector<int> sizes;
  for (char32_t c : cps) sizes.push_back(gsm ? (kExtension.find(c) != std::u32string::npos ? 2 : 1) : U16_LENGTH(c));
  Reference r;
  r.unicode = !gsm;
  for (int s : sizes) r.units += s;
  if (r.units == 0) return r;
  // TS 23.040 9.2.3.24: 140 octets of user data; a part of a long message gives 6 of them
  // to the header (05 00 03 ref total seq), and GSM-7 pads the header to a septet boundary.
  constexpr int kOctets = 140, kHeader = 6;
  const int single = gsm ? kOctets * 8 / 7 : kOctets / 2;
  const int header_septets = (kHeader * 8 + 6) / 7;
  const int part = gsm ? (kOctets * 8) / 7 - header_septets : (kOctets - kHeader) / 2;
  if (r.units <= single) {
    r.segments = 1;
    return r;
  }
  // Fill parts in order; a character that does not fit whole opens the next part.
  int used = 0;
  r.segments = 1;
  for (int s : sizes) {
    if (used + s > part) {
      ++r.segments;
      used = 0;
    }
    used += s;
  }
  return r;
}

}  // namespace

TEST_SUITE("core/text") {
  TEST_CASE("the reference's own capacities are the familiar ones") {
    CHECK(reference(std::string(160, 'a')).segments == 1);
    CHECK(reference(std::string(161, 'a')).segments == 2);
    CHECK(reference(std::string(306, 'a')).segments == 2);
    CHECK(reference(std::string(307, 'a')).segments == 3);
  }

  TEST_CASE("segment counts agree with the reference on random texts around every boundary") {
    std::mt19937 rng(20261201);
    // GSM-only pieces (plain, extension) and pieces that force UCS-2 (Vietnamese, emoji).
    const std::vector<std::string> gsm_pieces{"a", "a", "a", "a", " ", "€", "{", "^", "|", "\f", "É", "@"};
    const std::vector<std::string> ucs_pieces{"a", "a", "ệ", "ư", "đ", "😀", "€", "𝄞", " "};
    int checked = 0;
    for (int round = 0; round < 4000; ++round) {
      const bool gsm = round % 2 == 0;
      const auto& pieces = gsm ? gsm_pieces : ucs_pieces;
      // Lengths around the edges: one part, two, three, four.
      std::uniform_int_distribution<int> length(gsm ? 140 : 55, gsm ? 480 : 220);
      std::uniform_int_distribution<std::size_t> pick(0, pieces.size() - 1);
      std::string text;
      const int n = length(rng);
      for (int i = 0; i < n; ++i) text += pieces[pick(rng)];
      if (!gsm) text += "ệ";  // at least one character that needs UCS-2
      const auto want = reference(text);
      const auto got = loa::text::count_segments(text);
      CAPTURE(text);
      REQUIRE(got.unicode == want.unicode);
      REQUIRE(got.units == want.units);
      REQUIRE(got.segments == want.segments);
      ++checked;
    }
    CHECK(checked == 4000);
  }
}
