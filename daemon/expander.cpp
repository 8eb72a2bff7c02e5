// Expansion loop.
#include "core/util/strings.h"
#include "daemon/expander.h"
#include "core/util/log.h"

#include <spdlog/spdlog.h>

#include "core/jobs/planner.h"
#include "core/store/job_store.h"
#include "core/util/time.h"

namespace loa::daemon {

void Expander::start() { thread_ = std::thread([this] { run(); }); }

void Expander::join() {
  if (thread_.joinable()) thread_.join();
}

namespace {

store::ExpandedRow to_row(const config::Config& cfg, const jobs::PlannedMessage& m) {
  store::ExpandedRow r;
  r.index = m.index;
  r.ward = m.ward;
  r.row = std::to_string(m.row);
  r.name = m.name;
  r.phone = m.phone;
  r.carrier = m.carrier;
  r.text = m.text;
  r.segments = std::to_string(m.segments.segments);
  r.unicode = m.segments.unicode ? "1" : "0";
  if (!m.skip_reason.empty()) {
    r.state = "skipped";
    r.error = m.skip_reason;
  } else if (!m.fail_reason.empty()) {
    r.state = "failed";
    r.error = m.fail_reason;
  } else {
    r.state = "queued";
    const auto& route = cfg.routes.for_carrier(m.carrier);
    r.provider = route.front();
    r.route = util::join(route, ",");
  }
  return r;
}

// Expands one claimed job from its cursor; returns false when Redis failed.
bool expand(Context& ctx, store::JobStore& jobs, const store::JobStore::Claim& claim) {
  auto spec = jobs::parse_job_spec(claim.spec_json);
  if (!spec) return static_cast<bool>(jobs.reject(claim.job, spec.error()));
  auto rt = ctx.runtime();  // one config and template set for the whole job
  auto plan = jobs::Planner::create(rt->cfg, *spec, &rt->templates);
  if (!plan) {
    std::string reason = util::join(plan.error(), "; ");
    spdlog::warn("job {} rejected at expansion: {}", claim.job, util::loggable(reason, 300));
    return static_cast<bool>(jobs.reject(claim.job, reason));
  }
  auto optouts = jobs.optout_list();
  if (!optouts) return false;
  std::set<std::string> opted;
  for (const auto& [digits, _] : *optouts) opted.insert(digits);

  std::int64_t cursor = claim.cursor;
  std::vector<store::ExpandedRow> chunk;
  bool ok = true, lost = false;
  auto flush = [&] {
    if (chunk.empty()) return true;
    auto r = jobs.expand_chunk(claim.job, cursor, chunk, Expander::kLeaseMs);
    if (!r) {
      spdlog::error("job {}: writing rows: {}", claim.job, r.error());
      ok = false;
      return false;
    }
    if (!*r) {  // another expander moved the cursor: it owns the job now
      lost = true;
      return false;
    }
    cursor += static_cast<std::int64_t>(chunk.size());
    chunk.clear();
    ctx.work.notify();
    return true;
  };
  auto walked = plan->for_each(
      opted,
      [&](const jobs::PlannedMessage& m) {
        if (ctx.stopping) return false;
        chunk.push_back(to_row(rt->cfg, m));
        return chunk.size() < Expander::kChunk || flush();
      },
      claim.cursor);
  if (!walked) {
    spdlog::warn("job {} rejected at expansion: {}", claim.job, util::loggable(walked.error(), 300));
    return static_cast<bool>(jobs.reject(claim.job, walked.error()));
  }
  if (ctx.stopping || lost || !ok || !flush()) return ok;
  auto fin = jobs.finish_expansion(claim.job, cursor);
  if (!fin) return false;
  spdlog::info("job {} expanded: {} message(s)", claim.job, cursor);
  return true;
}

}  // namespace

void Expander::run() {
  std::unique_ptr<store::Redis> redis;
  util::LogThrottle redis_errors;
  bool resumed = false;
  // One turn: claim the next due job (or sleep until one may be due) and expand it.
  while (!ctx_.stopping) {
    if (!redis) {
      auto r = store::Redis::connect(ctx_.redis_url, 5000);
      if (!r) {
        redis_errors.error("expander: " + r.error());
        std::this_thread::sleep_for(std::chrono::seconds(1));
        continue;
      }
      redis = std::move(*r);
    }
    store::JobStore jobs(*redis, ctx_.cfg.redis.prefix);
    if (!resumed) {
      if (!jobs.resume_mine(ctx_.instance)) {
        redis.reset();
        continue;
      }
      resumed = true;
    }
    std::int64_t next_due = 0;
    auto claim = jobs.claim(ctx_.instance, kLeaseMs, &next_due);
    if (!claim) {
      redis_errors.error("expander: " + claim.error());
      redis.reset();
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      continue;
    }
    redis_errors.reset();
    if (!*claim) {
      std::int64_t wait = 200;
      if (next_due > 0) wait = std::clamp<std::int64_t>(next_due - util::now_ms(), 10, 200);
      ctx_.work.wait(static_cast<int>(wait));
      continue;
    }
    if (!expand(ctx_, jobs, **claim)) redis.reset();
  }
}

}  // namespace loa::daemon
