// What a job waits for, from its state, the config and Redis.
#include "core/submit/explain.h"

#include <algorithm>

#include "core/jobs/planner.h"
#include "core/reports/words.h"
#include "core/util/i18n.h"
#include "core/util/strings.h"
#include "core/util/time.h"

namespace loa::submit {

using nlohmann::json;

namespace {

json waiting(const char* what, std::optional<std::int64_t> until, const std::string& text) {
  return {{"for", what}, {"until", until ? json(*until) : json(nullptr)}, {"text", text}};
}

// The next time the clock in the config's zone shows `minute` (after midnight).
std::int64_t next_minute(const config::Config& cfg, int minute, std::int64_t now) {
  const int at = util::minute_of_day(now, cfg.timezone);
  const int ahead = ((minute - at) % 1440 + 1440) % 1440;
  return now - now % 60000 + static_cast<std::int64_t>(ahead) * 60000;
}

// What the pipeline counts of the job now (a preview as an admin would see it), for the approver.
json asked_of(const Place& at, const store::JobStatus& st) {
  auto spec = jobs::parse_job_spec(st.spec_json, at.cfg.timezone);
  if (!spec) return json::object();
  const Outcome o = submit(at, {.actor = spec->by.value_or("?"), .every_ward = true},
                           {.spec = *spec, .again = true, .mode = Mode::preview, .limit = 1});
  json wards = json::array();
  for (const auto& w : spec->wards) {
    auto named = at.cfg.wards.find(w);
    wards.push_back({{"id", w}, {"name", named != at.cfg.wards.end() ? named->second.name : w}});
  }
  json out{{"vars", spec->vars}, {"wards", wards}};
  const json& p = o.preview;
  if (p.is_object() && p.contains("messages") && p["messages"].is_array() && !p["messages"].empty() &&
      p["messages"][0].is_object())
    out["text"] = p["messages"][0].value("text", "");
  if (p.is_object() && p.contains("totals") && p["totals"].is_object()) {
    const json& t = p["totals"];
    out["recipients"] = t.value("messages", 0);
    out["segments"] = t.value("segments", 0);
    out["cost"] = t.contains("cost") && t["cost"].is_object() ? t["cost"].value("amount", json(nullptr)) : json(nullptr);
    out["currency"] = at.cfg.pricing.currency;
  }
  if (!o.errors.empty()) out["errors"] = o.errors;
  return out;
}

}  // namespace

void explain(const Place& at, store::JobStatus& st, bool asked, std::int64_t now) {
  const config::Config& cfg = at.cfg;
  if (!st.state) return;
  using enum jobs::JobState;
  switch (*st.state) {
    case submitted: {
      std::string since;
      if (at.redis)
        if (auto idle = store::QueryStore(*at.redis, cfg.redis.prefix).gateway_idle_ms(); idle)
          since = *idle ? i18n::trf(" (none has read the queue for {} s: is loa-gatewayd running?)", **idle / 1000)
                        : i18n::tr(" (none has ever read the queue: is loa-gatewayd running?)");
      st.details["waiting"] = waiting("gateway", std::nullopt, i18n::tr("for a gateway to take it") + since);
      return;
    }
    case awaiting_approval: {
      std::vector<std::string> why;
      for (auto part : util::split(st.reason, ";"))
        why.push_back(i18n::tr_stored(std::string(util::trimmed(part)),
                                      {jobs::kHeldUrgent, jobs::kHeldEveryWard, jobs::kHeldOverRecipients}));
      const std::string because = util::join(why, "; ");
      st.details["waiting"] =
          waiting("approval", std::nullopt,
                  st.by.empty() ? i18n::trf("for approval ({}) by an approver or admin", because)
                                : i18n::trf("for approval ({}) by an approver or admin other than {}", because, st.by));
      if (asked) st.details["asked"] = asked_of(at, st);
      return;
    }
    case scheduled:
      st.details["waiting"] =
          waiting("at", st.due_ms, i18n::trf("scheduled for {}", reports::time_for_people(st.due_ms, cfg.timezone)));
      return;
    case queued:
    case expanding:
    case sending: {
      if (st.urgent || !cfg.quiet_hours) return;
      const auto& q = *cfg.quiet_hours;
      if (!util::in_window(util::minute_of_day(now, cfg.timezone), q.start_minute, q.end_minute)) return;
      st.details["waiting"] = waiting(
          "quiet_hours", next_minute(cfg, q.end_minute, now),
          i18n::trf("quiet hours ({:02}:{:02}-{:02}:{:02}): its messages wait until {:02}:{:02}", q.start_minute / 60,
                    q.start_minute % 60, q.end_minute / 60, q.end_minute % 60, q.end_minute / 60, q.end_minute % 60));
      return;
    }
    case done:
    case cancelled:
    case rejected: return;
  }
}

}  // namespace loa::submit
