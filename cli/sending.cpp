// The sending commands: send, preview, templates. Each builds a request from its options
// and hands it to the one submission pipeline (core/submit) through the session's
// backend, on Redis or through the API alike; the outcome is printed the same way for both.
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/sending.h"
#include "cli/session.h"
#include "cli/words.h"
#include "core/jobs/planner.h"
#include "core/submit/submission.h"
#include "core/text/unicode.h"
#include "core/util/i18n.h"
#include "core/util/strings.h"

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

std::optional<submit::Request> request_of(const Selectors& sel, const config::Config& cfg, const Extras& extras) {
  // JSON holds only UTF-8: what is not is said here, before it could be replaced.
  std::vector<std::pair<std::string, const std::string*>> typed{{"--template", &sel.template_name}};
  for (const auto* list : {&sel.wards, &sel.vars, &sel.areas, &sel.tags})
    for (const auto& v : *list) typed.emplace_back(list == &sel.vars ? "--var" : list == &sel.wards ? "--ward" : list == &sel.areas ? "--area" : "--tag", &v);
  if (extras.at) typed.emplace_back("--at", extras.at);
  if (extras.key) typed.emplace_back("--key", extras.key);
  for (const auto& [option, value] : typed)
    if (!text::valid_utf8(*value)) {
      fail(kUsage, i18n::trf("{} \"{}\" is not valid UTF-8 text", option, util::loggable(*value, 64)));
      return std::nullopt;
    }
  json j{{"template", sel.template_name}, {"vars", json::object()}, {"areas", sel.areas}, {"tags", sel.tags}};
  std::vector<std::string> wards;
  for (const auto& w : sel.wards)
    if (!w.empty()) wards.push_back(w);
  if (sel.all_wards) j["all_wards"] = true;
  else if (wards.empty()) {
    fail(kUsage, i18n::tr("--ward ID or --all-wards is required"));
    return std::nullopt;
  } else {
    j["wards"] = wards;
  }
  for (const auto& v : sel.vars) {
    auto eq = v.find('=');
    if (eq == std::string::npos || eq == 0) {
      fail(kUsage, i18n::trf("--var takes KEY=VALUE, got \"{}\"", v));
      return std::nullopt;
    }
    j["vars"][v.substr(0, eq)] = v.substr(eq + 1);
  }
  if (extras.at) j["at"] = *extras.at;
  if (extras.urgent) j["urgent"] = true;
  if (extras.key) {
    if (extras.key->empty()) {
      fail(kUsage, i18n::tr("--key must not be empty"));
      return std::nullopt;
    }
    j["key"] = *extras.key;
  }
  if (extras.again) j["again"] = true;
  auto r = submit::parse_request(j.dump(-1, ' ', false, json::error_handler_t::replace), cfg.timezone);
  if (!r) {
    fail(kUsage, r.error());
    return std::nullopt;
  }
  return std::move(*r);
}

void print(const submit::Lines& lines) {
  for (const auto& e : lines.err) std::fprintf(stderr, "loa: %s\n", e.c_str());
  for (const auto& l : lines.out) std::printf("%s\n", l.c_str());
  std::fflush(stdout);
}

namespace {

// Asks on the terminal; true for yes.
bool confirmed(const std::string& question) {
  std::fprintf(stderr, "%s %s ", question.c_str(), i18n::tr("[y/N]"));
  std::fflush(stderr);
  std::string answer;
  if (!std::getline(std::cin, answer)) return false;
  auto a = text::fold_key(answer);
  return a == "y" || a == "yes" || a == "c" || a == "co";
}

long long total(const json& preview, const char* key) {
  if (!preview.is_object() || !preview.contains("totals") || !preview["totals"].is_object()) return 0;
  const json& t = preview["totals"];
  return t.contains(key) && t[key].is_number_integer() ? t[key].get<long long>() : 0;
}
std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}
long long num(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<long long>() : 0;
}

struct SendOptions {
  Selectors sel;
  std::string at, key;
  bool urgent = false, dry_run = false, yes = false, again = false;
};

int send(Session& s, const SendOptions& o, const CLI::App& cmd) {
  const config::Config* cfg = s.config();
  if (!cfg) return kUsage;
  auto r = request_of(o.sel, *cfg,
                      {.at = cmd.count("--at") ? &o.at : nullptr, .key = cmd.count("--key") ? &o.key : nullptr,
                       .urgent = o.urgent, .again = o.again});
  if (!r) return kUsage;
  // On a terminal, the official sees what it would do and says yes first.
  if (!o.yes && !o.dry_run && ::isatty(STDIN_FILENO) && ::isatty(STDERR_FILENO)) {
    r->mode = submit::Mode::check;
    auto checked = s.submit(*r);
    if (!checked) return checked.error();
    print(submit::head_lines(*checked));
    if (checked->exit_code() != kOk) return checked->exit_code();
    if (!confirmed(i18n::trf("Send {} message(s), {} segment(s), {}, to {}?", total(checked->preview, "messages"),
                             total(checked->preview, "segments"),
                             submit::cost_words(checked->preview.value("totals", json::object())),
                             util::join(checked->wards, ", "))))
      return fail(kUsage, i18n::tr("not confirmed: nothing enqueued"));
    r->mode = submit::Mode::send;
    auto sent = s.submit(*r);
    if (!sent) return sent.error();
    if (sent->exit_code() == kUsage) print(submit::head_lines(*sent));  // refused meanwhile
    print(submit::tail_lines(*sent));
    return sent->exit_code();
  }
  r->mode = o.dry_run ? submit::Mode::check : submit::Mode::send;
  auto out = s.submit(*r);
  if (!out) return out.error();
  print(submit::head_lines(*out));
  print(submit::tail_lines(*out));
  return out->exit_code();
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
  std::printf("%s\n", submit::totals_words(p).c_str());
  if (total(p, "over_limit"))
    std::printf("%s\n", i18n::trf("{} message(s) over max_segments {}: loa send will refuse this", total(p, "over_limit"),
                                   num(p, "max_segments"))
                             .c_str());
}

int preview(Session& s, const PreviewOptions& o) {
  const config::Config* cfg = s.config();
  if (!cfg) return kUsage;
  auto r = request_of(o.sel, *cfg, {});
  if (!r) return kUsage;
  r->mode = submit::Mode::preview;
  r->limit = o.limit;
  auto out = s.submit(*r);
  if (!out) return out.error();
  if (out->exit_code() != kOk) {
    print(submit::head_lines(*out));
    return out->exit_code();
  }
  for (const auto& w : out->warnings) std::fprintf(stderr, "loa: %s\n", w.c_str());
  if (o.json) {
    std::printf("%s\n", out->preview.dump(2, ' ', false, json::error_handler_t::replace).c_str());
    return kOk;
  }
  print_preview(out->preview);
  return kOk;
}

int templates(Session& s, bool as_json) {
  auto list = s.templates();
  if (!list) return list.error();
  if (as_json) {
    std::printf("%s\n", list->dump(2, ' ', false, json::error_handler_t::replace).c_str());
    return kOk;
  }
  for (const auto& t : *list) {
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
