// What `send`, `preview` and `remind` share: the options that select a job's template,
// wards, variables and residents, and the request they make.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/config/config.h"
#include "core/jobs/job_spec.h"
#include "core/jobs/planner.h"
#include "core/submit/submission.h"

namespace CLI {
class App;
}

namespace loa::cli {

struct Selectors {
  std::string template_name;
  std::vector<std::string> wards;
  bool all_wards = false;
  std::vector<std::string> vars, areas, tags;
};

/// --template, --ward/--all-wards, --var, --area, --tag on `cmd`.
void add_selectors(CLI::App* cmd, Selectors& s);
/// What `send` adds to the selectors (nullptr / false: not given).
struct Extras {
  const std::string* at = nullptr;
  const std::string* key = nullptr;
  bool urgent = false, again = false;
};
/// The request the options describe, read as the API reads a request (so that `loa` and
/// `loa --server` refuse the same things in the same words); nullopt after printing what
/// is wrong with the options themselves.
std::optional<submit::Request> request_of(const Selectors& sel, const config::Config& cfg, const Extras& extras);

/// Prints an outcome's lines: `err` as "loa: ..." on stderr, `out` on stdout.
void print(const submit::Lines& lines);

}  // namespace loa::cli
