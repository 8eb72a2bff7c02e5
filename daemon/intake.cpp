// Intake loop.
#include "core/util/strings.h"
#include "daemon/intake.h"
#include "core/util/log.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "core/jobs/planner.h"
#include "core/store/intake_store.h"
#include "core/store/redis_holder.h"

namespace loa::daemon {

void Intake::start() { thread_ = std::thread([this] { run(); }); }

void Intake::join() {
  if (thread_.joinable()) thread_.join();
}

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

void Intake::run() {
  store::RedisHolder holder(ctx_.redis_url, "intake");
  bool pending = true;  // first re-read what this consumer took but never acknowledged
  auto next_autoclaim = std::chrono::steady_clock::now();  // at start-up, then every 30 s
  // One turn: (re)connect if needed, read a batch, admit and acknowledge each entry.
  while (!ctx_.stopping) {
    store::Redis* redis = holder.get();
    if (!redis) {
      ctx_.work.wait(static_cast<int>(std::clamp<std::int64_t>(holder.retry_in_ms(), 10, 200)));
      continue;
    }
    store::IntakeStore jobs(*redis, ctx_.fixed.redis_prefix);
    if (holder.fresh()) {
      pending = true;
      if (auto g = jobs.ensure_group(); !g) {
        holder.drop(g.error());
        continue;
      }
    }
    // Every 30 s, also take over entries another gateway read but never acknowledged for a
    // minute (it died between reading and storing them); admitting is idempotent.
    auto now = std::chrono::steady_clock::now();
    bool claim_orphans = now >= next_autoclaim;
    if (claim_orphans) next_autoclaim = now + std::chrono::seconds(30);
    auto entries = claim_orphans ? jobs.autoclaim(ctx_.instance, 60000) : jobs.read_jobs(ctx_.instance, pending, 10, 500);
    if (!entries) {
      holder.drop(entries.error());
      continue;
    }
    if (pending && !claim_orphans && entries->empty()) pending = false;
    if (claim_orphans && !entries->empty()) spdlog::warn("intake: took over {} job(s) another gateway left unacknowledged", entries->size());
    for (const auto& e : *entries) {
      auto ok = admit_entry(ctx_, jobs, e);
      if (!ok) {
        spdlog::error("intake: job {}: {}", e.id, ok.error());
        holder.drop(ok.error());
        break;
      }
      if (auto acked = jobs.ack(e.id); !acked) {
        holder.drop(acked.error());
        break;
      }
      ctx_.work.notify();
    }
  }
}

}  // namespace loa::daemon
