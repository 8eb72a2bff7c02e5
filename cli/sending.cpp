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

namespace {

using nlohmann::json;

// The selectors send and preview share.
struct Selectors {
  std::string template_name;
  std::vector<std::string> wards;
  bool all_wards = false;
  std::vector<std::string> vars, areas, tags;
};

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
std::string unknown(std::string_view what, const std::string& name, const std::vector<std::string>& known,
                    std::string_view listed_by) {
  std::string out = i18n::trf("unknown {} \"{}\"", what, name);
  if (auto guess = util::did_you_mean(name, known)) out += i18n::trf("; did you mean \"{}\"?", *guess);
  if (!listed_by.empty()) out += fmt::format(" ({})", listed_by);
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

std::string encoding_name(bool unicode) { return jobs::encoding_name(unicode); }

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

// "12,345 VND" (or "not priced" when the config has no pricing).
std::string cost_text(std::int64_t cost, const config::Pricing& pricing) {
  if (!pricing.configured) return i18n::tr("cost not estimated (no pricing: in the config)");
  std::string digits = std::to_string(cost), grouped;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) grouped += '.';
    grouped += digits[i];
  }
  return i18n::trf("about {} {}", grouped, pricing.currency);
}

void print_totals(const jobs::PlanWalk& w, const text::MessageTemplate& t, const config::Pricing& pricing) {
  std::printf("%s%s\n",
              i18n::trf("{} row(s): {} message(s), {} skipped; {} segment(s) in all, {}; encoding {}", w.totals.rows,
                        w.totals.messages, w.totals.skipped, w.totals.segments, cost_text(w.totals.cost, pricing),
                        t.encoding() == text::Encoding::Ascii ? i18n::tr("ascii (no diacritics)") : "unicode")
                  .c_str(),
              w.totals.unicode ? i18n::trf(", {} message(s) need UCS-2", w.totals.unicode).c_str() : "");
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

struct SendOptions {
  Selectors sel;
  std::string at, key;
  bool urgent = false, dry_run = false, yes = false, again = false;
};

int send(Session& s, const SendOptions& o, const CLI::App& cmd) {
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
  print_totals(*w, plan->message_template(), cfg->pricing);
  const std::string when = when_it_goes(*spec, *cfg);
  if (!when.empty()) std::printf("%s\n", when.c_str());
  if (o.dry_run) {
    std::printf("%s\n", i18n::tr("dry run: nothing enqueued"));
    return kOk;
  }
  Backend* b = s.backend();
  if (!b) return kRuntime;
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
                           cost_text(w->totals.cost, cfg->pricing), util::join(spec->wards, ", "))))
    return fail(kUsage, i18n::tr("not confirmed: nothing enqueued"));
  auto r = b->enqueue(*spec);
  if (!r) return fail(kRuntime, r.error());
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
  return s.audited(kOk, "send", r->id,
                   {{"template", spec->template_name},
                    {"wards", spec->wards},
                    {"recipients", w->totals.messages},
                    {"segments", w->totals.segments},
                    {"cost", cfg->pricing.configured ? json(w->totals.cost) : json(nullptr)},
                    {"currency", cfg->pricing.currency},
                    {"urgent", spec->urgent}});
}

struct PreviewOptions {
  Selectors sel;
  int limit = 10;
  bool json = false;
};

int preview(Session& s, const PreviewOptions& o) {
  const config::Config* cfg = s.config();
  if (!cfg) return kUsage;
  auto spec = spec_of(o.sel, *cfg);
  if (!spec) return kUsage;
  auto plan = plan_of(*spec, *cfg);
  if (!plan) return kUsage;
  auto w = jobs::walk(*plan, opted_out(s, false).value_or(std::set<std::string>{}), o.limit, cfg->pricing);
  if (!w) return fail(kUsage, w.error());
  const auto& t = plan->message_template();
  if (o.json) {
    std::printf("%s\n", jobs::preview_json(*w, t, cfg->pricing).dump(2, ' ', false, json::error_handler_t::replace).c_str());
    return kOk;
  }
  std::printf("%s\n\n", i18n::trf("Template {}: {}", t.name(), t.description()).c_str());
  for (const auto& m : w->shown) {
    std::printf("%s%s\n  %s\n\n",
                i18n::trf("[{} row {}] {} {} - {}, {} segment(s)", m.ward, m.row, m.name, util::mask_phone(m.phone),
                          encoding_name(m.segments.unicode), m.segments.segments)
                    .c_str(),
                m.fail_reason.empty() ? "" : (" — " + m.fail_reason).c_str(), m.text.c_str());
  }
  const auto shown = static_cast<long long>(w->shown.size());
  if (w->totals.messages > shown) std::printf("%s\n\n", i18n::trf("... and {} more message(s)", w->totals.messages - shown).c_str());
  if (!w->skipped.empty()) {
    std::printf("%s\n", i18n::tr("Skipped rows:"));
    for (const auto& m : w->skipped)
      std::printf("  %s\n", i18n::trf("{} row {} ({}): {}", m.ward, m.row, m.name.empty() ? i18n::tr("no name") : m.name,
                                     reason_for_people(m.skip_reason))
                                 .c_str());
    std::printf("\n");
  }
  print_totals(*w, t, cfg->pricing);
  if (w->totals.too_long)
    std::printf("%s\n", i18n::trf("{} message(s) over max_segments {}: loa send will refuse this", w->totals.too_long,
                                   t.max_segments())
                             .c_str());
  return kOk;
}

int templates(Session& s, bool as_json) {
  const config::Config* cfg = s.config();
  if (!cfg) return kUsage;
  auto loaded = jobs::load_templates(*cfg);
  if (!loaded) return fail_all(loaded.error());
  json out = json::array();
  for (const auto& [name, t] : *loaded) {
    const char* encoding = t->encoding() == text::Encoding::Ascii ? "ascii" : "unicode";
    if (as_json) {
      out.push_back({{"name", name}, {"description", t->description()}, {"variables", t->variables()},
                     {"encoding", encoding}, {"max_segments", t->max_segments()}});
    } else {
      std::printf("%-22s %s\n", name.c_str(), t->description().c_str());
      std::printf("%-22s %s\n", "",
                  i18n::trf("variables: {}; {}, at most {} segment(s)",
                            t->variables().empty() ? i18n::tr("none") : util::join(t->variables(), ", "), encoding,
                            t->max_segments())
                      .c_str());
    }
  }
  if (as_json) std::printf("%s\n", out.dump(2, ' ', false, json::error_handler_t::replace).c_str());
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
