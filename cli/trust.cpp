// The commands of a city's trust (CONTRACT.md "Who may do what"): accounts for the
// officials' API, and the audit trail.
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <algorithm>
#include <memory>

#include "cli/session.h"
#include "cli/words.h"
#include "core/jobs/planner.h"
#include "core/text/unicode.h"
#include "core/util/i18n.h"
#include "core/util/strings.h"
#include "core/util/time.h"

namespace loa::cli {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxAccountName = 64;

struct AccountOptions {
  std::string name;
  std::string role;
  std::vector<std::string> wards;
  bool json = false;
};

// The wards an officer or approver may be given: those the config names, and any list file.
std::vector<std::string> known_wards(const config::Config& cfg) {
  std::vector<std::string> out = jobs::ward_ids(cfg);
  for (const auto& [id, ward] : cfg.wards) out.push_back(id);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

int account_add(Session& s, const AccountOptions& o) {
  if (s.remote()) return s.local_only("account add");
  const config::Config* cfg = s.config();
  if (!cfg) return kUsage;
  if (!config::valid_id(o.name) || o.name.size() > kMaxAccountName)
    return fail(kUsage, i18n::trf("account name \"{}\" must be lower-case letters, digits and hyphens, at most {}",
                                  o.name, kMaxAccountName));
  auto role = store::role(o.role);
  if (!role) return fail(kUsage, i18n::trf("role must be officer, approver or admin, got \"{}\"", o.role));
  store::Account a{.name = o.name, .role = *role, .wards = o.wards};
  if (*role == store::Role::admin && !a.wards.empty())
    return fail(kUsage, i18n::tr("an admin works with every ward: give no --wards"));
  if (*role != store::Role::admin && a.wards.empty())
    return fail(kUsage, i18n::trf("an {} needs --wards: the wards it may work with", o.role));
  const auto known = known_wards(*cfg);
  std::vector<std::string> errors;
  for (const auto& w : a.wards) {
    if (std::find(known.begin(), known.end(), w) != known.end()) continue;
    std::string error = i18n::trf("unknown {} \"{}\"", i18n::tr("ward"), w);
    if (auto guess = util::did_you_mean(w, known)) error += i18n::trf("; did you mean \"{}\"?", *guess);
    errors.push_back(error);
  }
  if (!errors.empty()) return fail_all(errors);
  std::sort(a.wards.begin(), a.wards.end());
  a.wards.erase(std::unique(a.wards.begin(), a.wards.end()), a.wards.end());
  Backend* b = s.backend();
  if (!b) return s.unavailable();
  auto added = b->account_add(a, local_actor());
  if (!added) return fail(kRuntime, added.error());
  if (!added->created) return fail(kUsage, i18n::trf("account \"{}\" exists already (revoke it first to replace it)", o.name));
  std::printf("%s\n%s\n",
              i18n::trf("account {} created ({}{}); its token, shown only this once:", o.name, o.role,
                        a.wards.empty() ? "" : ", " + util::join(a.wards, ","))
                  .c_str(),
              added->token.c_str());
  return s.audited(kOk, "account-add", "", {{"account", o.name}, {"role", o.role}, {"wards", a.wards}});
}

int account_list(Session& s, bool as_json) {
  if (s.remote()) return s.local_only("account list");
  const config::Config* cfg = s.config();
  if (!cfg) return kUsage;
  Backend* b = s.backend();
  if (!b) return s.unavailable();
  auto list = b->accounts();
  if (!list) return fail(kRuntime, list.error());
  if (as_json) {
    json out = json::array();
    for (const auto& a : *list)
      out.push_back({{"name", a.name}, {"role", store::name(a.role)}, {"wards", a.wards}, {"created", a.created_ms},
                     {"created_by", a.created_by}});
    std::printf("%s\n", out.dump(-1, ' ', false, json::error_handler_t::replace).c_str());
    return kOk;
  }
  for (const auto& a : *list)
    std::printf("%-20s %-9s %-30s %s  %s\n", a.name.c_str(), std::string(store::name(a.role)).c_str(),
                a.wards.empty() ? i18n::tr("(every ward)") : util::join(a.wards, ",").c_str(),
                time_for_people(a.created_ms, cfg->timezone).c_str(), a.created_by.c_str());
  if (list->empty()) std::printf("%s\n", i18n::tr("no accounts"));
  return kOk;
}

int account_revoke(Session& s, const std::string& name) {
  if (s.remote()) return s.local_only("account revoke");
  const config::Config* cfg = s.config();
  if (!cfg) return kUsage;
  Backend* b = s.backend();
  if (!b) return s.unavailable();
  auto r = b->account_revoke(name);
  if (!r) return fail(kRuntime, r.error());
  if (!*r) return fail(kUsage, i18n::trf("no account \"{}\"", name));
  std::printf("%s\n", i18n::trf("account {} revoked: its token no longer works on any gateway", name).c_str());
  return s.audited(kOk, "account-revoke", "", {{"account", name}});
}

int decide(Session& s, const std::string& job, bool approve, const std::string& reason) {
  if (!s.config()) return kUsage;
  if (!approve && util::trimmed(reason).empty()) return fail(kUsage, i18n::tr("a rejection needs --reason"));
  // Checked before anything is done: nothing decided that the trail cannot record.
  if (auto bad = text::reason_problem(reason)) return fail(kUsage, "--reason: " + *bad);
  auto before = s.job(job);
  if (!before) return before.error();
  const std::string actor = local_actor();
  auto d = s.backend()->decide(job, approve, actor, reason);
  if (!d) return s.failed(d.error());
  using store::ControlStore;
  switch (d->result) {
    case ControlStore::Decision::by_sender:
      return fail(kUsage, i18n::trf("job {} was sent by {}: another approver or admin must decide on it", job, actor));
    case ControlStore::Decision::no_job:
      return fail(kUsage, i18n::trf("no job {}", job));
    case ControlStore::Decision::not_waiting:
      return fail(kUsage, i18n::trf("job {} is {}, not awaiting approval", job,
                                    d->state ? jobs::name(*d->state) : std::string_view("?")));
    case ControlStore::Decision::done:
      break;
  }
  std::printf("%s\n", (approve ? i18n::trf("job {} approved: it goes now, or at its time", job)
                               : i18n::trf("job {} rejected", job))
                          .c_str());
  json summary{{"template", before->template_name}, {"wards", before->wards}, {"sender", before->by}};
  if (before->recipients) summary["recipients"] = *before->recipients;
  if (!approve) summary["reason"] = reason;
  return s.audited(kOk, approve ? "approve" : "reject", job, std::move(summary));
}

int purge(Session& s, bool dry_run) {
  if (s.remote()) return s.local_only("purge");
  const config::Config* cfg = s.config();
  if (!cfg) return kUsage;
  Backend* b = s.backend();
  if (!b) return s.unavailable();
  constexpr std::int64_t kDay = 86400000;
  const std::int64_t now = util::now_ms();
  const std::int64_t cutoff = now - cfg->retention.message_days * kDay;
  auto p = b->purge(cutoff, dry_run);
  if (!p) return fail(kRuntime, p.error());
  if (dry_run) {
    std::printf("%s\n", i18n::trf("would remove the numbers and texts of {} job(s), {} message(s), finished before {} "
                                  "(retention.message_days: {}); nothing removed",
                                  p->jobs, p->messages, time_for_people(cutoff, cfg->timezone),
                                  cfg->retention.message_days)
                            .c_str());
    return kOk;
  }
  auto trimmed = b->audit_trim(cfg->retention.audit_days * kDay, local_actor(), local_source());
  if (!trimmed) return fail(kRuntime, trimmed.error());
  std::printf("%s\n", i18n::trf("removed the numbers and texts of {} job(s), {} message(s); {} audit entries older than "
                                "{} days dropped",
                                p->jobs, p->messages, *trimmed, cfg->retention.audit_days)
                          .c_str());
  return s.audited(kOk, "purge", "",
                   {{"jobs", p->jobs}, {"messages", p->messages}, {"audit_entries", *trimmed},
                    {"message_days", cfg->retention.message_days}, {"audit_days", cfg->retention.audit_days}});
}

struct AuditOptions {
  std::string job;
  std::string since;
  bool json = false;
  bool verify = false;
};

// An action as people read it.
std::string action_for_people(const std::string& action) {
  static const std::map<std::string, const char*> kWords{
      {"send", i18n::N_("sent")},
      {"approve", i18n::N_("approved")},
      {"reject", i18n::N_("rejected")},
      {"cancel", i18n::N_("cancelled")},
      {"retry", i18n::N_("resent")},
      {"optout-add", i18n::N_("opted a number out")},
      {"optout-remove", i18n::N_("let a number in again")},
      {"account-add", i18n::N_("created an account")},
      {"account-revoke", i18n::N_("revoked an account")},
      {"reload", i18n::N_("reloaded the config")},
      {"purge", i18n::N_("purged old messages")},
      {"audit-trim", i18n::N_("cut the audit trail's old entries")},
  };
  auto it = kWords.find(action);
  return it == kWords.end() ? action : i18n::tr(it->second);
}

// A summary as people read it: "template treo-co, wards phuong-6, 300 recipients, ...".
std::string summary_for_people(const json& summary) {
  if (!summary.is_object()) return summary.dump();
  std::vector<std::string> parts;
  for (const auto& [k, v] : summary.items()) {
    std::string value;
    if (v.is_string()) value = v.get<std::string>();
    else if (v.is_array()) {
      std::vector<std::string> items;
      for (const auto& x : v) items.push_back(x.is_string() ? x.get<std::string>() : x.dump());
      value = util::join(items, ",");
    } else {
      value = v.dump();
    }
    parts.push_back(k + "=" + value);
  }
  return util::join(parts, " ");
}

int audit(Session& s, const AuditOptions& o) {
  if (s.remote()) return s.local_only("audit");
  const config::Config* cfg = s.config();
  if (!cfg) return kUsage;
  store::AuditStore::Filter f{.job = o.job};
  if (!o.since.empty()) {
    auto at = util::parse_time(o.since, cfg->timezone);
    if (!at) at = util::parse_time(o.since + " 00:00", cfg->timezone);  // a day alone
    if (!at) return fail(kUsage, "--since: " + at.error());
    f.since_ms = *at;
  }
  Backend* b = s.backend();
  if (!b) return s.unavailable();
  if (o.verify) {
    auto v = b->audit_verify(cfg->retention.audit_days * 86400000LL);
    if (!v) return fail(kRuntime, v.error());
    if (!v->problem.empty()) {
      std::printf("%s\n", i18n::trf("the audit trail is NOT intact: {}", v->problem).c_str());
      return kRuntime;
    }
    std::printf("%s\n", i18n::trf("the audit trail is intact: {} entries; its last hash is {}", v->entries,
                                  v->head.empty() ? "-" : v->head)
                            .c_str());
    return kOk;
  }
  json all = json::array();
  auto r = b->audit_read(f, [&](const store::AuditEntry& e) {
    if (o.json) {
      all.push_back({{"id", e.id}, {"time", e.time_ms}, {"actor", e.actor}, {"source", e.source},
                     {"action", e.action}, {"job", e.job}, {"summary", e.summary}, {"prev", e.prev}, {"hash", e.hash}});
      return;
    }
    // Every field escaped (text::printable): a reason with a line break or ESC forges no
    // entry and drives no terminal.
    using text::printable;
    std::printf("%s  %-22s %-26s %-18s %s\n", time_for_people(e.time_ms, cfg->timezone).c_str(), printable(e.actor).c_str(),
                printable(action_for_people(e.action)).c_str(), e.job.empty() ? "-" : printable(e.job).c_str(),
                printable(summary_for_people(e.summary)).c_str());
  });
  if (!r) return fail(kRuntime, r.error());
  if (o.json) std::printf("%s\n", all.dump(-1, ' ', false, json::error_handler_t::replace).c_str());
  return kOk;
}

}  // namespace

void add_trust_commands(CLI::App& app, Session& s, int& exit_code) {
  auto* account_cmd = app.add_subcommand("account", i18n::tr("accounts of the officials' HTTP API"));
  account_cmd->require_subcommand(1);
  account_cmd->footer(i18n::tr("Roles: officer sends, previews, follows, cancels and reports for its wards; approver "
                               "also approves and rejects; admin does everything. A token is printed once, when the "
                               "account is made; Redis keeps only its hash."));
  auto ao = std::make_shared<AccountOptions>();
  auto* add = account_cmd->add_subcommand("add", i18n::tr("make an account and print its token"));
  add->add_option("NAME", ao->name, i18n::tr("the account's name (lower-case letters, digits, hyphens)"))->required();
  add->add_option("--role", ao->role, i18n::tr("officer, approver or admin"))->required()->type_name("ROLE");
  add->add_option("--wards", ao->wards, i18n::tr("the wards it may work with (not for an admin)"))
      ->delimiter(',')
      ->type_name("ID[,ID...]");
  add->callback([&s, &exit_code, ao] { exit_code = account_add(s, *ao); });
  auto* list = account_cmd->add_subcommand("list", i18n::tr("every account: role, wards, when and by whom made"));
  list->add_flag("--json", ao->json, i18n::tr("a JSON list"));
  list->callback([&s, &exit_code, ao] { exit_code = account_list(s, ao->json); });
  auto revoked = std::make_shared<std::string>();
  auto* revoke = account_cmd->add_subcommand("revoke", i18n::tr("remove an account: its token stops working at once"));
  revoke->add_option("NAME", *revoked, i18n::tr("the account's name"))->required();
  revoke->callback([&s, &exit_code, revoked] { exit_code = account_revoke(s, *revoked); });

  auto approved = std::make_shared<std::string>();
  auto* approve = app.add_subcommand("approve", i18n::tr("approve a job awaiting approval (not one you sent)"));
  approve->add_option("JOB", *approved, i18n::tr("the job id"))->required();
  approve->callback([&s, &exit_code, approved] { exit_code = decide(s, *approved, true, ""); });
  auto rejected = std::make_shared<std::pair<std::string, std::string>>();
  auto* reject = app.add_subcommand("reject", i18n::tr("reject a job awaiting approval, saying why"));
  reject->add_option("JOB", rejected->first, i18n::tr("the job id"))->required();
  reject->add_option("--reason", rejected->second, i18n::tr("why (the sender sees it in loa status)"))
      ->required()
      ->type_name("TEXT");
  reject->callback([&s, &exit_code, rejected] { exit_code = decide(s, rejected->first, false, rejected->second); });

  auto purge_dry = std::make_shared<bool>(false);
  auto* purge_cmd = app.add_subcommand("purge", i18n::tr("apply the retention policy now"));
  purge_cmd->footer(i18n::tr("Removes the numbers and texts of jobs finished more than retention.message_days ago "
                             "(their counts, template and wards stay) and audit entries older than "
                             "retention.audit_days. The gateways do it on their own every 10 minutes."));
  purge_cmd->add_flag("--dry-run", *purge_dry, i18n::tr("say what would be removed, remove nothing"));
  purge_cmd->callback([&s, &exit_code, purge_dry] { exit_code = purge(s, *purge_dry); });

  auto uo = std::make_shared<AuditOptions>();
  auto* audit_cmd = app.add_subcommand("audit", i18n::tr("who did what, and when: the audit trail"));
  audit_cmd->footer(i18n::tr("Every entry carries the hash of the one before it: --verify finds an edited, removed or "
                             "inserted entry (exit 1, naming it) and prints the last hash, to keep elsewhere."));
  audit_cmd->add_option("--job", uo->job, i18n::tr("only this job's entries"))->type_name("JOB");
  audit_cmd->add_option("--since", uo->since, i18n::tr("only entries from this time on (DD/MM/YYYY [HH:MM])"))
      ->type_name("WHEN");
  audit_cmd->add_flag("--json", uo->json, i18n::tr("a JSON list"));
  audit_cmd->add_flag("--verify", uo->verify, i18n::tr("check the whole trail's hashes"));
  audit_cmd->callback([&s, &exit_code, uo] { exit_code = audit(s, *uo); });
}

}  // namespace loa::cli
