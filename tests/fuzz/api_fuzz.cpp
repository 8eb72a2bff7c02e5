// Fuzz target: what the officials' API and `loa --server` read from the other side: an
// Accept-Language header (the server), and a job or an error answer (the client, from a
// server it may not trust). A job that reads must read back the same from its own JSON.
// And free text on its way to a person or a log: printable() leaves no control character,
// mask_numbers() no run of 9 to 12 digits.
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "cli/api_client.h"
#include "core/store/query_store.h"
#include "daemon/api_server.h"
#include "core/text/unicode.h"
#include "core/util/log.h"
#include "tests/fuzz/fuzz.h"

LOA_FUZZ_TARGET(api) {
  const std::string input(loa::fuzz::text(data, size));
  (void)loa::daemon::language_asked(input, std::nullopt);
  if (loa::text::has_control(loa::text::printable(input), false)) std::abort();
  const std::string masked = loa::util::mask_numbers(input);
  for (std::size_t i = 0, run = 0; i <= masked.size(); ++i) {
    if (i < masked.size() && masked[i] >= '0' && masked[i] <= '9') {
      ++run;
      continue;
    }
    if (run >= 9 && run <= 12) std::abort();
    run = 0;
  }
  loa::cli::ApiAnswer answer{.status = 400, .body = input};
  if (answer.errors().empty()) std::abort();
  auto j = nlohmann::json::parse(input, nullptr, false);
  if (j.is_discarded()) return 0;
  auto job = loa::store::job_from_json(j);
  if (!job) return 0;
  auto again = loa::store::job_from_json(nlohmann::json::parse(loa::store::job_json(*job).dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace)));
  if (!again || again->id.size() != job->id.size() || again->counts != job->counts || again->total != job->total ||
      again->state != job->state)
    std::abort();
  return 0;
}
