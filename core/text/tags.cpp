// Splitting template text at its {{tags}}.
#include "core/text/tags.h"

#include "core/util/strings.h"

namespace loa::text {

std::expected<std::vector<Piece>, std::string> split_tags(std::string_view source) {
  std::vector<Piece> out;
  std::size_t i = 0;
  while (i < source.size()) {
    const std::size_t open = source.find("{{", i);
    if (open == std::string_view::npos) {
      out.push_back({false, false, std::string(source.substr(i))});
      break;
    }
    if (open > i) out.push_back({false, false, std::string(source.substr(i, open - i))});
    const bool triple = source.compare(open, 3, "{{{") == 0;
    const std::size_t width = triple ? 3 : 2;
    const std::size_t close = source.find(triple ? "}}}" : "}}", open + width);
    if (close == std::string_view::npos) return std::unexpected("unclosed tag at byte " + std::to_string(open));
    out.push_back({true, triple, std::string(util::trimmed(source.substr(open + width, close - open - width)))});
    i = close + width;
  }
  return out;
}

}  // namespace loa::text
