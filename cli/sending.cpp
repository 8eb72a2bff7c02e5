// The sending commands: send, preview, templates.
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/api_client.h"
#include "cli/sending.h"
#include "cli/session.h"
#include "cli/words.h"
#include "core/jobs/planner.h"
#include "core/text/unicode.h"
#include "core/util/encoding.h"
#include "core/util/i18n.h"
#include "core/wards/resident_list.h"
#include "core/util/log.h"
#include "core/util/strings.h"
#include "core/util/time.h"

namespace loa::cli {

using nlohmann::json;

void add_selectors(CLI::App* cmd, Selectors& s) {
  cmd->add_option("--template", s.template_name, i18n::tr("message template (<templates_dir>/NAME.yaml)"))
      ->required()
      ->type_name("NAME");
  auto* ward = cmd->add_option("--ward", s.wards, i18n::tr("ward(s) whose residents get the message (repeatable)"))
                   ->delimiter(',')
                   ->type_name("ID[,ID...]");
  auto* all = cmd->add_flag("--all-wards", s.all_wards, i18n::tr("every ward the config names under wards:"));
  ward->excludes(all);
  cmd->add_option("--var", s.vars, i18n::tr("a template variable (repeatable)"))->type_name("KEY=VALUE");
  cmd->add_option("--area", s.areas, i18n::tr("only residents of this area, the list's khom/ap column (repeatable)"))->type_name("KHOM_AP");
  cmd->add_option("--tag", s.tags, i18n::tr("only residents with this tag (repeatable)"))->type_name("NHOM");
}

// The job the selectors describe; nullopt after printing what is wrong.
std::optional<jobs::JobSpec> spec_of(const Selectors& sel, const config::Config& cfg) {
  jobs::JobSpec spec;
  spec.template_name = sel.template_name;
  for (const auto& w : sel.wards)
    if (!w.empty()) spec.wards.push_back(w);
  for (const auto& v : sel.vars) {
    auto eq = v.find('=');
    if (eq == std::string::npos || eq == 0) {
      fail(kUsage, i18n::trf("--var takes KEY=VALUE, got \"{}\"", v));
      return std::nullopt;
    }
    spec.vars[v.substr(0, eq)] = v.substr(eq + 1);
  }
  spec.areas = sel.areas;
  spec.tags = sel.tags;
  if (sel.all_wards) {
    spec.wards = jobs::configured_wards(cfg);
    if (spec.wards.empty()) {
      fail(kUsage, i18n::trf("--all-wards: the config names no wards (wards: in {})", cfg.path));
      return std::nullopt;
    }
  }
  if (spec.wards.empty()) {
    fail(kUsage, i18n::tr("--ward ID or --all-wards is required"));
    return std::nullopt;
  }
  for (const auto& w : spec.wards)
    if (!cfg.wards.count(w))
      std::fprintf(stderr, "loa: %s\n",
                   i18n::trf("warning: ward \"{}\" has no display name under wards: in {}; messages will call it \"{}\"",
                             w, cfg.path, w)
                       .c_str());
  return spec;
}

// "unknown X "name"" with a did-you-mean when one is close.
static std::string unknown(std::string_view what, const std::string& name, const std::vector<std::string>& known,
                    std::string_view listed_by) {
  std::string out = i18n::trf("unknown {} \"{}\"", what, name);
  if (auto guess = util::did_you_mean(name, known)) out += i18n::trf("; did you mean \"{}\"?", *guess);
  if (!listed_by.empty()) out += fmt::format(" ({})", listed_by);
  return out;
}

// The khóm/ấp names of the wards' lists, by their folded form.
static std::map<std::string, std::string> areas_of(const config::Config& cfg, const std::vector<std::string>& wards) {
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

// The validated plan of a job; nullopt after printing why not. Names a person typed are
// checked first, each with a did-you-mean: the template, the wards, the --var names and
// the --area values.
std::optional<jobs::Planner> plan_of(const jobs::JobSpec& spec, const config::Config& cfg) {
  if (auto why = jobs::check_bounds(spec)) {
    fail(kUsage, *why);
    return std::nullopt;
  }
  std::vector<std::string> errors;
  const auto templates = jobs::template_names(cfg);
  if (config::valid_id(spec.template_name) &&
      std::find(templates.begin(), templates.end(), spec.template_name) == templates.end())
    errors.push_back(unknown(i18n::tr("template"), spec.template_name, templates, i18n::tr("loa templates lists them")));
  std::vector<std::string> known_wards = jobs::ward_ids(cfg);
  for (const auto& [id, _] : cfg.wards) known_wards.push_back(id);
  for (const auto& w : spec.wards)
    if (config::valid_id(w) && std::find(known_wards.begin(), known_wards.end(), w) == known_wards.end())
      errors.push_back(unknown(i18n::tr("ward"), w, known_wards, i18n::tr("wards: in the config names them")));
  if (!errors.empty()) {
    fail_all(errors);
    return std::nullopt;
  }
  auto plan = jobs::Planner::create(cfg, spec);
  if (!plan) {
    fail_all(plan.error());
    return std::nullopt;
  }
  const auto& t = plan->message_template();
  std::vector<std::string> usable(t.variables().begin(), t.variables().end());
  for (const auto& n : t.names()) usable.push_back(n);
  for (const auto& [k, _] : spec.vars)
    if (std::find(usable.begin(), usable.end(), k) == usable.end())
      errors.push_back(unknown("--var", k, usable,
                               i18n::trf("template \"{}\" takes: {}", t.name(),
                                         t.variables().empty() ? i18n::tr("none") : util::join(t.variables(), ", "))));
  if (!spec.areas.empty()) {
    auto areas = areas_of(cfg, spec.wards);
    std::vector<std::string> names;
    for (const auto& [_, shown] : areas) names.push_back(shown);
    for (const auto& a : spec.areas)
      if (!areas.count(text::fold_key(a)))
        errors.push_back(i18n::trf("--area \"{}\" matches nobody in {}; the areas there are: {}", a,
                                   util::join(spec.wards, ", "),
                                   names.empty() ? i18n::tr("none (the lists have no khom/ap column)") : util::join(names, ", ")));
  }
  if (!errors.empty()) {
    fail_all(errors);
    return std::nullopt;
  }
  return std::move(*plan);
}

namespace {

// A walk over every planned message: totals, the first `limit` messages, every skipped row,
// the first 20 over the segment limit.
// The opted-out numbers; without Redis, `required` makes it an error, else a note.
std::expected<std::set<std::string>, std::string> opted_out(Session& s, bool required) {
  std::set<std::string> out;
  auto b = s.try_backend();
  if (!b) {
    if (required) return std::unexpected(b.error());
    std::fprintf(stderr, "loa: %s\n", i18n::trf("note: opt-outs not checked: {}", b.error()).c_str());
    return out;
  }
  auto list = (*b)->optouts();
  if (!list) {
    if (required) return std::unexpected(list.error());
    return out;
  }
  for (const auto& [digits, _] : *list) out.insert(digits);
  return out;
}

// A whole number of a JSON object, 0 when absent or not one (the server's answers, read
// without trusting their shape).
long long num(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<long long>() : 0;
}
std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// "about 12.345 VND" from a preview's totals (or "not estimated" when the config has no
// pricing, so the totals carry no cost).
std::string cost_text(const json& totals) {
  auto cost = totals.find("cost");
  if (cost == totals.end() || !cost->is_object()) return i18n::tr("cost not estimated (no pricing: in the config)");
  std::string digits = std::to_string(num(*cost, "amount")), grouped;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) grouped += '.';
    grouped += digits[i];
  }
  return i18n::trf("about {} {}", grouped, str(*cost, "currency"));
}

// The totals line of a preview (preview_json's shape, made here or by the API).
void print_totals(const json& preview) {
  const json& t = preview.contains("totals") && preview["totals"].is_object() ? preview["totals"] : json::object();
  std::printf("%s%s\n",
              i18n::trf("{} row(s): {} message(s), {} skipped; {} segment(s) in all, {}; encoding {}", num(t, "rows"),
                        num(t, "messages"), num(t, "skipped"), num(t, "segments"), cost_text(t),
                        str(preview, "encoding") == "ascii" ? i18n::tr("ascii (no diacritics)") : "unicode")
                  .c_str(),
              num(t, "ucs2") ? i18n::trf(", {} message(s) need UCS-2", num(t, "ucs2")).c_str() : "");
}

long long total(const json& preview, const char* key) {
  return preview.contains("totals") && preview["totals"].is_object() ? num(preview["totals"], key) : 0;
}

// What identifies "the same announcement" for --again: template, variables, wards and filters.

// When the job will go, said at send time: its --at, or the end of quiet hours.
std::string when_it_goes(const jobs::JobSpec& spec, const config::Config& cfg) {
  if (spec.at_ms)
    return i18n::trf("scheduled: it goes at {}", time_for_people(*spec.at_ms, cfg.timezone));
  return quiet_hours_note(cfg, spec.urgent);
}

// Asks on the terminal; true for yes.
bool confirmed(const std::string& question) {
  std::fprintf(stderr, "%s %s ", question.c_str(), i18n::tr("[y/N]"));
  std::fflush(stderr);
  std::string answer;
  if (!std::getline(std::cin, answer)) return false;
  auto a = text::fold_key(answer);
  return a == "y" || a == "yes" || a == "c" || a == "co";
}

int refuse_too_long(const jobs::PlanWalk& w, const text::MessageTemplate& t) {
  for (const auto& m : w.too_long) fail(kUsage, i18n::trf("ward {} row {}: {}", m.ward, m.row, reason_for_people(m.fail_reason)));
  return fail(kUsage, i18n::trf("{} message(s) over max_segments {} of template \"{}\"; nothing was enqueued",
                                  w.totals.too_long, t.max_segments(), t.name()));
}

// The errors of an API answer, each on its line; 2 when the server refused (4xx), else 1.
int fail_answer(const ApiAnswer& a) {
  for (const auto& e : a.errors()) fail(kUsage, e);
  return a.status >= 400 && a.status < 500 ? kUsage : kRuntime;
}

// The JSON of an API answer that must be one; nullopt after saying why not.
std::optional<json> answer_json(const std::expected<ApiAnswer, std::string>& a, int& code) {
  if (!a) {
    code = fail(kRuntime, a.error());
    return std::nullopt;
  }
  if (!a->ok()) {
    code = fail_answer(*a);
    return std::nullopt;
  }
  auto j = json::parse(a->body, nullptr, false);
  if (j.is_discarded()) {
    code = fail(kRuntime, i18n::tr("the server's answer is not JSON"));
    return std::nullopt;
  }
  return j;
}

// The job the selectors describe, as the API takes it; nullopt after saying what is wrong.
// --all-wards means the wards the account may use; --at goes as typed, read in the
// server's time zone as `loa` on the gateway would.
std::optional<json> remote_job(ApiClient& api, const Selectors& sel, const std::string* at, bool urgent,
                               const std::string* key, int& code) {
  json j{{"template", sel.template_name}, {"vars", json::object()}, {"areas", sel.areas}, {"tags", sel.tags}};
  std::vector<std::string> wards;
  for (const auto& w : sel.wards)
    if (!w.empty()) wards.push_back(w);
  if (sel.all_wards) {
    auto mine = answer_json(api.call("GET", "wards"), code);
    if (!mine) return std::nullopt;
    if (mine->is_array())
      for (const auto& w : *mine)
        if (w.is_object() && !str(w, "id").empty()) wards.push_back(str(w, "id"));
    if (wards.empty()) {
      code = fail(kUsage, i18n::tr("--all-wards: the account may use no ward"));
      return std::nullopt;
    }
  }
  if (wards.empty()) {
    code = fail(kUsage, i18n::tr("--ward ID or --all-wards is required"));
    return std::nullopt;
  }
  j["wards"] = wards;
  for (const auto& v : sel.vars) {
    auto eq = v.find('=');
    if (eq == std::string::npos || eq == 0) {
      code = fail(kUsage, i18n::trf("--var takes KEY=VALUE, got \"{}\"", v));
      return std::nullopt;
    }
    j["vars"][v.substr(0, eq)] = v.substr(eq + 1);
  }
  if (at) j["at"] = *at;
  if (urgent) j["urgent"] = true;
  if (key) j["key"] = *key;
  return j;
}

void print_preview(const json& p);

struct SendOptions {
  Selectors sel;
  std::string at, key;
  bool urgent = false, dry_run = false, yes = false, again = false;
};

int remote_send(Session& s, const SendOptions& o, const CLI::App& cmd) {
  ApiClient* api = s.api();
  if (!api) return kUsage;
  if (cmd.count("--key") && o.key.empty()) return fail(kUsage, i18n::tr("--key must not be empty"));
  int code = kOk;
  auto job = remote_job(*api, o.sel, cmd.count("--at") ? &o.at : nullptr, o.urgent, cmd.count("--key") ? &o.key : nullptr,
                        code);
  if (!job) return code;
  const std::string body = job->dump(-1, ' ', false, json::error_handler_t::replace);
  // The server checks and counts it as it would enqueue it: the same totals as on the gateway.
  auto preview = answer_json(api->call("POST", "preview?limit=1", body), code);
  if (!preview) return code;
  if (total(*preview, "over_limit"))
    return fail(kUsage, i18n::trf("{} message(s) over max_segments {} of template \"{}\"; nothing was enqueued",
                                  total(*preview, "over_limit"), num(*preview, "max_segments"), o.sel.template_name));
  if (total(*preview, "messages") == 0)
    return fail(kUsage, i18n::trf("no resident would get a message (all {} row(s) skipped or filtered out)",
                                  total(*preview, "rows")));
  print_totals(*preview);
  if (cmd.count("--at")) std::printf("%s\n", i18n::trf("scheduled: it goes at {}", o.at).c_str());
  if (o.dry_run) {
    std::printf("%s\n", i18n::tr("dry run: nothing enqueued"));
    return kOk;
  }
  if (!o.yes && ::isatty(STDIN_FILENO) && ::isatty(STDERR_FILENO) &&
      !confirmed(i18n::trf("Send {} message(s), {} segment(s), {}, to {}?", total(*preview, "messages"),
                           total(*preview, "segments"), cost_text((*preview)["totals"]),
                           util::join((*job)["wards"].get<std::vector<std::string>>(), ", "))))
    return fail(kUsage, i18n::tr("not confirmed: nothing enqueued"));
  auto made = api->call("POST", o.again ? "jobs?again=true" : "jobs", body);
  if (!made) return fail(kRuntime, made.error());
  if (made->status == 409) {
    fail_answer(*made);
    if (o.key.empty()) std::fprintf(stderr, "loa: %s\n", i18n::tr("nothing enqueued (--again sends it once more)"));
    return kUsage;
  }
  auto answer = answer_json(made, code);
  if (!answer) return code;
  if (auto repeat = answer->find("repeat"); repeat != answer->end() && *repeat == true)
    std::printf("%s\n", i18n::trf("key \"{}\" was already used: nothing enqueued; the first job is:", o.key).c_str());
  if (auto audit = str(*answer, "audit"); !audit.empty())
    std::fprintf(stderr, "loa: %s\n", i18n::trf("warning: the server's audit trail: {}", audit).c_str());
  std::printf("%s\n", str(*answer, "id").c_str());
  return kOk;
}

int send(Session& s, const SendOptions& o, const CLI::App& cmd) {
  if (s.remote()) return remote_send(s, o, cmd);
  const config::Config* cfg = s.config();
  if (!cfg) return kUsage;
  auto spec = spec_of(o.sel, *cfg);
  if (!spec) return kUsage;
  spec->urgent = o.urgent;
  spec->by = local_actor();
  if (cmd.count("--key")) {
    if (o.key.empty()) return fail(kUsage, i18n::tr("--key must not be empty"));
    spec->key = o.key;
  }
  if (cmd.count("--at")) {
    auto at = util::parse_time(o.at, cfg->timezone);
    if (!at) return fail(kUsage, "--at: " + at.error());
    if (*at < util::now_ms() - 60000) return fail(kUsage, i18n::trf("--at {} is in the past", o.at));
    spec->at_ms = *at;
  }
  auto plan = plan_of(*spec, *cfg);
  if (!plan) return kUsage;
  auto opted = opted_out(s, !o.dry_run);
  if (!opted) return fail(kRuntime, opted.error());
  auto w = jobs::walk(*plan, *opted, 0, cfg->pricing);
  if (!w) return fail(kUsage, w.error());
  if (w->totals.too_long) return refuse_too_long(*w, plan->message_template());
  if (w->totals.messages == 0)
    return fail(kUsage, i18n::trf("no resident would get a message (all {} row(s) skipped or filtered out)", w->totals.rows));
  const json shown = jobs::preview_json(*w, plan->message_template(), cfg->pricing);
  print_totals(shown);
  const std::string when = when_it_goes(*spec, *cfg);
  if (!when.empty()) std::printf("%s\n", when.c_str());
  if (o.dry_run) {
    std::printf("%s\n", i18n::tr("dry run: nothing enqueued"));
    return kOk;
  }
  Backend* b = s.backend();
  if (!b) return s.unavailable();
  // The same announcement twice within a day is a mistake unless said otherwise (a repeat
  // with the same --key is the key's business: it prints the first job).
  const std::string print = jobs::fingerprint(*spec);
  if (!spec->key && !o.again) {
    auto earlier = b->recent(print);
    if (!earlier) return fail(kRuntime, earlier.error());
    if (*earlier)
      return fail(kUsage, i18n::trf("the same announcement (template \"{}\", the same variables and wards) went out as "
                                    "job {} less than 24 hours ago; nothing enqueued (--again sends it once more)",
                                    spec->template_name, **earlier));
  }
  if (!o.yes && ::isatty(STDIN_FILENO) && ::isatty(STDERR_FILENO) &&
      !confirmed(i18n::trf("Send {} message(s), {} segment(s), {}, to {}?", w->totals.messages, w->totals.segments,
                           cost_text(shown["totals"]), util::join(spec->wards, ", "))))
    return fail(kUsage, i18n::tr("not confirmed: nothing enqueued"));
  auto r = b->enqueue(*spec);
  if (!r) return fail(kRuntime, r.error());
  if (r->conflict)
    return fail(kUsage, i18n::trf("key \"{}\" was already used for a different announcement: nothing enqueued",
                                  spec->key.value_or("")));
  if (!r->created) std::printf("%s\n", i18n::trf("key \"{}\" was already used: nothing enqueued; the first job is:", *spec->key).c_str());
  else if (auto remembered = b->remember(print, r->id); !remembered)
    std::fprintf(stderr, "loa: %s\n",
                 i18n::trf("warning: {} (a repeat within 24 hours will not be caught)", remembered.error()).c_str());
  if (auto idle = b->gateway_idle_ms(); idle && (!*idle || **idle > 10000))
    std::fprintf(stderr, "loa: %s\n",
                 (*idle ? i18n::trf("warning: no gateway has read the job queue for {} s (is loa-gatewayd running?); "
                                    "the job waits in the queue until one does",
                                    **idle / 1000)
                        : std::string(i18n::tr("warning: no gateway has read the job queue yet (is loa-gatewayd running?); "
                                               "the job waits in the queue until one does")))
                     .c_str());
  std::printf("%s\n", r->id.c_str());
  if (!r->created) return kOk;
  return s.audited(kOk, "send", r->id, jobs::send_summary(*spec, *w, cfg->pricing));
}

struct PreviewOptions {
  Selectors sel;
  int limit = 10;
  bool json = false;
};

void print_preview(const json& p) {
  std::printf("%s\n\n", i18n::trf("Template {}: {}", str(p, "template"), str(p, "description")).c_str());
  long long shown = 0;
  for (const auto& m : p.value("messages", json::array())) {
    if (!m.is_object()) continue;
    ++shown;
    const std::string error = str(m, "error");
    std::printf("%s%s\n  %s\n\n",
                i18n::trf("[{} row {}] {} {} - {}, {} segment(s)", str(m, "ward"), num(m, "row"), str(m, "name"),
                          str(m, "phone"), str(m, "encoding"), num(m, "segments"))
                    .c_str(),
                error.empty() ? "" : (" — " + reason_for_people(error)).c_str(), str(m, "text").c_str());
  }
  if (total(p, "messages") > shown) std::printf("%s\n\n", i18n::trf("... and {} more message(s)", total(p, "messages") - shown).c_str());
  const json skipped = p.value("skipped", json::array());
  if (skipped.is_array() && !skipped.empty()) {
    std::printf("%s\n", i18n::tr("Skipped rows:"));
    for (const auto& m : skipped) {
      if (!m.is_object()) continue;
      const std::string name = str(m, "name");
      std::printf("  %s\n", i18n::trf("{} row {} ({}): {}", str(m, "ward"), num(m, "row"), name.empty() ? i18n::tr("no name") : name,
                                     reason_for_people(str(m, "reason")))
                                 .c_str());
    }
    std::printf("\n");
  }
  print_totals(p);
  if (total(p, "over_limit"))
    std::printf("%s\n", i18n::trf("{} message(s) over max_segments {}: loa send will refuse this", total(p, "over_limit"),
                                   num(p, "max_segments"))
                             .c_str());
}

int preview(Session& s, const PreviewOptions& o) {
  json shown;
  if (s.remote()) {
    ApiClient* api = s.api();
    if (!api) return kUsage;
    int code = kOk;
    auto job = remote_job(*api, o.sel, nullptr, false, nullptr, code);
    if (!job) return code;
    // The API shows at most 100 messages (and at least 1).
    auto p = answer_json(api->call("POST", fmt::format("preview?limit={}", std::clamp(o.limit, 1, 100)),
                                   job->dump(-1, ' ', false, json::error_handler_t::replace)),
                         code);
    if (!p) return code;
    if (!p->is_object()) return fail(kRuntime, i18n::tr("the server's answer is not the JSON object expected"));
    shown = std::move(*p);
  } else {
    const config::Config* cfg = s.config();
    if (!cfg) return kUsage;
    auto spec = spec_of(o.sel, *cfg);
    if (!spec) return kUsage;
    auto plan = plan_of(*spec, *cfg);
    if (!plan) return kUsage;
    auto w = jobs::walk(*plan, opted_out(s, false).value_or(std::set<std::string>{}), o.limit, cfg->pricing);
    if (!w) return fail(kUsage, w.error());
    shown = jobs::preview_json(*w, plan->message_template(), cfg->pricing);
  }
  if (o.json) {
    std::printf("%s\n", shown.dump(2, ' ', false, json::error_handler_t::replace).c_str());
    return kOk;
  }
  print_preview(shown);
  return kOk;
}

int templates(Session& s, bool as_json) {
  json out = json::array();
  if (s.remote()) {
    ApiClient* api = s.api();
    if (!api) return kUsage;
    int code = kOk;
    auto list = answer_json(api->call("GET", "templates"), code);
    if (!list) return code;
    if (!list->is_array()) return fail(kRuntime, i18n::tr("the server's answer is not the JSON list expected"));
    out = std::move(*list);
  } else {
    const config::Config* cfg = s.config();
    if (!cfg) return kUsage;
    auto loaded = jobs::load_templates(*cfg);
    if (!loaded) return fail_all(loaded.error());
    for (const auto& [name, t] : *loaded)
      out.push_back({{"name", name}, {"description", t->description()}, {"variables", t->variables()},
                     {"encoding", t->encoding() == text::Encoding::Ascii ? "ascii" : "unicode"},
                     {"max_segments", t->max_segments()}});
  }
  if (as_json) {
    std::printf("%s\n", out.dump(2, ' ', false, json::error_handler_t::replace).c_str());
    return kOk;
  }
  for (const auto& t : out) {
    if (!t.is_object()) continue;
    std::vector<std::string> variables;
    for (const auto& v : t.value("variables", json::array()))
      if (v.is_string()) variables.push_back(v.get<std::string>());
    std::printf("%-22s %s\n", str(t, "name").c_str(), str(t, "description").c_str());
    std::printf("%-22s %s\n", "",
                i18n::trf("variables: {}; {}, at most {} segment(s)",
                          variables.empty() ? i18n::tr("none") : util::join(variables, ", "), str(t, "encoding"),
                          num(t, "max_segments"))
                    .c_str());
  }
  return kOk;
}

}  // namespace

