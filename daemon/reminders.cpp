// Reminder loop.
#include "daemon/reminders.h"

#include <chrono>
#include <set>

#include <spdlog/spdlog.h>

#include "core/calendar/rules.h"
#include "core/jobs/planner.h"
#include "core/submit/reminder_job.h"
#include "core/store/audit_store.h"
#include "core/store/remind_store.h"
#include "core/submit/submission.h"
#include "core/util/log.h"
#include "core/util/strings.h"
#include "core/util/time.h"

namespace loa::daemon {

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
      // The one road every send takes, as "remind:<name>": checked, enqueued once (its key
      // is the occurrence's), audited.
      const submit::Place place{.cfg = cfg, .templates = &rt->templates, .redis = &redis};
      const submit::Asker asker{.actor = "remind:" + r.name, .source = "gateway", .every_ward = true};
      jobs::JobSpec spec = submit::reminder_job(r, o, cfg, t == rt->templates.end() ? nullptr : t->second.get());
      const bool own_dates = spec.on_date.has_value();
      const submit::Outcome out = submit::submit(place, asker, {.spec = std::move(spec), .again = true});
      using Verdict = submit::Outcome::Verdict;
      if (out.verdict == Verdict::unavailable) return std::unexpected(util::join(out.errors, "; "));
      if (out.verdict == Verdict::refused) {
        // A day no resident's own date falls on is nothing to send; any other refusal (a
        // template gone, a column dropped) is said in the log and the audit trail.
        const bool nobody = out.refusal == submit::Outcome::Refusal::empty && own_dates;
        if (!nobody) {
          spdlog::warn("reminder {}: occurrence {} not sent: {}", r.name, o.id(), util::loggable(util::join(out.errors, "; "), 300));
          auto entry = store::AuditStore(redis, ctx.fixed.redis_prefix)
                           .append({.actor = asker.actor, .source = asker.source, .action = "remind-refused",
                                    .summary = {{"occurrence", o.id()}, {"template", r.template_name}, {"errors", out.errors}}});
          if (!entry) return std::unexpected(entry.error());
        }
        if (auto h = reminders.handled(r.name, o.id(), "", nobody); !h) return std::unexpected(h.error());
        continue;
      }
      if (!out.audit_error.empty())
        spdlog::error("reminder {}: job {} was enqueued but not recorded in the audit trail: {}", r.name, out.id, out.audit_error);
      if (out.verdict == Verdict::enqueued) spdlog::info("reminder {}: occurrence {} enqueued as job {}", r.name, o.id(), out.id);
      if (auto h = reminders.handled(r.name, o.id(), out.id); !h) return std::unexpected(h.error());
      ctx.work.notify();
    }
  }
  return {};
}

}  // namespace

Reminders::Reminders(Context& ctx)
    : ctx_(ctx),
      // A table that cannot be read is said once, and the law's defaults serve meanwhile.
      tables_([](const std::vector<std::string>& errors) {
        for (const auto& e : errors)
          spdlog::error("reminders: {} (holiday-relative reminders use the law's defaults until it is mended)", e);
      }),
      loop_(ctx, "reminders", 1000, [this](store::Redis& r, bool) { return turn(r); }) {}

std::expected<void, std::string> Reminders::turn(store::Redis& redis) {
  if (auto ok = look(ctx_, redis, warned_, tables_); !ok) return ok;
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(kTickMs);
  while (!ctx_.stopping && std::chrono::steady_clock::now() < until) ctx_.work.wait(500);
  return {};
}

}  // namespace loa::daemon
