// Words for people that only the command line uses.
#include "cli/words.h"

#include "core/util/i18n.h"

namespace loa::cli {

std::string pad(const std::string& v, std::size_t width) {
  std::size_t chars = 0;
  for (unsigned char c : v) chars += (c & 0xC0) != 0x80;
  return chars >= width ? v : v + std::string(width - chars, ' ');
}

}  // namespace loa::cli
