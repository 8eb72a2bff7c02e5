// The operating commands: cancel, retry, optout, check.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/session.h"
#include "core/jobs/planner.h"
#include "core/text/unicode.h"
#include "core/phone/phone.h"
#include "core/store/redis.h"
#include "cli/words.h"
#include "core/util/i18n.h"
#include "core/util/log.h"
#include "core/util/strings.h"
#include "core/util/time.h"
#include "core/wards/resident_list.h"
#include "providers/registry.h"

namespace loa::cli {

namespace {

int cancel(Session& s, const std::string& id) {
  if (!s.config()) return kUsage;
  Backend* b = s.backend();
  if (!b) return s.unavailable();
  auto earlier = b->status(id);
  if (!earlier) return s.failed(earlier.error());
  if (*earlier && (*earlier)->state == jobs::JobState::submitted)
    return fail(kUsage, i18n::trf("job {} has not been taken by a gateway yet, so it cannot be cancelled yet; "
                                  "start loa-gatewayd (or try again once it has)",
                                  id));
  auto before = b->cancel(id);
  if (!before) return s.failed(before.error());
  if (!*before) return fail(kUsage, i18n::trf("no job {}", id));
  if (**before == jobs::JobState::done || **before == jobs::JobState::rejected)
    return fail(kUsage, i18n::trf("job {} is already {}; nothing to cancel", id, jobs::name(**before)));
  auto after = b->status(id);
  if (!after || !*after || !*earlier) {
    std::printf("%s\n", i18n::trf("job {} cancelled", id).c_str());
    return s.audited(kOk, "cancel", id, nlohmann::json::object());
  }
  using enum jobs::MessageState;
  const auto& a = **after;
  const auto stopped = a.count(cancelled) - (*earlier)->count(cancelled);
  const auto gone = a.count(sending) + a.count(sent) + a.count(delivered) + a.count(unknown);
  std::printf("%s\n", i18n::trf("job {} cancelled: {} message(s) stopped, {} had already gone to a provider ({} delivered)",
                                 id, stopped, gone, a.count(delivered))
                           .c_str());
  return s.audited(kOk, "cancel", id,
                   {{"template", a.template_name}, {"wards", a.wards}, {"stopped", stopped}, {"gone", gone}});
}

struct RetryOptions {
  std::string job;
  bool unknown = false, failed = false;
};

int retry(Session& s, const RetryOptions& o) {
  if (!s.config()) return kUsage;
  auto j = s.job(o.job);
  if (!j) return j.error();
  if (j->state == jobs::JobState::cancelled || j->state == jobs::JobState::rejected)
    return fail(kUsage, i18n::trf("job {} is {}; nothing can be resent", o.job, j->state_name()));
  auto n = s.backend()->requeue(o.job, o.unknown ? jobs::MessageState::unknown : jobs::MessageState::failed);
  if (!n) return s.failed(n.error());
  std::printf("%s\n", i18n::trf("{} message(s) queued again", *n).c_str());
  return s.audited(kOk, "retry", o.job,
                   {{"template", j->template_name}, {"wards", j->wards}, {"which", o.unknown ? "unknown" : "failed"},
                    {"messages", *n}});
}

// The phone number an operator typed; nullopt after saying why it is not one.
std::optional<phone::Phone> number_of(const std::string& typed) {
  auto p = phone::normalize(typed);
  if (!p) {
    fail(kUsage, "\"" + typed + "\": " + reason_for_people(phone::describe(p.error())));
    return std::nullopt;
  }
  return *p;
}

int optout_add(Session& s, const std::string& typed, const std::string& reason) {
  if (!s.config()) return kUsage;
  if (auto bad = text::reason_problem(reason)) return fail(kUsage, "--reason: " + *bad);
  auto p = number_of(typed);
  if (!p) return kUsage;
  Backend* b = s.backend();
  if (!b) return s.unavailable();
  if (s.remote()) {  // the server keeps the list, and says what it did
    if (auto r = b->optout_add(p->digits, reason); !r) return s.failed(r.error());
    std::printf("%s\n", i18n::trf("{} opted out", p->local).c_str());
    return kOk;
  }
  // A number opted out before keeps its first reason and date; a new reason is added to it.
  auto list = b->optouts();
  if (!list) return fail(kRuntime, list.error());
  if (auto it = list->find(p->digits); it != list->end()) {
    std::string earlier;
    try {
      earlier = nlohmann::json::parse(it->second).value("reason", "");
    } catch (const nlohmann::json::exception&) {
    }
    if (reason.empty() || reason == earlier) {
      std::printf("%s%s\n", i18n::trf("{} was already opted out", p->local).c_str(),
                  earlier.empty() ? "" : (" (" + earlier + ")").c_str());
      return kOk;
    }
    if (auto r = b->optout_add(p->digits, earlier.empty() ? reason : earlier + "; " + reason); !r)
      return fail(kRuntime, r.error());
    std::printf("%s\n", i18n::trf("{} was already opted out; reason now: {}", p->local,
                                   earlier.empty() ? reason : earlier + "; " + reason)
                             .c_str());
    return s.audited(kOk, "optout-add", "", {{"number", util::mask_phone(p->local)}, {"reason", reason}});
  }
  if (auto r = b->optout_add(p->digits, reason); !r) return fail(kRuntime, r.error());
  std::printf("%s\n", i18n::trf("{} opted out", p->local).c_str());
  return s.audited(kOk, "optout-add", "", {{"number", util::mask_phone(p->local)}, {"reason", reason}});
}

int optout_remove(Session& s, const std::string& typed) {
  if (!s.config()) return kUsage;
  auto p = number_of(typed);
  if (!p) return kUsage;
  Backend* b = s.backend();
  if (!b) return s.unavailable();
  auto r = b->optout_remove(p->digits);
  if (!r) return s.failed(r.error());
  if (!*r) {
    std::printf("%s\n", i18n::trf("{} was not opted out", p->local).c_str());
    return kOk;
  }
  std::printf("%s\n", i18n::trf("{} removed from opt-outs", p->local).c_str());
  return s.audited(kOk, "optout-remove", "", {{"number", util::mask_phone(p->local)}});
}

int optout_list(Session& s) {
  if (s.remote()) return s.local_only("optout list");
  const config::Config* cfg = s.config();
  if (!cfg) return kUsage;
  Backend* b = s.backend();
  if (!b) return s.unavailable();
  auto list = b->optouts();
  if (!list) return fail(kRuntime, list.error());
  for (const auto& [digits, raw] : *list) {
    std::string reason;
    std::int64_t at = 0;
    try {
      auto j = nlohmann::json::parse(raw);
      reason = j.value("reason", "");
      at = j.value("at", std::int64_t{0});
    } catch (const nlohmann::json::exception&) {
    }
    std::printf("0%s\t%s\t%s\n", digits.substr(2).c_str(), util::format_local(at, cfg->timezone).c_str(), reason.c_str());
  }
  return kOk;
}

int check(Session& s) {
  if (s.remote()) return s.local_only("check");
  const config::Config* cfg = s.config();
  if (!cfg) return kUsage;
  std::vector<std::string> errors;
  if (auto p = providers::build_providers(*cfg, cfg->public_url.empty() ? "http://127.0.0.1" : cfg->public_url); !p) {
    errors.insert(errors.end(), p.error().begin(), p.error().end());
  } else {
    for (const auto& [name, provider] : *p)
      if (provider->reports_unauthenticated())
        std::printf("%s: %s\n", cfg->path.c_str(),
                    i18n::trf("warning: provider \"{}\" takes delivery reports from anyone (dlr.insecure): anyone "
                              "who can reach the webhook can mark its messages delivered or failed",
                              name)
                        .c_str());
  }
  if (auto open = store::open_to_network(store::redis_url(cfg->redis.url, cfg->state_dir)))
    std::printf("%s: %s\n", cfg->path.c_str(),
                i18n::trf("warning: Redis at {} answers without a password on a network address: anyone who can "
                          "reach it can send to every resident (docs/operations.md, \"Redis in production\")",
                          *open)
                    .c_str());
  auto wards = jobs::ward_ids(*cfg);
  for (const auto& [id, ward] : cfg->wards) {
    if (std::find(wards.begin(), wards.end(), id) == wards.end())
      errors.push_back(i18n::trf("{}: ward \"{}\" is named in the config but {} does not exist", cfg->path, id,
                                   wards::ward_path(cfg->wards_dir, id)));
    if (!ward.kind_known)
      std::printf("%s: %s\n", cfg->path.c_str(),
                  i18n::trf("warning: ward \"{}\" (\"{}\"): neither its name nor a kind says whether it is a ward "
                            "(phuong), a commune (xa) or a township (thi tran); templates will call it a ward "
                            "(write {{ name: ..., kind: xa }})",
                            id, ward.name)
                      .c_str());
  }
  for (const auto& id : wards)
    if (!cfg->wards.count(id))
      std::printf("%s: %s\n", wards::ward_path(cfg->wards_dir, id).c_str(),
                  i18n::tr("warning: not named under wards: in the config, so --all-wards never sends to it (and it "
                           "has no display name)"));
  long long rows = 0, skipped = 0;
  for (const auto& w : wards) {
    auto path = wards::find_list(cfg->wards_dir, w);
    if (!path) {
      errors.push_back(path.error());
      continue;
    }
    auto reader = wards::ResidentReader::open(*path, cfg->carriers);
    if (!reader) {
      errors.push_back(reader.error());
      continue;
    }
    wards::Resident r;
    std::map<std::string, int> seen;  // number -> the row it was first on
    long long ward_rows = 0, ward_skipped = 0;
    while ((*reader)->next(r)) {
      ++ward_rows;
      std::string why = r.problem;
      if (why.empty())
        if (auto [at, fresh] = seen.try_emplace(r.phone->digits, r.row); !fresh) why = fmt::format("repeat of row {}", at->second);
      if (!why.empty()) {
        ++ward_skipped;
        std::printf("%s:%d: %s\n", (*reader)->path().c_str(), r.row,
                    i18n::trf("will be skipped: {}", reason_for_people(why)).c_str());
      }
    }
    if (!(*reader)->fault().empty()) errors.push_back((*reader)->fault());
    std::printf("%s: %s\n", (*reader)->path().c_str(),
                i18n::trf("{}, {} row(s), {} will be skipped", (*reader)->form(), ward_rows, ward_skipped).c_str());
    rows += ward_rows;
    skipped += ward_skipped;
  }
  int templates = 0;
  if (auto loaded = jobs::load_templates(*cfg)) templates = static_cast<int>(loaded->size());
  else errors.insert(errors.end(), loaded.error().begin(), loaded.error().end());
  for (const auto& e : errors) fail(kUsage, e);
  std::printf("%s: %s\n", cfg->path.c_str(),
              i18n::trf("{} ward list(s), {} row(s) ({} will be skipped), {} template(s) ok, {} error(s)", wards.size(),
                        rows, skipped, templates, errors.size())
                  .c_str());
  return errors.empty() ? kOk : kUsage;
}

}  // namespace

void add_operating_commands(CLI::App& app, Session& s, int& exit_code) {
  auto* cancel_cmd = app.add_subcommand("cancel", i18n::tr("cancel a job's messages not yet sent"));
  cancel_cmd->footer(i18n::tr("Messages not yet handed to a provider become 'cancelled'; sent ones keep their state."));
  auto job = std::make_shared<std::string>();
  cancel_cmd->add_option("JOB", *job, i18n::tr("the job id"))->required();
  cancel_cmd->callback([&s, &exit_code, job] { exit_code = cancel(s, *job); });

  auto* retry_cmd = app.add_subcommand("retry", i18n::tr("resend a job's unknown or failed messages"));
  retry_cmd->footer(
      i18n::tr("Resends, on an operator's word, a job's messages whose outcome is unknown (in flight when a gateway "
               "died: the resident may get it twice) or that failed. One of --unknown and --failed is required."));
  auto ro = std::make_shared<RetryOptions>();
  retry_cmd->add_option("JOB", ro->job, i18n::tr("the job id"))->required();
  // Two plain flags rather than a CLI11 option group, whose help has words of its own.
  auto* unknown = retry_cmd->add_flag("--unknown", ro->unknown, i18n::tr("those whose outcome is unknown"));
  retry_cmd->add_flag("--failed", ro->failed, i18n::tr("those that failed"))->excludes(unknown);
  retry_cmd->callback([&s, &exit_code, ro] {
    exit_code = ro->unknown || ro->failed ? retry(s, *ro)
                                          : fail(kUsage, i18n::tr("say which messages to resend: --unknown or --failed"));
  });

  auto* optout_cmd = app.add_subcommand("optout", i18n::tr("manage numbers that must never get a message"));
  optout_cmd->footer(i18n::tr("Numbers that opted out are skipped by every job expanded after the change."));
  optout_cmd->require_subcommand(1);
  // A number as typed, quoted or not: "0912 345 678" and 0912 345 678 are one number.
  auto number = std::make_shared<std::vector<std::string>>();
  auto reason = std::make_shared<std::string>();
  auto* add = optout_cmd->add_subcommand("add", i18n::tr("opt a number out"));
  add->add_option("PHONE", *number, i18n::tr("the number, in any common form (spaces allowed)"))->required()->expected(1, 4);
  add->add_option("--reason", *reason, i18n::tr("why (shown by optout list; an earlier reason is kept)"))->type_name("TEXT");
  add->callback([&s, &exit_code, number, reason] { exit_code = optout_add(s, util::join(*number, " "), *reason); });
  auto* remove = optout_cmd->add_subcommand("remove", i18n::tr("let a number get messages again"));
  remove->add_option("PHONE", *number, i18n::tr("the number (spaces allowed)"))->required()->expected(1, 4);
  remove->callback([&s, &exit_code, number] { exit_code = optout_remove(s, util::join(*number, " ")); });
  optout_cmd->add_subcommand("list", i18n::tr("every opted-out number, when and why"))->callback([&s, &exit_code] {
    exit_code = optout_list(s);
  });

  app.add_subcommand("check", i18n::tr("validate config, templates and resident lists"))
      ->footer(
          i18n::tr("Validates the config, every provider section, every template and every resident list. Rows that will be "
          "skipped are listed (they are not errors). Exit 2 on any error."))
      ->callback([&s, &exit_code] { exit_code = check(s); });
}

}  // namespace loa::cli
