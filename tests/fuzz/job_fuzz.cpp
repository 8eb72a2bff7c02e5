// Fuzz target: the job JSON of the Redis stream, the API's requests (the same with
// "all_wards" and "again") and the outcome `loa --server` reads back from a server it need
// not trust. A spec that parses must come back the same through to_json (what `loa send`
// enqueues); a request through request_json (what `loa --server` sends); an outcome through
// to_json (what the API answers).
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "core/jobs/job_spec.h"
#include "core/submit/submission.h"
#include "tests/fuzz/fuzz.h"

LOA_FUZZ_TARGET(job) {
  const std::string input(loa::fuzz::text(data, size));
  if (auto r = loa::submit::parse_request(input, "Asia/Ho_Chi_Minh")) {
    auto back = loa::submit::parse_request(loa::submit::request_json(*r).dump(), "Asia/Ho_Chi_Minh");
    if (!back || back->all_wards != r->all_wards || back->again != r->again || back->spec.wards != r->spec.wards ||
        back->spec.vars != r->spec.vars || back->spec.by)
      std::abort();
  }
  if (auto o = loa::submit::Outcome::from_json(nlohmann::json::parse(input, nullptr, false))) {
    auto back = loa::submit::Outcome::from_json(o->to_json());
    if (!back || back->verdict != o->verdict || back->errors != o->errors || back->id != o->id ||
        back->approval != o->approval || back->warnings != o->warnings)
      std::abort();
    (void)loa::submit::head_lines(*o);
    (void)loa::submit::tail_lines(*o);
  }
  auto spec = loa::jobs::parse_job_spec(input, "Asia/Ho_Chi_Minh");
  if (!spec) return 0;
  auto again = loa::jobs::parse_job_spec(loa::jobs::to_json(*spec), "UTC");
  if (!again || again->wards != spec->wards || again->vars != spec->vars || again->template_name != spec->template_name ||
      again->on_date != spec->on_date ||
      (spec->at_ms && again->at_ms != spec->at_ms && *spec->at_ms / 1000 != *again->at_ms / 1000))
    std::abort();
  return 0;
}
