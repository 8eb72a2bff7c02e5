// Trimming, splitting and joining, and text from outside made safe for a log line: the one
// place for each.
#pragma once
#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace loa::util {

/// `text` from outside (a report id, a reason, a header) as it may appear in a log line:
/// printable ASCII and well-formed UTF-8 (Vietnamese stays readable) kept; control
/// characters (C0, DEL, C1, U+2028/2029), backslashes and bytes that are not UTF-8 as
/// \xNN; at most `max` bytes of the original (then "..."), so it cannot forge or break a line.
inline std::string loggable(std::string_view text, std::size_t max = 120) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(std::min(text.size(), max) + 8);
  auto escape = [&](unsigned char c) {
    out += "\\x";
    out += kHex[c >> 4];
    out += kHex[c & 15];
  };
  // The length of the well-formed, printable UTF-8 sequence at `i`, or 0.
  auto sequence = [&](std::size_t i) -> std::size_t {
    const auto lead = static_cast<unsigned char>(text[i]);
    const std::size_t n = lead >= 0xf0 && lead <= 0xf4 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc2 && lead < 0xe0 ? 2 : 0;
    if (n == 0 || i + n > text.size()) return 0;
    char32_t cp = lead & (n == 2 ? 0x1f : n == 3 ? 0x0f : 0x07);
    for (std::size_t k = 1; k < n; ++k) {
      const auto b = static_cast<unsigned char>(text[i + k]);
      if ((b & 0xc0) != 0x80) return 0;
      cp = (cp << 6) | (b & 0x3f);
    }
    const char32_t least = n == 2 ? 0x80 : n == 3 ? 0x800 : 0x10000;
    if (cp < least || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || cp <= 0x9f || cp == 0x2028 || cp == 0x2029)
      return 0;
    return n;
  };
  std::size_t i = 0;
  while (i < text.size() && i < max) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
      ++i;
    } else if (std::size_t n = c >= 0x80 ? sequence(i) : 0; n > 0 && i + n <= max) {
      out.append(text.substr(i, n));
      i += n;
    } else if (n > 0) {
      break;  // a character cut by `max`
    } else {
      escape(c);
      ++i;
    }
  }
  if (i < text.size()) out += "...";
  return out;
}

/// `s` without the white space around it: space, tab, CR, LF and U+00A0 (the no-break
/// space Excel and web pages leave in cells).
inline std::string_view trimmed(std::string_view s) {
  auto space_at_front = [&](std::size_t& len) {
    if (s.empty()) return false;
    const char c = s.front();
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') return (len = 1), true;
    return s.size() >= 2 && s[0] == '\xC2' && s[1] == '\xA0' ? (len = 2, true) : false;
  };
  auto space_at_back = [&](std::size_t& len) {
    if (s.empty()) return false;
    const char c = s.back();
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') return (len = 1), true;
    return s.size() >= 2 && s[s.size() - 2] == '\xC2' && s.back() == '\xA0' ? (len = 2, true) : false;
  };
  std::size_t len = 0;
  while (space_at_front(len)) s.remove_prefix(len);
  while (space_at_back(len)) s.remove_suffix(len);
  return s;
}

/// The pieces of `s` between any of the `separators`, each trimmed; empty ones dropped.
inline std::vector<std::string_view> split(std::string_view s, std::string_view separators) {
  std::vector<std::string_view> out;
  while (true) {
    const auto at = s.find_first_of(separators);
    if (auto piece = trimmed(s.substr(0, at)); !piece.empty()) out.push_back(piece);
    if (at == std::string_view::npos) return out;
    s.remove_prefix(at + 1);
  }
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

/// The candidate closest to `name` by edit distance, when close enough to be what was
/// meant (at most a third of its length, and 3, edits away): for "did you mean".
inline std::optional<std::string> did_you_mean(std::string_view name, const std::vector<std::string>& candidates) {
  std::optional<std::string> best;
  std::size_t best_distance = std::min<std::size_t>(3, std::max<std::size_t>(1, name.size() / 3)) + 1;
  for (const auto& c : candidates) {
    std::vector<std::size_t> row(c.size() + 1);
    for (std::size_t j = 0; j <= c.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= name.size(); ++i) {
      std::size_t diagonal = row[0];
      row[0] = i;
      for (std::size_t j = 1; j <= c.size(); ++j) {
        const std::size_t up = row[j];
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (name[i - 1] == c[j - 1] ? 0 : 1)});
        diagonal = up;
      }
    }
    if (row[c.size()] < best_distance) {
      best_distance = row[c.size()];
      best = c;
    }
  }
  return best;
}

}  // namespace loa::util
