// String joining.
#pragma once
#include <string>
#include <string_view>

namespace loa::util {

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