void add_sending_commands(CLI::App& app, Session& s, int& exit_code) {
  auto* send_cmd = app.add_subcommand("send", i18n::tr("validate an announcement and enqueue it"));
  send_cmd->footer(
      i18n::tr("Validates the announcement (template, variables, wards, segment limit), then enqueues it and prints the "
      "job id on the last line."));
  auto so = std::make_shared<SendOptions>();
  add_selectors(send_cmd, so->sel);
  send_cmd->add_option("--at", so->at, i18n::tr("send later: \"DD/MM/YYYY HH:MM\" or \"YYYY-MM-DD HH:MM\" (config timezone), or ISO 8601"))
      ->type_name("WHEN");
  send_cmd->add_flag("--yes,-y", so->yes, i18n::tr("do not ask for confirmation on a terminal (scripts, cron)"));
  send_cmd->add_flag("--again", so->again, i18n::tr("send even if the same announcement went out in the last 24 hours"));
  send_cmd->add_flag("--urgent", so->urgent, i18n::tr("ahead of bulk work, and through quiet hours"));
  send_cmd->add_option("--key", so->key, i18n::tr("idempotency key: a repeat enqueues nothing, prints the first id"));
  send_cmd->add_flag("--dry-run", so->dry_run, i18n::tr("check everything, enqueue nothing"));
  send_cmd->callback([&s, &exit_code, so, send_cmd] { exit_code = send(s, *so, *send_cmd); });

  auto* preview_cmd = app.add_subcommand("preview", i18n::tr("render the messages an announcement would send, with skipped rows"));
  preview_cmd->footer(
      i18n::tr("Renders the messages (first N) with encoding and segments, then every skipped row with its reason, and "
      "the totals. Enqueues nothing."));
  auto po = std::make_shared<PreviewOptions>();
  add_selectors(preview_cmd, po->sel);
  preview_cmd->add_option("--limit", po->limit, i18n::tr("how many messages to show"))->capture_default_str()->check(CLI::Range(0, 100000))->type_name("N");
  preview_cmd->add_flag("--json", po->json, i18n::tr("one JSON object"));
  preview_cmd->callback([&s, &exit_code, po] { exit_code = preview(s, *po); });

  auto* templates_cmd = app.add_subcommand("templates", i18n::tr("the message templates: names, descriptions, variables"));
  auto as_json = std::make_shared<bool>(false);
  templates_cmd->add_flag("--json", *as_json, i18n::tr("a JSON list"));
  templates_cmd->callback([&s, &exit_code, as_json] { exit_code = templates(s, *as_json); });
}

}  // namespace loa::cli
