// Intake loop.
#include "daemon/intake.h"

#include <spdlog/spdlog.h>

#include "core/jobs/planner.h"
#include "core/store/intake_store.h"
#include "core/util/log.h"
#include "core/util/strings.h"

namespace loa::daemon {

namespace {
// Stores one stream entry as a job. Validation failures make it `rejected`, with the
// reason; only Redis failures return an error (the entry then stays pending).
std::expected<void, std::string> admit_entry(Context& ctx, store::IntakeStore& jobs, const store::StreamEntry& e) {
  using jobs::JobState;
  if (!e.job)
    return jobs.admit({.id = e.id, .state = JobState::rejected, .reason = "stream entry has no \"job\" field"});
  auto spec = jobs::parse_job_spec(*e.job, ctx.runtime()->cfg.timezone);
  if (!spec) {
    spdlog::warn("job {} rejected: {}", e.id, util::loggable(spec.error(), 300));
    return jobs.admit({.id = e.id, .spec_json = *e.job, .state = JobState::rejected, .reason = spec.error()});
  }
  auto rt = ctx.runtime();
  auto plan = jobs::Planner::create(rt->cfg, *spec, &rt->templates);
  if (!plan) {
    std::string reason = util::join(plan.error(), "; ");
    spdlog::warn("job {} rejected: {}", e.id, util::loggable(reason, 300));
    return jobs.admit({.id = e.id, .spec_json = *e.job, .spec = *spec, .state = JobState::rejected, .reason = reason});
  }
  std::optional<std::int64_t> recipients;
  auto held = jobs::approval_reason(rt->cfg, *plan, recipients);
  if (!held) {
    spdlog::warn("job {} rejected: {}", e.id, util::loggable(held.error(), 300));
    return jobs.admit({.id = e.id, .spec_json = *e.job, .spec = *spec, .state = JobState::rejected, .reason = held.error()});
  }
  if (*held) {
    spdlog::info("job {} awaits approval ({}): template {} for {} ward(s)", e.id, **held, spec->template_name,
                 spec->wards.size());
    return jobs.admit({.id = e.id, .spec_json = *e.job, .spec = *spec, .state = JobState::awaiting_approval,
                       .reason = **held, .due_ms = plan->at_ms(), .recipients = recipients});
  }
  spdlog::info("job {} accepted: template {} for {} ward(s)", e.id, spec->template_name, spec->wards.size());
  return jobs.admit({.id = e.id, .spec_json = *e.job, .spec = *spec, .state = JobState::queued, .due_ms = plan->at_ms(),
                     .recipients = recipients});
}
}  // namespace

std::expected<void, std::string> Intake::turn(store::Redis& redis, bool fresh) {
  store::IntakeStore jobs(redis, ctx_.fixed.redis_prefix);
  if (fresh) {
    pending_ = true;
    if (auto g = jobs.ensure_group(); !g) return g;
  }
  // Every 30 s (and at start-up), also take over entries another gateway read but never
  // acknowledged for a minute (it died between reading and storing them); admitting is
  // idempotent.
  const auto now = std::chrono::steady_clock::now();
  const bool claim_orphans = now >= next_autoclaim_;
  if (claim_orphans) next_autoclaim_ = now + std::chrono::seconds(30);
  auto entries = claim_orphans ? jobs.autoclaim(ctx_.instance, 60000) : jobs.read_jobs(ctx_.instance, pending_, 10, 500);
  if (!entries) return std::unexpected(entries.error());
  if (pending_ && !claim_orphans && entries->empty()) pending_ = false;
  if (claim_orphans && !entries->empty()) spdlog::warn("intake: took over {} job(s) another gateway left unacknowledged", entries->size());
  for (const auto& e : *entries) {
    if (auto ok = admit_entry(ctx_, jobs, e); !ok) {
      spdlog::error("intake: job {}: {}", e.id, ok.error());
      return ok;
    }
    if (auto acked = jobs.ack(e.id); !acked) return acked;
    ctx_.work.notify();
  }
  return {};
}

}  // namespace loa::daemon
