// The submission pipeline: every check of a send in one order, then the enqueue and the
// audit entry; and the outcome's JSON and words.
#include "core/submit/submission.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "core/jobs/planner.h"
#include "core/reports/words.h"
#include "core/store/audit_store.h"
#include "core/store/intake_store.h"
#include "core/store/optout_store.h"
#include "core/store/query_store.h"
#include "core/text/unicode.h"
#include "core/util/i18n.h"
#include "core/util/strings.h"
#include "core/util/time.h"
#include "core/wards/resident_list.h"

namespace loa::submit {

using nlohmann::json;
using Verdict = Outcome::Verdict;
using Refusal = Outcome::Refusal;

bool Asker::may_use(const std::string& ward) const {
  return every_ward || std::find(wards.begin(), wards.end(), ward) != wards.end() ||
         std::find(wards.begin(), wards.end(), "*") != wards.end();
}

std::expected<Request, std::string> parse_request(const std::string& text, std::string_view timezone) {
  Request r;
  // The two fields of a request that a stream job does not have are taken out first; the
  // rest is read exactly as the intake reads the stream.
  json j = json::parse(text.size() <= jobs::kMaxEntryBytes ? text : std::string(), nullptr, false);
  if (j.is_object()) {
    for (const char* flag : {"all_wards", "again"}) {
      auto it = j.find(flag);
      if (it == j.end()) continue;
      if (!it->is_boolean()) return std::unexpected(i18n::trf("\"{}\" must be true or false", flag));
      (std::string_view(flag) == "again" ? r.again : r.all_wards) = it->get<bool>();
      j.erase(it);
    }
    j.erase("by");
    if (r.all_wards) {
      if (j.contains("wards") && !j["wards"].is_null() && !(j["wards"].is_array() && j["wards"].empty()))
        return std::unexpected(i18n::tr("\"all_wards\" and \"wards\" exclude each other"));
      j["wards"] = json::array({"*"});  // a placeholder submit() replaces
    }
  }
  auto spec = jobs::parse_job_spec(j.is_discarded() ? text : j.dump(-1, ' ', false, json::error_handler_t::replace),
                                   timezone);
  if (!spec) return std::unexpected(spec.error());
  r.spec = std::move(*spec);
  if (r.all_wards) r.spec.wards.clear();
  return r;
}

json request_json(const Request& r) {
  json j = json::parse(jobs::to_json(r.spec));
  j.erase("by");
  if (r.all_wards) {
    j.erase("wards");
    j["all_wards"] = true;
  }
  if (r.again) j["again"] = true;
  return j;
}

std::optional<std::string> quiet_hours_note(const config::Config& cfg, bool urgent, std::int64_t now_ms) {
  if (urgent || !cfg.quiet_hours) return std::nullopt;
  const auto& q = *cfg.quiet_hours;
  if (!util::in_window(util::minute_of_day(now_ms, cfg.timezone), q.start_minute, q.end_minute)) return std::nullopt;
  return i18n::trf("quiet hours ({:02}:{:02}-{:02}:{:02}): it waits and goes at {:02}:{:02} (--urgent sends now)",
                   q.start_minute / 60, q.start_minute % 60, q.end_minute / 60, q.end_minute % 60, q.end_minute / 60,
                   q.end_minute % 60);
}

namespace {

Outcome refused(Refusal why, std::vector<std::string> errors) {
  Outcome o;
  o.verdict = Verdict::refused;
  o.refusal = why;
  o.errors = std::move(errors);
  return o;
}
Outcome unavailable(const std::string& why) {
  Outcome o;
  o.verdict = Verdict::unavailable;
  o.errors = {why};
  return o;
}

// "unknown X "name"; did you mean "Y"? (hint)".
std::string unknown(std::string_view what, const std::string& name, const std::vector<std::string>& known,
                    std::string_view hint) {
  std::string out = i18n::trf("unknown {} \"{}\"", what, util::loggable(name, 64));
  if (auto guess = util::did_you_mean(name, known)) out += i18n::trf("; did you mean \"{}\"?", *guess);
  if (!hint.empty()) out += fmt::format(" ({})", hint);
  return out;
}

// The khóm/ấp names of the wards' lists, by their folded form.
std::map<std::string, std::string> areas_of(const config::Config& cfg, const std::vector<std::string>& wards) {
  std::map<std::string, std::string> out;
  for (const auto& w : wards) {
    auto reader = wards::ResidentReader::open(wards::ward_path(cfg.wards_dir, w), cfg.carriers);
    if (!reader) continue;
    wards::Resident r;
    while ((*reader)->next(r))
      if (!r.area.empty()) out.emplace(text::fold_key(r.area), r.area);
  }
  return out;
}

// The names a person typed, each checked with a did-you-mean: the template and the wards
// (which must also be the asker's).
std::optional<Outcome> check_names(const Place& at, const Asker& asker, const jobs::JobSpec& spec) {
  std::vector<std::string> errors;
  std::vector<std::string> templates;
  if (at.templates)
    for (const auto& [name, _] : *at.templates) templates.push_back(name);
  else
    templates = jobs::template_names(at.cfg);
  if (config::valid_id(spec.template_name) &&
      std::find(templates.begin(), templates.end(), spec.template_name) == templates.end())
    errors.push_back(unknown(i18n::tr("template"), spec.template_name, templates, i18n::tr("loa templates lists them")));
  std::vector<std::string> known = jobs::ward_ids(at.cfg);
  for (const auto& [id, _] : at.cfg.wards) known.push_back(id);
  std::vector<std::string> mine;  // what a did-you-mean may suggest: never another's ward
  for (const auto& w : known)
    if (asker.may_use(w)) mine.push_back(w);
  for (const auto& w : spec.wards)
    if (config::valid_id(w) && std::find(known.begin(), known.end(), w) == known.end())
      errors.push_back(unknown(i18n::tr("ward"), w, mine, i18n::tr("wards: in the config names them")));
  if (!errors.empty()) return refused(Refusal::invalid, std::move(errors));
  for (const auto& w : spec.wards)
    if (!asker.may_use(w))
      return refused(Refusal::forbidden, {i18n::trf("account {} may not send to ward \"{}\"", asker.actor, w)});
  return std::nullopt;
}

// The --area values nobody lives in.
std::vector<std::string> check_areas(const Place& at, const jobs::Planner& plan) {
  std::vector<std::string> errors;
  const auto& spec = plan.spec();
  if (!spec.areas.empty()) {
    auto areas = areas_of(at.cfg, spec.wards);
    std::vector<std::string> names;
    for (const auto& [_, shown] : areas) names.push_back(shown);
    for (const auto& a : spec.areas)
      if (!areas.count(text::fold_key(a)))
        errors.push_back(i18n::trf("--area \"{}\" matches nobody in {}; the areas there are: {}", a,
                                   util::join(spec.wards, ", "),
                                   names.empty() ? i18n::tr("none (the lists have no khom/ap column)")
                                                 : util::join(names, ", ")));
  }
  return errors;
}

// The opted-out numbers (international digits); nullopt with `why` when Redis cannot say.
std::optional<std::set<std::string>> opted_out(const Place& at, std::string& why) {
  if (!at.redis) {
    why = at.redis_unavailable;
    return std::nullopt;
  }
  auto list = store::OptoutStore(*at.redis, at.cfg.redis.prefix).list();
  if (!list) {
    why = list.error();
    return std::nullopt;
  }
  std::set<std::string> out;
  for (const auto& [digits, _] : *list) out.insert(digits);
  return out;
}

// The content refusals of a walked plan: messages over the segment limit, nobody to send to.
std::optional<Outcome> check_content(const jobs::PlanWalk& w, const text::MessageTemplate& t) {
  if (w.totals.too_long > 0) {
    std::vector<std::string> errors;
    for (const auto& m : w.too_long)
      errors.push_back(i18n::trf("ward {} row {}: {}", m.ward, m.row, reports::reason_for_people(m.fail_reason)));
    errors.push_back(i18n::trf("{} message(s) over max_segments {} of template \"{}\"; nothing was enqueued",
                               w.totals.too_long, t.max_segments(), t.name()));
    return refused(Refusal::too_long, std::move(errors));
  }
  if (w.totals.messages == 0)
    return refused(Refusal::empty, {i18n::trf("no resident would get a message (all {} row(s) skipped or filtered out)",
                                              w.totals.rows)});
  return std::nullopt;
}

}  // namespace

Outcome submit(const Place& at, const Asker& asker, Request r) {
  const config::Config& cfg = at.cfg;
  jobs::JobSpec& spec = r.spec;
  spec.by = asker.actor;
  if (r.all_wards) {
    spec.wards.clear();
    for (const auto& w : jobs::configured_wards(cfg))
      if (asker.may_use(w)) spec.wards.push_back(w);
    if (spec.wards.empty())
      return refused(Refusal::invalid, {i18n::trf("--all-wards: no ward under wards: in the config is open to {}",
                                                  asker.actor)});
  }
  if (auto why = jobs::check_bounds(spec)) return refused(Refusal::invalid, {*why});
  if (spec.at_ms && *spec.at_ms < util::now_ms() - 60000)
    return refused(Refusal::invalid,
                   {i18n::trf("--at {} is in the past", reports::time_for_people(*spec.at_ms, cfg.timezone))});
  if (auto bad = check_names(at, asker, spec)) return std::move(*bad);
  auto plan = jobs::Planner::create(cfg, spec, at.templates);
  if (!plan) return refused(Refusal::invalid, plan.error());
  if (auto errors = check_areas(at, *plan); !errors.empty()) return refused(Refusal::invalid, std::move(errors));

  Outcome o;
  o.wards = spec.wards;
  for (const auto& w : spec.wards)
    if (!cfg.wards.count(w))
      o.warnings.push_back(i18n::trf("warning: ward \"{}\" has no display name under wards: in the config; messages "
                                     "will call it \"{}\"",
                                     w, w));
  std::string why_not;
  auto opted = opted_out(at, why_not);
  if (!opted) {
    if (r.mode != Mode::preview) return unavailable(why_not);
    o.warnings.push_back(i18n::trf("note: opt-outs not checked: {}", why_not));
  }
  auto w = jobs::walk(*plan, opted.value_or(std::set<std::string>{}), r.mode == Mode::preview ? r.limit : 0, cfg.pricing);
  if (!w) return refused(Refusal::invalid, {w.error()});
  o.preview = jobs::preview_json(*w, plan->message_template(), cfg.pricing);
  if (r.mode != Mode::preview)
    if (auto bad = check_content(*w, plan->message_template())) {
      bad->preview = std::move(o.preview);
      return std::move(*bad);
    }

  // What will happen: approval, its --at, quiet hours at the time it would go.
  std::optional<std::int64_t> counted;
  if (cfg.approval.over_recipients) counted = w->totals.messages;
  if (auto held = jobs::approval_reason(cfg, spec, counted)) {
    std::vector<std::string> words;
    for (auto part : util::split(*held, ";"))
      words.push_back(i18n::tr_stored(std::string(util::trimmed(part)),
                                      {jobs::kHeldUrgent, jobs::kHeldEveryWard, jobs::kHeldOverRecipients}));
    o.approval = util::join(words, "; ");
  }
  const std::int64_t now = util::now_ms();
  if (spec.at_ms) {
    o.at_ms = spec.at_ms;
    o.at_local = reports::time_for_people(*spec.at_ms, cfg.timezone);
  }
  o.quiet_hours = quiet_hours_note(cfg, spec.urgent, std::max(now, spec.at_ms.value_or(0)));

  if (!at.redis) return o;  // a preview without Redis: nothing more to ask
  store::IntakeStore intake(*at.redis, cfg.redis.prefix);
  // The same announcement twice within a day is a mistake unless said otherwise (a repeat
  // with the same key is the key's business: it answers the first job).
  const std::string print = jobs::fingerprint(spec);
  if (r.mode != Mode::preview && !spec.key && !r.again) {
    auto earlier = intake.recent(print);
    if (!earlier) return unavailable(earlier.error());
    if (*earlier) {
      auto bad = refused(Refusal::repeat,
                         {i18n::trf("the same announcement (template \"{}\", the same variables and wards) went out as "
                                    "job {} less than 24 hours ago; nothing enqueued (--again sends it once more)",
                                    spec.template_name, **earlier)});
      bad.id = **earlier;
      return bad;
    }
  }
  auto idle = store::QueryStore(*at.redis, cfg.redis.prefix).gateway_idle_ms();
  if (!idle) return unavailable(idle.error());
  if (!*idle) o.gateway_idle_ms = -1;
  else if (**idle > 10000) o.gateway_idle_ms = **idle;
  if (r.mode != Mode::send) return o;

  auto made = intake.enqueue(spec);
  if (!made) return unavailable(made.error());
  if (made->conflict)
    return refused(Refusal::key_conflict,
                   {i18n::trf("key \"{}\" was already used for a different announcement: nothing enqueued",
                              spec.key.value_or(""))});
  o.id = made->id;
  o.key = spec.key.value_or("");
  if (!made->created) {
    o.verdict = Verdict::key_repeat;
    return o;
  }
  o.verdict = Verdict::enqueued;
  if (auto remembered = intake.remember(print, made->id); !remembered)
    o.warnings.push_back(
        i18n::trf("warning: {} (a repeat within 24 hours will not be caught)", remembered.error()));
  auto entry = store::AuditStore(*at.redis, cfg.redis.prefix)
                   .append({.actor = asker.actor, .source = asker.source, .action = "send", .job = made->id,
                            .summary = jobs::send_summary(spec, *w, cfg.pricing)});
  if (!entry) o.audit_error = entry.error();
  return o;
}

}  // namespace loa::submit
