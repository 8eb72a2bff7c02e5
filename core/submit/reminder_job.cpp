#include "core/submit/reminder_job.h"

#include <algorithm>

#include "core/jobs/planner.h"

namespace loa::submit {

jobs::JobSpec reminder_job(const store::Reminder& r, const calendar::Occurrence& o, const config::Config& cfg,
                     const text::MessageTemplate* t) {
  jobs::JobSpec spec;
  spec.template_name = r.template_name;
  spec.wards = r.all_wards ? jobs::configured_wards(cfg) : r.wards;
  spec.vars = r.vars;
  spec.areas = r.areas;
  spec.tags = r.tags;
  for (const auto& [k, v] : o.vars()) {
    const bool used = t && (std::find(t->variables().begin(), t->variables().end(), k) != t->variables().end() ||
                            t->names().count(k));
    if (used) spec.vars.emplace(k, v);  // (a value the reminder sets wins)
  }
  if (!o.column.empty()) spec.on_date = jobs::JobSpec::OnDate{o.column, calendar::iso(o.event)};
  spec.key = "remind:" + r.name + ":" + o.id();
  spec.by = "remind:" + r.name;
  return spec;
}

}  // namespace loa::submit
