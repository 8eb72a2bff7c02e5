// SMS segment counting: GSM-7 (with its extension table) or UCS-2.
#pragma once
#include <string_view>

namespace loa::text {

struct SegmentCount {
  bool unicode = false;  ///< true when the text needs UCS-2
  int units = 0;         ///< GSM-7 septets or UTF-16 code units
  int segments = 0;      ///< 0 for an empty text
};

/// Counts the segments a UTF-8 text takes: GSM-7 160 single / 153 per part, extension
/// characters (^ { } \ [ ~ ] | € form-feed) counting two septets; otherwise UCS-2 70 / 67,
/// characters outside the BMP counting two units. In a message of several parts, a
/// two-septet extension character or a surrogate pair is never split between two parts:
/// it opens the next one, as handsets and SMSCs encode it.
SegmentCount count_segments(std::string_view utf8);

/// True when the code point is in the GSM 03.38 basic table or its extension table.
bool is_gsm7(char32_t c);

}  // namespace loa::text
