// Reminder loop.
#include "daemon/reminders.h"

#include <chrono>
#include <set>

#include <spdlog/spdlog.h>

#include "core/calendar/rules.h"
#include "core/jobs/planner.h"
#include "core/jobs/reminder_job.h"
#include "core/store/intake_store.h"
#include "core/store/redis_holder.h"
#include "core/store/remind_store.h"
#include "core/util/time.h"

namespace loa::daemon {

void Reminders::start() { thread_ = std::thread([this] { run(); }); }

void Reminders::join() {
  if (thread_.joinable()) thread_.join();
}

namespace {

using calendar::Date;

Date local_day(std::int64_t ms, const std::string& tz) {
  const std::string t = util::format_local(ms, tz);  // "YYYY-MM-DD HH:MM"
  return Date{std::chrono::year(std::atoi(t.substr(0, 4).c_str())),
              std::chrono::month(static_cast<unsigned>(std::atoi(t.substr(5, 2).c_str()))),
              std::chrono::day(static_cast<unsigned>(std::atoi(t.substr(8, 2).c_str())))};
}

// One look at every reminder: each occurrence come since the last one handled (or since
// the reminder was made) is enqueued, or recorded missed when past the grace.
std::expected<void, std::string> look(Context& ctx, store::Redis& redis, std::set<std::string>& warned, calendar::OverridesCache& tables) {
  auto rt = ctx.runtime();
  const config::Config& cfg = rt->cfg;
  store::RemindStore reminders(redis, ctx.fixed.redis_prefix);
  store::IntakeStore intake(redis, ctx.fixed.redis_prefix);
  auto all = reminders.list();
  if (!all) return std::unexpected(all.error());
  const std::int64_t now = util::now_ms();
  const std::int64_t grace_ms = static_cast<std::int64_t>(cfg.remind_grace_hours) * 3600 * 1000;
  const calendar::Overrides& table = tables.get(calendar::overrides_path(cfg.dir));
  for (const store::Reminder& r : all->reminders) {
    auto rule = calendar::parse_rule(r.when);
    if (!rule) {
      if (warned.insert(r.name).second) spdlog::warn("reminder {}: its rule cannot be read: {}", r.name, rule.error());
      continue;
    }
    auto st = reminders.state(r.name);
    if (!st) return std::unexpected(st.error());
    std::int64_t since = r.created_at;
    if (!st->last.empty())
      if (auto t = util::parse_time(st->last, cfg.timezone)) since = std::max(since, *t);
    // Occurrences from the day of `since` on, up to now (a month of them at most a look).
    for (const auto& o : calendar::occurrences(*rule, local_day(since, cfg.timezone), 32, table)) {
      auto at = util::parse_time(o.id(), cfg.timezone);
      if (!at || *at > now) break;
      if (*at <= since) continue;
      if (now - *at > grace_ms) {
        spdlog::warn("reminder {}: occurrence {} missed ({} h past, beyond remind_grace_hours {})", r.name, o.id(),
                     (now - *at) / 3600000, cfg.remind_grace_hours);
        if (auto h = reminders.handled(r.name, o.id(), ""); !h) return std::unexpected(h.error());
        continue;
      }
      auto t = rt->templates.find(r.template_name);
      const jobs::JobSpec spec = jobs::reminder_job(r, o, cfg, t == rt->templates.end() ? nullptr : t->second.get());
      if (spec.on_date) {
        // A day of residents' own dates: a job only when someone's date is that day. (A
        // plan that cannot be made — a template gone, a column dropped — still makes its
        // job: the intake rejects it with the reason, where `loa jobs` shows it.)
        if (auto plan = jobs::Planner::create(cfg, spec, &rt->templates)) {
          bool anyone = false;
          auto walked = plan->for_each({}, [&](const jobs::PlannedMessage&) { return !(anyone = true); });
          if (walked && !anyone) {
            if (auto h = reminders.handled(r.name, o.id(), "", true); !h) return std::unexpected(h.error());
            continue;
          }
        }
      }
      auto job = intake.enqueue(spec);
      if (!job) return std::unexpected(job.error());
      if (job->created) spdlog::info("reminder {}: occurrence {} enqueued as job {}", r.name, o.id(), job->id);
      if (auto h = reminders.handled(r.name, o.id(), job->id); !h) return std::unexpected(h.error());
      ctx.work.notify();
    }
  }
  return {};
}

}  // namespace

void Reminders::run() {
  store::RedisHolder holder(ctx_.redis_url, "reminders");
  std::set<std::string> warned;
  // calendar.yaml, read again when it changes; a table that cannot be read is said once,
  // and the law's defaults serve meanwhile.
  calendar::OverridesCache tables([](const std::vector<std::string>& errors) {
    for (const auto& e : errors)
      spdlog::error("reminders: {} (holiday-relative reminders use the law's defaults until it is mended)", e);
  });
  while (!ctx_.stopping) {
    store::Redis* redis = holder.get();
    if (!redis) {
      ctx_.work.wait(static_cast<int>(std::clamp<std::int64_t>(holder.retry_in_ms(), 10, 1000)));
      continue;
    }
    if (auto ok = look(ctx_, *redis, warned, tables); !ok) {
      holder.drop(ok.error());
      continue;
    }
    // (The work signal wakes it early now and then; a look is cheap.)
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(kTickMs);
    while (!ctx_.stopping && std::chrono::steady_clock::now() < until) ctx_.work.wait(500);
  }
}

}  // namespace loa::daemon
