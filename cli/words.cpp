// Words for people that only the command line uses.
#include "cli/words.h"

#include "core/util/i18n.h"
#include "core/util/time.h"

namespace loa::cli {

std::string quiet_hours_note(const config::Config& cfg, bool urgent) {
  if (urgent || !cfg.quiet_hours) return "";
  const auto& q = *cfg.quiet_hours;
  if (!util::in_window(util::minute_of_day(util::now_ms(), cfg.timezone), q.start_minute, q.end_minute)) return "";
  return i18n::trf("quiet hours ({:02}:{:02}-{:02}:{:02}): it waits and goes at {:02}:{:02} (--urgent sends now)",
                   q.start_minute / 60, q.start_minute % 60, q.end_minute / 60, q.end_minute % 60, q.end_minute / 60,
                   q.end_minute % 60);
}

std::string pad(const std::string& v, std::size_t width) {
  std::size_t chars = 0;
  for (unsigned char c : v) chars += (c & 0xC0) != 0x80;
  return chars >= width ? v : v + std::string(width - chars, ' ');
}

}  // namespace loa::cli
