// Expansion loop.
#include "daemon/expander.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "core/jobs/planner.h"
#include "core/store/codec.h"
#include "core/store/expansion_store.h"
#include "core/store/optout_store.h"
#include "core/store/query_store.h"
#include "core/util/log.h"
#include "core/util/strings.h"
#include "core/util/time.h"

namespace loa::daemon {

namespace {

static_assert(Expander::kChunk % store::kChunkSize == 0, "expansion writes whole data chunks");

store::ExpandedRow to_row(const config::Config& cfg, const jobs::PlannedMessage& m) {
  store::ExpandedRow r;
  r.index = m.index;
  r.data.ward = m.ward;
  r.data.row = std::to_string(m.row);
  r.data.name = m.name;
  r.data.phone = m.phone;
  r.data.area = m.area;
  r.data.stt = m.stt;
  r.data.text = m.text;
  r.data.unicode = m.segments.unicode;
  if (!m.skip_reason.empty()) {
    r.state = jobs::MessageState::skipped;
    r.error = m.skip_reason;
  } else if (!m.fail_reason.empty()) {
    r.state = jobs::MessageState::failed;
    r.error = m.fail_reason;
  } else {
    r.state = jobs::MessageState::queued;
    r.data.route = util::join(cfg.routes.for_carrier(m.carrier), ",");
  }
  return r;
}

// Expands one claimed job from its cursor; an error when Redis failed.
std::expected<void, std::string> expand(Context& ctx, store::Redis& redis, const store::ExpansionStore::Claim& claim) {
  store::ExpansionStore jobs(redis, ctx.fixed.redis_prefix);
  auto spec = jobs::parse_job_spec(claim.spec_json, ctx.runtime()->cfg.timezone);
  if (!spec) return jobs.reject(claim.job, spec.error());
  auto rt = ctx.runtime();  // one config and template set for the whole job
  auto plan = jobs::Planner::create(rt->cfg, *spec, &rt->templates);
  if (!plan) {
    std::string reason = util::join(plan.error(), "; ");
    spdlog::warn("job {} rejected at expansion: {}", claim.job, util::loggable(reason, 300));
    return jobs.reject(claim.job, reason);
  }
  plan->set_spill_dir(rt->cfg.state_dir);
  auto optouts = store::OptoutStore(redis, ctx.fixed.redis_prefix).list();
  if (!optouts) return std::unexpected(optouts.error());
  std::set<std::string> opted;
  for (const auto& [digits, _] : *optouts) opted.insert(digits);

  std::int64_t cursor = claim.cursor;
  std::vector<store::ExpandedRow> chunk;
  std::string failed;
  bool lost = false;
  auto flush = [&] {
    if (chunk.empty()) return true;
    auto r = jobs.expand_chunk(claim.job, cursor, chunk, Expander::kLeaseMs);
    if (!r) {
      failed = "job " + claim.job + ": writing rows: " + r.error();
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
    return jobs.reject(claim.job, walked.error());
  }
  if (ctx.stopping || lost || !failed.empty() || !flush()) {
    if (!failed.empty()) return std::unexpected(failed);
    return {};
  }
  auto fin = jobs.finish_expansion(claim.job, cursor);
  if (!fin) return std::unexpected(fin.error());
  spdlog::info("job {} expanded: {} message(s)", claim.job, cursor);
  return {};
}

}  // namespace

std::expected<void, std::string> Expander::turn(store::Redis& redis) {
  store::ExpansionStore jobs(redis, ctx_.fixed.redis_prefix);
  if (!resumed_) {
    if (auto r = jobs.resume_mine(ctx_.instance); !r) return std::unexpected(r.error());
    resumed_ = true;
  }
  std::int64_t next_due = 0;
  auto claim = jobs.claim(ctx_.instance, kLeaseMs, &next_due);
  if (!claim) return std::unexpected(claim.error());
  if (!*claim) {
    std::int64_t wait = 200;
    if (next_due > 0) wait = std::clamp<std::int64_t>(next_due - util::now_ms(), 10, 200);
    ctx_.work.wait(static_cast<int>(wait));
    return {};
  }
  return expand(ctx_, redis, **claim);
}

}  // namespace loa::daemon
