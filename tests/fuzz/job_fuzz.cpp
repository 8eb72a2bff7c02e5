// Fuzz target: the job JSON of the Redis stream. A spec that parses must come back the
// same through to_json (what `loa send` enqueues).
#include <cstdlib>

#include "core/jobs/job_spec.h"
#include "tests/fuzz/fuzz.h"

LOA_FUZZ_TARGET(job) {
  auto spec = loa::jobs::parse_job_spec(std::string(loa::fuzz::text(data, size)), "Asia/Ho_Chi_Minh");
  if (!spec) return 0;
  auto again = loa::jobs::parse_job_spec(loa::jobs::to_json(*spec), "UTC");
  if (!again || again->wards != spec->wards || again->vars != spec->vars || again->template_name != spec->template_name ||
      again->on_date != spec->on_date ||
      (spec->at_ms && again->at_ms != spec->at_ms && *spec->at_ms / 1000 != *again->at_ms / 1000))
    std::abort();
  return 0;
}
