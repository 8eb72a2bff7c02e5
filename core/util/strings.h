// String joining, and text from outside made safe for a log line.
#pragma once
#include <algorithm>
#include <string>
#include <string_view>

namespace loa::util {

/// `text` from outside (a report id, a header) as it may appear in a log line: control
/// characters and bytes that are not printable ASCII as \xNN, at most `max` bytes of the
/// original (then "..."), so it cannot forge or break a line.
inline std::string loggable(std::string_view text, std::size_t max = 120) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(std::min(text.size(), max) + 8);
  for (std::size_t i = 0; i < text.size() && i < max; ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  if (text.size() > max) out += "...";
  return out;
}

/// Joins the items of `range` with `sep`, each turned into text by `fn`.
template <class Range, class Fn>
std::string join(const Range& range, std::string_view sep, Fn&& fn) {
  std::string out;
  bool first = true;
  for (const auto& item : range) {
    if (!first) out += sep;
    first = false;
    out += fn(item);
  }
  return out;
}

/// Joins strings with `sep`.
template <class Range>
std::string join(const Range& range, std::string_view sep) {
  return join(range, sep, [](const auto& s) -> std::string { return std::string(s); });
}

}  // namespace loa::util
