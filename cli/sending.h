// What `send`, `preview` and `remind` share: the options that select a job's template,
// wards, variables and residents, and the job they describe, validated.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/config/config.h"
#include "core/jobs/job_spec.h"
#include "core/jobs/planner.h"

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
/// The job the selectors describe; nullopt after printing what is wrong.
std::optional<jobs::JobSpec> spec_of(const Selectors& sel, const config::Config& cfg);
/// The validated plan of a job; nullopt after printing why not. Names a person typed are
/// checked first, each with a did-you-mean: the template, the wards, the --var names and
/// the --area values.
std::optional<jobs::Planner> plan_of(const jobs::JobSpec& spec, const config::Config& cfg);

}  // namespace loa::cli
