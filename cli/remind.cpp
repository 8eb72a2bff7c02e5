// `loa remind add/list/remove/run`: recurring reminders the gateways send on their dates
// (core/calendar/rules.h for the rules; daemon/reminders.cpp sends them).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>

#include <nlohmann/json.hpp>

#include "cli/sending.h"
#include "cli/session.h"
#include "core/calendar/rules.h"
#include "core/jobs/planner.h"
#include "core/submit/reminder_job.h"
#include "core/util/i18n.h"
#include "core/wards/resident_list.h"
#include "core/util/strings.h"
#include "core/util/time.h"

namespace loa::cli {

namespace {

using calendar::Date;

// Today where the config's time zone is.
Date today(const config::Config& cfg) {
  const std::string now = util::format_local(util::now_ms(), cfg.timezone);  // "YYYY-MM-DD HH:MM"
  return Date{std::chrono::year(std::atoi(now.substr(0, 4).c_str())),
              std::chrono::month(static_cast<unsigned>(std::atoi(now.substr(5, 2).c_str()))),
              std::chrono::day(static_cast<unsigned>(std::atoi(now.substr(8, 2).c_str())))};
}

calendar::Overrides table_of(const config::Config& cfg) {
  auto t = calendar::load_overrides(calendar::overrides_path(cfg.dir));
  return t ? *t : calendar::Overrides{};
}

store::RemindStore* store_of(Session& s, int& code) {
  Backend* b = s.backend();
  if (!b) {
    code = s.unavailable();
    return nullptr;
  }
  store::RemindStore* r = b->reminders();
  if (!r) code = s.local_only("remind");
  return r;
}

// The next `n` occurrences still to come (today's, once its time has passed, is not).
std::vector<calendar::Occurrence> upcoming(const calendar::Rule& rule, const config::Config& cfg, std::size_t n) {
  std::vector<calendar::Occurrence> out;
  const std::int64_t now = util::now_ms();
  for (auto& o : calendar::occurrences(rule, today(cfg), n + 1, table_of(cfg))) {
    auto at = util::parse_time(o.id(), cfg.timezone);
    if (at && *at <= now) continue;
    if (out.size() < n) out.push_back(std::move(o));
  }
  return out;
}

std::string next_three(const calendar::Rule& rule, const config::Config& cfg) {
  std::string out;
  for (const auto& o : upcoming(rule, cfg, 3))
    out += (out.empty() ? "" : ", ") + calendar::dmy(o.day) + o.id().substr(10);
  return out.empty() ? i18n::tr("none") : out;
}

// The rows of the chosen lists whose `column` holds something that is not a day: they get
// no reminder, and the office should know which (blank cells are no date, not a mistake).
void report_unreadable(const config::Config& cfg, const std::vector<std::string>& wards, const std::string& column) {
  std::vector<std::string> rows;
  std::size_t total = 0;
  for (const auto& w : wards) {
    auto reader = wards::ResidentReader::open(wards::ward_path(cfg.wards_dir, w), cfg.carriers);
    if (!reader) continue;  // (the pipeline said why)
    int col = -1;
    for (std::size_t i = 0; i < (*reader)->extra_columns().size(); ++i)
      if ((*reader)->extra_columns()[i] == column) col = static_cast<int>(i);
    if (col < 0) continue;
    wards::Resident r;
    while ((*reader)->next(r)) {
      if (static_cast<std::size_t>(col) >= r.extra.size()) continue;
      const std::string& v = r.extra[static_cast<std::size_t>(col)].second;
      if (v.find_first_not_of(" \t") == std::string::npos || calendar::read_office_date(v)) continue;
      if (++total <= 20) rows.push_back(i18n::trf("{} row {}: \"{}\"", w, r.row, v));
    }
  }
  if (total == 0) return;
  std::printf("%s\n", i18n::trf("{} row(s) whose {} is not a day (dd/mm/yyyy); they get no reminder until mended:", total,
                                 column)
                          .c_str());
  for (const auto& row : rows) std::printf("  %s\n", row.c_str());
}

// Whether a reminder's job passes the submission pipeline's checks that hold on any day
// (a preview: that nobody's date falls on a day is no mistake); 0, else the exit code
// after printing why not.
int checked(Session& s, const jobs::JobSpec& spec) {
  auto out = s.submit({.spec = spec, .again = true, .mode = submit::Mode::preview});
  if (!out) return out.error();
  if (out->exit_code() != kOk) print(submit::head_lines(*out));
  return out->exit_code();
}

// The job an occurrence makes, with the template read as `loa send` reads it (nullptr when
// it is missing: the pipeline then says so).
jobs::JobSpec job_for(const store::Reminder& r, const calendar::Occurrence& o, const config::Config& cfg) {
  auto templates = jobs::load_templates(cfg);
  const text::MessageTemplate* t = nullptr;
  if (templates)
    if (auto it = templates->find(r.template_name); it != templates->end()) t = it->second.get();
  return submit::reminder_job(r, o, cfg, t);
}

struct AddOptions {
  std::string name, when;
  Selectors sel;
  bool if_absent = false;  ///< a reminder of that name already there is left, and that is no error
};

int add(Session& s, const AddOptions& o) {
  const config::Config* cfg = s.config();
  if (!cfg) return kUsage;
  if (!config::valid_id(o.name))
    return fail(kUsage, i18n::trf("\"{}\" is not a reminder name: letters, digits, '-' and '_'", o.name));
  auto rule = calendar::parse_rule(o.when);
  if (!rule) return fail(kUsage, "--when: " + rule.error());
  auto request = request_of(o.sel, *cfg, {});
  if (!request) return kUsage;
  const jobs::JobSpec* spec = &request->spec;
  store::Reminder r;
  r.name = o.name;
  r.template_name = spec->template_name;
  r.all_wards = o.sel.all_wards;
  if (!r.all_wards) r.wards = spec->wards;
  r.vars = spec->vars;
  r.areas = spec->areas;
  r.tags = spec->tags;
  r.when = o.when;
  r.by = local_actor();
  r.created_at = util::now_ms();
  // The job its next occurrence would make must pass every check a `loa send` does.
  const auto next = upcoming(*rule, *cfg, 1);
  if (next.empty()) return fail(kUsage, i18n::tr("--when: the rule gives no date before the calendar's end"));
  if (int code = checked(s, job_for(r, next[0], *cfg)); code != kOk) return code;
  int code = kOk;
  store::RemindStore* store = store_of(s, code);
  if (!store) return code;
  auto added = store->add(r);
  if (!added) return fail(kRuntime, added.error());
  if (!*added && o.if_absent) {
    std::printf("%s\n", i18n::trf("reminder {} exists; left as it is", o.name).c_str());
    return kOk;
  }
  if (!*added) return fail(kUsage, i18n::trf("a reminder named \"{}\" exists (loa remind remove {} first)", o.name, o.name));
  std::printf("%s\n", i18n::trf("reminder {} added; next: {}", o.name, next_three(*rule, *cfg)).c_str());
  if (rule->kind == calendar::Rule::Kind::column)
    report_unreadable(*cfg, r.all_wards ? jobs::configured_wards(*cfg) : r.wards, rule->column);
  return s.audited(kOk, "remind-add", "", {{"name", o.name}, {"when", o.when}, {"template", r.template_name}});
}

int list(Session& s) {
  const config::Config* cfg = s.config();
  if (!cfg) return kUsage;
  int code = kOk;
  store::RemindStore* store = store_of(s, code);
  if (!store) return code;
  auto all = store->list();
  if (!all) return fail(kRuntime, all.error());
  if (all->reminders.empty()) std::printf("%s\n", i18n::tr("no reminders (loa remind add makes one)"));
  for (const store::Reminder& r : all->reminders) {
    auto rule = calendar::parse_rule(r.when);
    std::printf("%s  \"%s\"  %s %s  %s\n", r.name.c_str(), r.when.c_str(), i18n::tr("template"), r.template_name.c_str(),
                r.all_wards ? i18n::tr("all wards") : util::join(r.wards, ",").c_str());
    std::printf("  %s\n", i18n::trf("next: {}", rule ? next_three(*rule, *cfg) : rule.error()).c_str());
    auto st = store->state(r.name);
    if (st && !st->job.empty()) std::printf("  %s\n", i18n::trf("last sent: {} (job {})", st->last, st->job).c_str());
    if (st && !st->missed.empty())
      std::printf("  %s\n", i18n::trf("missed (every gateway down past the grace): {}", util::join(st->missed, ", ")).c_str());
  }
  for (const auto& name : all->unreadable) std::printf("%s  %s\n", name.c_str(), i18n::tr("(unreadable: remove and add it again)"));
  return kOk;
}

int remove(Session& s, const std::string& name) {
  if (!s.config()) return kUsage;
  int code = kOk;
  store::RemindStore* store = store_of(s, code);
  if (!store) return code;
  auto r = store->remove(name);
  if (!r) return fail(kRuntime, r.error());
  if (!*r) return fail(kUsage, i18n::trf("no reminder named \"{}\"", name));
  std::printf("%s\n", i18n::trf("reminder {} removed", name).c_str());
  return s.audited(kOk, "remind-remove", "", {{"name", name}});
}

int run_dry(Session& s, const std::string& name) {
  const config::Config* cfg = s.config();
  if (!cfg) return kUsage;
  int code = kOk;
  store::RemindStore* store = store_of(s, code);
  if (!store) return code;
  auto all = store->list();
  if (!all) return fail(kRuntime, all.error());
  auto it = std::find_if(all->reminders.begin(), all->reminders.end(), [&](const auto& r) { return r.name == name; });
  if (it == all->reminders.end()) return fail(kUsage, i18n::trf("no reminder named \"{}\"", name));
  auto rule = calendar::parse_rule(it->when);
  if (!rule) return fail(kUsage, rule.error());
  const auto next = upcoming(*rule, *cfg, 1);
  if (next.empty()) return fail(kUsage, i18n::tr("--when: the rule gives no date before the calendar's end"));
  const jobs::JobSpec spec = job_for(*it, next[0], *cfg);
  if (int code = checked(s, spec); code != kOk) return code;
  std::printf("%s\n", i18n::trf("the job its next occurrence ({}) would make; nothing sent:", next[0].id()).c_str());
  std::printf("%s\n", nlohmann::json::parse(jobs::to_json(spec)).dump(2).c_str());
  return kOk;
}

}  // namespace

void add_remind_commands(CLI::App& app, Session& s, int& exit_code) {
  auto* cmd = app.add_subcommand("remind", i18n::tr("recurring reminders the gateways send on their dates"));
  cmd->footer(i18n::trf("Rules: \"monthly on 15 at 08:00\", \"yearly on 02/09 at 07:00\", \"{}\", "
                        "\"3 days before tet at 08:00\" (tet, gio-to, new-year, reunification, labour, national-day). "
                        "Templates may name the occurrence's dates: ngay, ngay_am, tu_ngay, den_ngay, ngay_lam_lai, nam.",
                        "10/3 âm lịch at 07:00"));
  cmd->require_subcommand(1);
  auto o = std::make_shared<AddOptions>();
  auto* add_cmd = cmd->add_subcommand("add", i18n::tr("make a reminder"));
  add_cmd->add_option("NAME", o->name, i18n::tr("its name"))->required();
  add_selectors(add_cmd, o->sel);
  add_cmd->add_option("--when", o->when, i18n::tr("when it goes (a rule, see below)"))->required()->type_name("RULE");
  add_cmd->add_flag("--if-absent", o->if_absent,
                    i18n::tr("a reminder of that name already there is left as it is (exit 0), for scripts run more than once"));
  add_cmd->callback([&s, &exit_code, o] { exit_code = add(s, *o); });
  cmd->add_subcommand("list", i18n::tr("every reminder with its next three dates"))->callback([&s, &exit_code] {
    exit_code = list(s);
  });
  auto name = std::make_shared<std::string>();
  auto* remove_cmd = cmd->add_subcommand("remove", i18n::tr("remove a reminder"));
  remove_cmd->add_option("NAME", *name, i18n::tr("its name"))->required();
  remove_cmd->callback([&s, &exit_code, name] { exit_code = remove(s, *name); });
  auto dry = std::make_shared<bool>(false);
  auto* run_cmd = cmd->add_subcommand("run", i18n::tr("show the job a reminder's next occurrence would make"));
  run_cmd->add_option("NAME", *name, i18n::tr("its name"))->required();
  run_cmd->add_flag("--dry-run", *dry, i18n::tr("show it, send nothing (required: the gateways send on the date)"))->required();
  // (`dry` is kept alive by the callback: CLI11 writes the flag into it while parsing.)
  run_cmd->callback([&s, &exit_code, name, dry] { exit_code = *dry ? run_dry(s, *name) : kUsage; });
}

}  // namespace loa::cli
