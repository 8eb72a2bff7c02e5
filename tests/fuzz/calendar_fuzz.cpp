// Fuzz target: what the calendar reads that a person or a damaged Redis may hold anything
// in — a reminder's rule and its JSON (read by every gateway from Redis), and the override
// table file (calendar.yaml, edited by hand). The first byte picks which; the rest is the
// input. A rule that parses gives occurrences whose dates are real days.
#include <cstdlib>
#include <string>

#include "core/calendar/rules.h"
#include "core/store/remind_store.h"
#include "tests/fuzz/fuzz.h"

LOA_FUZZ_TARGET(calendar) {
  if (size == 0) return 0;
  const std::string_view rest = loa::fuzz::text(data + 1, size - 1);
  using namespace loa::calendar;
  switch (data[0] % 3) {
    case 0:
      if (auto rule = parse_rule(rest)) {
        const Date from{std::chrono::year(2026), std::chrono::month(12), std::chrono::day(1)};
        for (const Occurrence& o : occurrences(*rule, from, 3, {})) {
          if (!o.day.ok() || !o.event.ok()) std::abort();
          (void)o.vars();
        }
      }
      break;
    case 1:
      (void)loa::store::reminder_from_json("r", std::string(rest));
      break;
    default:
      (void)load_overrides(loa::fuzz::write("calendar.yaml", rest));
      break;
  }
  return 0;
}
