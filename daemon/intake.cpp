// Intake loop.
#include "core/util/strings.h"
#include "daemon/intake.h"
#include "core/util/log.h"

#include <spdlog/spdlog.h>

#include "core/jobs/planner.h"
#include "core/store/job_store.h"

namespace loa::daemon {

void Intake::start() { thread_ = std::thread([this] { run(); }); }

void Intake::join() {
  if (thread_.joinable()) thread_.join();
}

namespace {
// Stores one stream entry as a job. Validation failures make it `rejected`, with the
// reason; only Redis failures return an error (the entry then stays pending).
std::expected<void, std::string> admit_entry(Context& ctx, store::JobStore& jobs, const store::StreamEntry& e) {
  if (!e.job) return jobs.admit(e.id, "", std::nullopt, "rejected", "stream entry has no \"job\" field", std::nullopt);
  auto spec = jobs::parse_job_spec(*e.job);
  if (!spec) {
    spdlog::warn("job {} rejected: {}", e.id, util::loggable(spec.error(), 300));
    return jobs.admit(e.id, *e.job, std::nullopt, "rejected", spec.error(), std::nullopt);
  }
  auto rt = ctx.runtime();
  auto plan = jobs::Planner::create(rt->cfg, *spec, &rt->templates);
  if (!plan) {
    std::string reason = util::join(plan.error(), "; ");
    spdlog::warn("job {} rejected: {}", e.id, util::loggable(reason, 300));
    return jobs.admit(e.id, *e.job, *spec, "rejected", reason, std::nullopt);
  }
  spdlog::info("job {} accepted: template {} for {} ward(s)", e.id, spec->template_name, spec->wards.size());
  return jobs.admit(e.id, *e.job, *spec, "queued", "", plan->at_ms());
}
}  // namespace

void Intake::run() {
  std::unique_ptr<store::Redis> redis;
  util::LogThrottle redis_errors;
  bool pending = true;  // first re-read what this consumer took but never acknowledged
  auto next_autoclaim = std::chrono::steady_clock::now();  // at start-up, then every 30 s
  // One turn: (re)connect if needed, read a batch, admit and acknowledge each entry.
  while (!ctx_.stopping) {
    if (!redis) {
      auto r = store::Redis::connect(ctx_.redis_url, 3000);
      if (!r) {
        redis_errors.error("intake: " + r.error());
        std::this_thread::sleep_for(std::chrono::seconds(1));
        continue;
      }
      redis = std::move(*r);
      pending = true;
      if (auto g = store::JobStore(*redis, ctx_.cfg.redis.prefix).ensure_group(); !g) {
        spdlog::error("intake: {}", g.error());
        redis.reset();
        std::this_thread::sleep_for(std::chrono::seconds(1));
        continue;
      }
    }
    store::JobStore jobs(*redis, ctx_.cfg.redis.prefix);
    // Every 30 s, also take over entries another gateway read but never acknowledged for a
    // minute (it died between reading and storing them); admitting is idempotent.
    auto now = std::chrono::steady_clock::now();
    bool claim_orphans = now >= next_autoclaim;
    if (claim_orphans) next_autoclaim = now + std::chrono::seconds(30);
    auto entries = claim_orphans ? jobs.autoclaim(ctx_.instance, 60000) : jobs.read_jobs(ctx_.instance, pending, 10, 500);
    if (!entries) {
      redis_errors.error("intake: " + entries.error());
      redis.reset();
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      continue;
    }
    redis_errors.reset();
    if (pending && !claim_orphans && entries->empty()) pending = false;
    if (claim_orphans && !entries->empty()) spdlog::warn("intake: took over {} job(s) another gateway left unacknowledged", entries->size());
    bool failed = false;
    for (const auto& e : *entries) {
      if (auto ok = admit_entry(ctx_, jobs, e); !ok) {
        spdlog::error("intake: job {}: {}", e.id, ok.error());
        failed = true;
        break;
      }
      if (auto ok = jobs.ack(e.id); !ok) {
        failed = true;
        break;
      }
      ctx_.work.notify();
    }
    if (failed) redis.reset();
  }
}

}  // namespace loa::daemon
