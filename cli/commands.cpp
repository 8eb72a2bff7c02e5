// The `loa` commands.
#include "core/util/strings.h"
#include "cli/commands.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/config/config.h"
#include "core/jobs/planner.h"
#include "core/phone/phone.h"
#include "core/store/intake_store.h"
#include "core/store/query_store.h"
#include "core/text/message_template.h"
#include "core/util/log.h"
#include "core/util/time.h"
#include "core/wards/resident_list.h"
#include "providers/registry.h"

namespace loa::cli {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int kOk = 0, kRuntime = 1, kUsage = 2;

constexpr const char* kMainHelp = R"(Usage: loa [--config PATH] COMMAND [OPTIONS]

Send and follow SMS announcements to a ward's residents through loa-gatewayd.

Commands:
  send      validate an announcement and enqueue it
  preview   render the messages an announcement would send, with skipped rows
  status    a job's state and message counts
  jobs      recent jobs
  cancel    cancel a job's messages not yet sent
  report    one row per recipient of a job
  retry     resend a job's unknown or failed messages
  optout    manage numbers that must never get a message
  check     validate config, templates and resident lists

Config: --config PATH, else $LOA_CONFIG, else /etc/loa/loa.yaml.
Exit codes: 0 done; 2 bad usage or validation failure (nothing changed); 1 runtime failure.
Run "loa COMMAND --help" for a command's options.
)";

constexpr const char* kSelectorsHelp = R"(  --template NAME       message template (<templates_dir>/NAME.yaml)
  --ward ID[,ID...]     ward(s) whose residents get the message
  --all-wards           every ward list in wards_dir
  --var KEY=VALUE       a template variable (repeatable)
  --area KHOM_AP        only residents of this khóm/ấp (repeatable)
  --tag NHOM            only residents with this tag (repeatable)
)";

struct Args {
  std::vector<std::string> rest;
  size_t i = 0;
  bool done() const { return i >= rest.size(); }
  const std::string& peek() const { return rest[i]; }
  std::optional<std::string> value(const std::string& flag) {
    if (i >= rest.size()) {
      std::fprintf(stderr, "loa: %s needs a value\n", flag.c_str());
      return std::nullopt;
    }
    return rest[i++];
  }
};

bool wants_help(const std::vector<std::string>& args) {
  return std::find_if(args.begin(), args.end(), [](const std::string& a) { return a == "--help" || a == "-h"; }) != args.end();
}

void print_errors(const std::vector<std::string>& errors) {
  for (const auto& e : errors) std::fprintf(stderr, "loa: %s\n", e.c_str());
}

struct Session {
  config::Config cfg;
  std::unique_ptr<store::Redis> redis;

  /// A stage's store, or nullopt after printing why Redis cannot be reached.
  template <typename Store = store::QueryStore>
  std::optional<Store> store() {
    auto j = jobs<Store>();
    if (!j) {
      std::fprintf(stderr, "loa: %s\n", j.error().c_str());
      return std::nullopt;
    }
    return *j;
  }

  template <typename Store = store::QueryStore>
  std::expected<Store, std::string> jobs() {
    if (!redis) {
      auto r = store::Redis::connect(store::redis_url(cfg.redis.url, cfg.state_dir), 3000);
      if (!r) {
        if (cfg.redis.embedded()) return std::unexpected(r.error() + " (is loa-gatewayd running? it starts the embedded Redis)");
        return std::unexpected(r.error());
      }
      redis = std::move(*r);
    }
    return Store(*redis, cfg.redis.prefix);
  }
};

// --- selectors shared by send and preview ------------------------------------------------

struct Selection {
  jobs::JobSpec spec;
  bool all_wards = false;
  bool dry_run = false;
  bool json = false;
  int limit = 10;
};

// Parses selectors and the command's own flags; returns false after printing why.
bool parse_selection(Args& a, const config::Config& cfg, Selection& s, bool is_send) {
  while (!a.done()) {
    std::string flag = a.rest[a.i++];
    std::optional<std::string> v;
    if (flag == "--template") {
      if (!(v = a.value(flag))) return false;
      s.spec.template_name = *v;
    } else if (flag == "--ward") {
      if (!(v = a.value(flag))) return false;
      size_t start = 0;
      while (start <= v->size()) {
        size_t comma = v->find(',', start);
        if (comma == std::string::npos) comma = v->size();
        if (comma > start) s.spec.wards.push_back(v->substr(start, comma - start));
        start = comma + 1;
      }
    } else if (flag == "--all-wards") {
      s.all_wards = true;
    } else if (flag == "--var") {
      if (!(v = a.value(flag))) return false;
      auto eq = v->find('=');
      if (eq == std::string::npos || eq == 0) {
        std::fprintf(stderr, "loa: --var takes KEY=VALUE, got \"%s\"\n", v->c_str());
        return false;
      }
      s.spec.vars[v->substr(0, eq)] = v->substr(eq + 1);
    } else if (flag == "--area") {
      if (!(v = a.value(flag))) return false;
      s.spec.areas.push_back(*v);
    } else if (flag == "--tag") {
      if (!(v = a.value(flag))) return false;
      s.spec.tags.push_back(*v);
    } else if (is_send && flag == "--at") {
      if (!(v = a.value(flag))) return false;
      s.spec.at = *v;
    } else if (is_send && flag == "--urgent") {
      s.spec.urgent = true;
    } else if (is_send && flag == "--key") {
      if (!(v = a.value(flag))) return false;
      if (v->empty()) {
        std::fprintf(stderr, "loa: --key must not be empty\n");
        return false;
      }
      s.spec.key = *v;
    } else if (is_send && flag == "--dry-run") {
      s.dry_run = true;
    } else if (!is_send && flag == "--json") {
      s.json = true;
    } else if (!is_send && flag == "--limit") {
      if (!(v = a.value(flag))) return false;
      try {
        s.limit = std::stoi(*v);
      } catch (...) {
        s.limit = -1;
      }
      if (s.limit < 0) {
        std::fprintf(stderr, "loa: --limit takes a whole number, got \"%s\"\n", v->c_str());
        return false;
      }
    } else {
      std::fprintf(stderr, "loa: unknown option \"%s\" (see --help)\n", flag.c_str());
      return false;
    }
  }
  if (s.spec.template_name.empty()) {
    std::fprintf(stderr, "loa: --template NAME is required\n");
    return false;
  }
  if (s.all_wards) {
    if (!s.spec.wards.empty()) {
      std::fprintf(stderr, "loa: give --ward or --all-wards, not both\n");
      return false;
    }
    s.spec.wards = jobs::ward_ids(cfg);
    if (s.spec.wards.empty()) {
      std::fprintf(stderr, "loa: --all-wards: no <ward-id>.csv in %s\n", cfg.wards_dir.c_str());
      return false;
    }
  }
  if (s.spec.wards.empty()) {
    std::fprintf(stderr, "loa: --ward ID or --all-wards is required\n");
    return false;
  }
  return true;
}

// Parses "JOB [--flag]..." for status and report; false (after saying why) on anything else.
bool parse_job_args(const Args& a, const char* command, std::initializer_list<std::pair<const char*, bool*>> flags,
                    std::string& id) {
  for (const auto& arg : a.rest) {
    bool known = false;
    for (const auto& [name, dst] : flags)
      if (arg == name) known = *dst = true;
    if (known) continue;
    if (arg.rfind("--", 0) == 0 || !id.empty()) {
      std::fprintf(stderr, "loa: unexpected \"%s\" (see loa %s --help)\n", arg.c_str(), command);
      return false;
    }
    id = arg;
  }
  return true;
}

// Parses send's or preview's arguments and validates the job; nullopt after saying why.
std::optional<jobs::Planner> plan_selection(Session& s, Args& a, Selection& sel, bool is_send) {
  if (!parse_selection(a, s.cfg, sel, is_send)) return std::nullopt;
  if (auto why = jobs::check_bounds(sel.spec)) {
    std::fprintf(stderr, "loa: %s\n", why->c_str());
    return std::nullopt;
  }
  auto plan = jobs::Planner::create(s.cfg, sel.spec);
  if (!plan) {
    print_errors(plan.error());
    return std::nullopt;
  }
  return std::move(*plan);
}

std::string encoding_name(bool unicode) { return unicode ? "UCS-2" : "GSM-7"; }

struct Walk {
  jobs::PlanSummary totals;
  std::vector<jobs::PlannedMessage> shown, skipped, too_long;
};

std::expected<Walk, std::string> walk(const jobs::Planner& plan, const std::set<std::string>& opted, int limit) {
  Walk w;
  auto ok = plan.for_each(opted, [&](const jobs::PlannedMessage& m) {
    ++w.totals.rows;
    if (!m.skip_reason.empty()) {
      ++w.totals.skipped;
      w.skipped.push_back(m);
      return true;
    }
    ++w.totals.messages;
    w.totals.segments += m.segments.segments;
    w.totals.unicode += m.segments.unicode ? 1 : 0;
    w.totals.max_segments_seen = std::max(w.totals.max_segments_seen, m.segments.segments);
    if (!m.fail_reason.empty()) {
      ++w.totals.too_long;
      if (w.too_long.size() < 20) w.too_long.push_back(m);
    }
    if (static_cast<int>(w.shown.size()) < limit) w.shown.push_back(m);
    return true;
  });
  if (!ok) return std::unexpected(ok.error());
  return w;
}

std::set<std::string> opted_out_numbers(Session& s, bool required, std::string* error) {
  std::set<std::string> out;
  auto jobs = s.jobs<store::QueryStore>();
  if (!jobs) {
    if (required) *error = jobs.error();
    else std::fprintf(stderr, "loa: note: opt-outs not checked: %s\n", jobs.error().c_str());
    return out;
  }
  auto list = jobs->optout_list();
  if (!list) {
    if (required) *error = list.error();
    return out;
  }
  for (const auto& [d, _] : *list) out.insert(d);
  return out;
}

void print_totals(const Walk& w, const text::MessageTemplate& t) {
  std::printf("%lld row(s): %lld message(s), %lld skipped; %lld segment(s) in all; encoding %s%s\n",
              static_cast<long long>(w.totals.rows), static_cast<long long>(w.totals.messages),
              static_cast<long long>(w.totals.skipped), static_cast<long long>(w.totals.segments),
              t.encoding() == text::Encoding::Ascii ? "ascii (no diacritics)" : "unicode",
              w.totals.unicode ? fmt::format(", {} message(s) need UCS-2", w.totals.unicode).c_str() : "");
}

int refuse_too_long(const Walk& w, const text::MessageTemplate& t) {
  for (const auto& m : w.too_long)
    std::fprintf(stderr, "loa: ward %s row %d: %s\n", m.ward.c_str(), m.row, m.fail_reason.c_str());
  std::fprintf(stderr, "loa: %lld message(s) over max_segments %d of template \"%s\"; nothing was enqueued\n",
               static_cast<long long>(w.totals.too_long), t.max_segments(), t.name().c_str());
  return kUsage;
}

int cmd_send(Session& s, Args& a) {
  if (wants_help(a.rest)) {
    std::printf("Usage: loa send --template NAME (--ward ID[,ID...] | --all-wards) [OPTIONS]\n\n"
                "Validates the announcement (template, variables, wards, segment limit), then enqueues it\n"
                "and prints the job id on the last line.\n\n%s"
                "  --at WHEN             send later: \"YYYY-MM-DD HH:MM\" (config timezone) or ISO 8601\n"
                "  --urgent              ahead of bulk work, and through quiet hours\n"
                "  --key KEY             idempotency key: a repeat enqueues nothing, prints the first id\n"
                "  --dry-run             check everything, enqueue nothing\n",
                kSelectorsHelp);
    return kOk;
  }
  Selection sel;
  auto plan = plan_selection(s, a, sel, true);
  if (!plan) return kUsage;
  if (plan->at_ms() && *plan->at_ms() < util::now_ms() - 60000) {
    std::fprintf(stderr, "loa: --at %s is in the past\n", sel.spec.at->c_str());
    return kUsage;
  }
  std::string error;
  auto opted = opted_out_numbers(s, !sel.dry_run, &error);
  if (!error.empty()) {
    std::fprintf(stderr, "loa: %s\n", error.c_str());
    return kRuntime;
  }
  auto w = walk(*plan, opted, 0);
  if (!w) {
    std::fprintf(stderr, "loa: %s\n", w.error().c_str());
    return kUsage;
  }
  if (w->totals.too_long) return refuse_too_long(*w, plan->message_template());
  if (w->totals.messages == 0) {
    std::fprintf(stderr, "loa: no resident would get a message (all %lld row(s) skipped or filtered out)\n",
                 static_cast<long long>(w->totals.rows));
    return kUsage;
  }
  print_totals(*w, plan->message_template());
  if (sel.dry_run) {
    std::printf("dry run: nothing enqueued\n");
    return kOk;
  }
  jobs::JobSpec spec = sel.spec;
  if (plan->at_ms()) {
    // Fixed to an instant now, so the daemon's reading cannot differ from ours.
    std::string local = util::format_local(*plan->at_ms(), "UTC");
    spec.at = local.substr(0, 10) + "T" + local.substr(11) + "Z";
  }
  auto jobs = s.store<store::IntakeStore>();
  if (!jobs) return kRuntime;
  auto r = jobs->enqueue(spec);
  if (!r) {
    std::fprintf(stderr, "loa: %s\n", r.error().c_str());
    return kRuntime;
  }
  if (!r->created) std::printf("key \"%s\" was already used: nothing enqueued; the first job is:\n", spec.key->c_str());
  std::printf("%s\n", r->id.c_str());
  return kOk;
}

int cmd_preview(Session& s, Args& a) {
  if (wants_help(a.rest)) {
    std::printf("Usage: loa preview --template NAME (--ward ID[,ID...] | --all-wards) [--limit N] [--json]\n\n"
                "Renders the messages (first N, default 10) with encoding and segments, then every\n"
                "skipped row with its reason, and the totals. Enqueues nothing.\n\n%s"
                "  --limit N             how many messages to show (default 10)\n"
                "  --json                one JSON object\n",
                kSelectorsHelp);
    return kOk;
  }
  Selection sel;
  auto plan = plan_selection(s, a, sel, false);
  if (!plan) return kUsage;
  auto opted = opted_out_numbers(s, false, nullptr);
  auto w = walk(*plan, opted, sel.limit);
  if (!w) {
    std::fprintf(stderr, "loa: %s\n", w.error().c_str());
    return kUsage;
  }
  const auto& t = plan->message_template();
  if (sel.json) {
    json out;
    out["template"] = t.name();
    out["messages"] = json::array();
    for (const auto& m : w->shown)
      out["messages"].push_back({{"ward", m.ward}, {"row", m.row}, {"name", m.name}, {"phone", util::mask_phone(m.phone)},
                                 {"text", m.text}, {"encoding", encoding_name(m.segments.unicode)},
                                 {"segments", m.segments.segments}, {"error", m.fail_reason}});
    out["skipped"] = json::array();
    for (const auto& m : w->skipped)
      out["skipped"].push_back({{"ward", m.ward}, {"row", m.row}, {"name", m.name}, {"reason", m.skip_reason}});
    out["totals"] = {{"rows", w->totals.rows}, {"messages", w->totals.messages}, {"skipped", w->totals.skipped},
                     {"segments", w->totals.segments}, {"ucs2", w->totals.unicode}, {"over_limit", w->totals.too_long}};
    std::printf("%s\n", out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return kOk;
  }
  std::printf("Template %s: %s\n\n", t.name().c_str(), t.description().c_str());
  for (const auto& m : w->shown) {
    std::printf("[%s row %d] %s %s — %s, %d segment(s)%s\n  %s\n\n", m.ward.c_str(), m.row, m.name.c_str(),
                util::mask_phone(m.phone).c_str(), encoding_name(m.segments.unicode).c_str(), m.segments.segments,
                m.fail_reason.empty() ? "" : (" — " + m.fail_reason).c_str(), m.text.c_str());
  }
  if (w->totals.messages > static_cast<long long>(w->shown.size()))
    std::printf("... and %lld more message(s)\n\n", static_cast<long long>(w->totals.messages - static_cast<long long>(w->shown.size())));
  if (!w->skipped.empty()) {
    std::printf("Skipped rows:\n");
    for (const auto& m : w->skipped)
      std::printf("  %s row %d (%s): %s\n", m.ward.c_str(), m.row, m.name.empty() ? "no name" : m.name.c_str(), m.skip_reason.c_str());
    std::printf("\n");
  }
  print_totals(*w, t);
  if (w->totals.too_long) std::printf("%lld message(s) over max_segments %d: loa send will refuse this\n",
                                      static_cast<long long>(w->totals.too_long), t.max_segments());
  return kOk;
}

nlohmann::ordered_json status_json(const store::JobStatus& st) {
  nlohmann::ordered_json counts = nlohmann::ordered_json::object();
  for (auto state : jobs::kMessageStates) counts[std::string(jobs::name(state))] = st.count(state);
  nlohmann::ordered_json j;
  j["id"] = st.id;
  j["state"] = st.state_name();
  j["total"] = st.total;
  j["counts"] = counts;
  if (!st.reason.empty()) j["reason"] = st.reason;
  return j;
}

bool terminal(const std::optional<jobs::JobState>& state) { return state && jobs::finished(*state); }

// Why a job's messages are not moving, or "" when nothing holds them back.
std::string waiting_reason(const config::Config& cfg, const store::JobStatus& j) {
  if (j.state == jobs::JobState::scheduled) return "scheduled for " + util::format_local(j.due_ms, cfg.timezone);
  if (terminal(j.state) || j.urgent || !cfg.quiet_hours) return "";
  const auto& q = *cfg.quiet_hours;
  if (!util::in_window(util::minute_of_day(util::now_ms(), cfg.timezone), q.start_minute, q.end_minute)) return "";
  return fmt::format("quiet hours {:02}:{:02}-{:02}:{:02}: sending resumes at {:02}:{:02} (send with --urgent to override)",
                     q.start_minute / 60, q.start_minute % 60, q.end_minute / 60, q.end_minute % 60, q.end_minute / 60,
                     q.end_minute % 60);
}

int cmd_status(Session& s, Args& a) {
  if (wants_help(a.rest) || a.rest.empty()) {
    std::printf("Usage: loa status JOB [--json] [--watch]\n\n"
                "A job's state and its messages by state.\n"
                "  --json    {\"id\",\"state\",\"total\",\"counts\":{...}}\n"
                "  --watch   a live progress line until the job ends\n");
    return a.rest.empty() ? kUsage : kOk;
  }
  std::string id;
  bool as_json = false, watch = false;
  if (!parse_job_args(a, "status", {{"--json", &as_json}, {"--watch", &watch}}, id)) return kUsage;
  auto jobs = s.store();
  if (!jobs) return kRuntime;
  std::int64_t started = util::now_ms(), first_done = -1;
  for (;;) {
    auto st = jobs->status(id);
    if (!st) {
      std::fprintf(stderr, "loa: %s\n", st.error().c_str());
      return kRuntime;
    }
    if (!*st) {
      std::fprintf(stderr, "loa: no job %s\n", id.c_str());
      return kUsage;
    }
    const auto& j = **st;
    using enum jobs::MessageState;
    auto c = [&](jobs::MessageState state) { return static_cast<long long>(j.count(state)); };
    if (as_json && !watch) {
      auto out = status_json(j);
      if (auto why = waiting_reason(s.cfg, j); !why.empty()) out["waiting"] = why;
      std::printf("%s\n", out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
      return kOk;
    }
    long long finished = c(sent) + c(delivered) + c(failed) + c(unknown);
    if (watch) {
      if (first_done < 0) first_done = finished;
      double secs = (util::now_ms() - started) / 1000.0;
      double rate = secs > 0.5 ? (finished - first_done) / secs : 0;
      long long waiting = c(queued) + c(sending);
      std::string eta = rate > 0 ? fmt::format("{:.0f}s left", waiting / rate) : "-";
      std::printf("\r%s %-9s sent %lld  delivered %lld  failed %lld  waiting %lld  %.1f/s  %s   ", j.id.c_str(),
                  std::string(j.state_name()).c_str(), c(sent) + c(delivered), c(delivered), c(failed), waiting, rate,
                  eta.c_str());
      std::fflush(stdout);
      if (terminal(j.state)) {
        std::printf("\n");
        return kOk;
      }
      std::this_thread::sleep_for(std::chrono::seconds(1));
      continue;
    }
    std::printf("job %s: %s\n", j.id.c_str(), std::string(j.state_name()).c_str());
    if (!j.reason.empty()) std::printf("reason: %s\n", j.reason.c_str());
    std::printf("template %s, wards %s, created %s\n", j.template_name.c_str(), j.wards.c_str(),
                util::format_local(j.created_ms, s.cfg.timezone).c_str());
    if (auto why = waiting_reason(s.cfg, j); !why.empty()) std::printf("waiting: %s\n", why.c_str());
    std::printf("total %lld%s:", static_cast<long long>(j.total), j.expanded || terminal(j.state) ? "" : " so far (still expanding)");
    for (auto state : jobs::kMessageStates) std::printf(" %s %lld", std::string(jobs::name(state)).c_str(), c(state));
    std::printf("\n");
    return kOk;
  }
}

int cmd_jobs(Session& s, Args& a) {
  if (wants_help(a.rest)) {
    std::printf("Usage: loa jobs [--ward ID] [--limit N] [--json]\n\nRecent jobs, newest first (default 20).\n");
    return kOk;
  }
  std::string ward;
  int limit = 20;
  bool as_json = false;
  while (!a.done()) {
    std::string flag = a.rest[a.i++];
    std::optional<std::string> v;
    if (flag == "--ward") {
      if (!(v = a.value(flag))) return kUsage;
      ward = *v;
    } else if (flag == "--limit") {
      if (!(v = a.value(flag))) return kUsage;
      try {
        limit = std::stoi(*v);
      } catch (...) {
        limit = 0;
      }
      if (limit <= 0) {
        std::fprintf(stderr, "loa: --limit takes a positive whole number\n");
        return kUsage;
      }
    } else if (flag == "--json") {
      as_json = true;
    } else {
      std::fprintf(stderr, "loa: unknown option \"%s\" (see loa jobs --help)\n", flag.c_str());
      return kUsage;
    }
  }
  auto jobs = s.store();
  if (!jobs) return kRuntime;
  auto list = jobs->list(limit, ward);
  if (!list) {
    std::fprintf(stderr, "loa: %s\n", list.error().c_str());
    return kRuntime;
  }
  if (as_json) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& j : *list) {
      auto o = status_json(j);
      o["template"] = j.template_name;
      o["wards"] = j.wards;
      o["created"] = util::format_local(j.created_ms, s.cfg.timezone);
      out.push_back(o);
    }
    std::printf("%s\n", out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return kOk;
  }
  std::printf("%-18s %-10s %-16s %-20s %7s %7s %7s %7s  %s\n", "JOB", "STATE", "TEMPLATE", "WARDS", "TOTAL", "SENT", "DELIV", "FAILED", "CREATED");
  for (const auto& j : *list) {
    using enum jobs::MessageState;
    auto c = [&](jobs::MessageState state) { return static_cast<long long>(j.count(state)); };
    std::printf("%-18s %-10s %-16s %-20s %7lld %7lld %7lld %7lld  %s%s\n", j.id.c_str(), std::string(j.state_name()).c_str(),
                j.template_name.c_str(), j.wards.c_str(), static_cast<long long>(j.total), c(sent) + c(delivered), c(delivered),
                c(failed),
                util::format_local(j.created_ms, s.cfg.timezone).c_str(), j.reason.empty() ? "" : ("  " + j.reason).c_str());
  }
  return kOk;
}

int cmd_cancel(Session& s, Args& a) {
  if (wants_help(a.rest) || a.rest.size() != 1) {
    std::printf("Usage: loa cancel JOB\n\nMessages not yet handed to a provider become 'cancelled'; sent ones keep their state.\n");
    return a.rest.size() == 1 ? kOk : kUsage;
  }
  auto jobs = s.store();
  if (!jobs) return kRuntime;
  auto r = jobs->cancel(a.rest[0]);
  if (!r) {
    std::fprintf(stderr, "loa: %s\n", r.error().c_str());
    return kRuntime;
  }
  if (!*r) {
    std::fprintf(stderr, "loa: no job %s\n", a.rest[0].c_str());
    return kUsage;
  }
  if (**r == jobs::JobState::done || **r == jobs::JobState::rejected) {
    std::fprintf(stderr, "loa: job %s is already %s; nothing to cancel\n", a.rest[0].c_str(),
                 std::string(jobs::name(**r)).c_str());
    return kUsage;
  }
  std::printf("job %s cancelled\n", a.rest[0].c_str());
  return kOk;
}

// Pads UTF-8 text to `width` characters (printf pads bytes, which misaligns Vietnamese).
std::string pad(const std::string& v, size_t width) {
  size_t chars = 0;
  for (unsigned char c : v) chars += (c & 0xC0) != 0x80;
  return chars >= width ? v : v + std::string(width - chars, ' ');
}

std::string csv_cell(const std::string& v) {
  if (v.find_first_of(",\"\n\r") == std::string::npos) return v;
  std::string out = "\"";
  for (char c : v) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

int cmd_report(Session& s, Args& a) {
  if (wants_help(a.rest) || a.rest.empty()) {
    std::printf("Usage: loa report JOB [--csv] [--full-numbers]\n\n"
                "One row per recipient: row, ward, phone (masked unless --full-numbers), name, status,\n"
                "provider, provider message id, attempts, last error, times.\n"
                "  --csv            CSV for Excel (UTF-8 with BOM, Vietnamese headers)\n"
                "  --full-numbers   show whole phone numbers\n");
    return a.rest.empty() ? kUsage : kOk;
  }
  std::string id;
  bool csv = false, full = false;
  if (!parse_job_args(a, "report", {{"--csv", &csv}, {"--full-numbers", &full}}, id)) return kUsage;
  auto jobs = s.store();
  if (!jobs) return kRuntime;
  auto st = jobs->status(id);
  if (!st) {
    std::fprintf(stderr, "loa: %s\n", st.error().c_str());
    return kRuntime;
  }
  if (!*st) {
    std::fprintf(stderr, "loa: no job %s\n", id.c_str());
    return kUsage;
  }
  const std::string& tz = s.cfg.timezone;
  auto when = [&](std::int64_t ms) { return ms == 0 ? std::string() : util::format_local(ms, tz); };
  if (csv) {
    std::printf("\xEF\xBB\xBF");
    std::printf("Dòng,Phường,Số điện thoại,Họ tên,Trạng thái,Nhà cung cấp,Mã tin,Số lần gửi,Lỗi,Xếp hàng lúc,Gửi lúc,Kết thúc lúc\r\n");
  } else {
    std::printf("%-5s %-12s %-12s %-24s %-10s %-10s %-24s %3s  %s\n", "ROW", "WARD", "PHONE", "NAME", "STATUS", "PROVIDER", "PROVIDER ID", "TRY", "LAST ERROR / TIMES");
  }
  auto r = jobs->for_each_message(id, (*st)->total, [&](const store::MessageRecord& m) {
    const auto& d = m.data;
    const auto& p = m.progress;
    std::string phone = full ? d.phone : util::mask_phone(d.phone);
    std::string attempts = std::to_string(p.attempts);
    std::string state(p.state ? jobs::name(*p.state) : "");
    std::string sent_at = when(p.sent_at == 0 ? p.taken_at : p.sent_at);
    if (csv) {
      std::vector<std::string> cells{d.row,    d.ward,  phone, d.name, state, p.provider, p.provider_id, attempts,
                                     p.error, when(d.queued_at), sent_at, when(p.done_at)};
      std::string line = util::join(cells, ",", csv_cell);
      std::printf("%s\r\n", line.c_str());
    } else {
      std::printf("%-5s %-12s %-12s %s %-10s %-10s %-24s %3s  %s%s%s\n", d.row.c_str(), d.ward.c_str(), phone.c_str(),
                  pad(d.name, 24).c_str(), state.c_str(), p.provider.c_str(), p.provider_id.c_str(), attempts.c_str(),
                  p.error.c_str(), p.error.empty() ? "" : " ", sent_at.c_str());
    }
  });
  if (!r) {
    std::fprintf(stderr, "loa: %s\n", r.error().c_str());
    return kRuntime;
  }
  return kOk;
}

int cmd_retry(Session& s, Args& a) {
  if (wants_help(a.rest) || a.rest.size() != 2 || (a.rest[1] != "--unknown" && a.rest[1] != "--failed")) {
    std::printf("Usage: loa retry JOB (--unknown | --failed)\n\n"
                "Resends, on an operator's word, a job's messages whose outcome is unknown (in flight\n"
                "when a gateway died: the resident may get it twice) or that failed.\n");
    return wants_help(a.rest) ? kOk : kUsage;
  }
  auto jobs = s.store();
  if (!jobs) return kRuntime;
  auto n = jobs->requeue(a.rest[0], a.rest[1] == "--unknown" ? jobs::MessageState::unknown : jobs::MessageState::failed);
  if (!n) {
    std::fprintf(stderr, "loa: %s\n", n.error().c_str());
    return n.error().rfind("no job", 0) == 0 || n.error().find("nothing can be resent") != std::string::npos ? kUsage : kRuntime;
  }
  std::printf("%lld message(s) queued again\n", *n);
  return kOk;
}

int cmd_optout(Session& s, Args& a) {
  const char* usage = "Usage: loa optout add PHONE [--reason TEXT] | remove PHONE | list\n\n"
                      "Numbers that opted out are skipped by every job expanded after the change.\n";
  if (wants_help(a.rest) || a.rest.empty()) {
    std::printf("%s", usage);
    return a.rest.empty() ? kUsage : kOk;
  }
  const std::string sub = a.rest[0];
  auto jobs = s.jobs<store::QueryStore>();
  if (sub == "list") {
    if (!jobs) {
      std::fprintf(stderr, "loa: %s\n", jobs.error().c_str());
      return kRuntime;
    }
    auto list = jobs->optout_list();
    if (!list) {
      std::fprintf(stderr, "loa: %s\n", list.error().c_str());
      return kRuntime;
    }
    for (const auto& [digits, raw] : *list) {
      std::string reason;
      std::int64_t at = 0;
      try {
        auto j = json::parse(raw);
        reason = j.value("reason", "");
        at = j.value("at", std::int64_t{0});
      } catch (const json::exception&) {
      }
      std::printf("0%s\t%s\t%s\n", digits.substr(2).c_str(), util::format_local(at, s.cfg.timezone).c_str(), reason.c_str());
    }
    return kOk;
  }
  if ((sub != "add" && sub != "remove") || a.rest.size() < 2) {
    std::fprintf(stderr, "loa: %s", usage);
    return kUsage;
  }
  auto p = phone::normalize(a.rest[1]);
  if (!p) {
    std::fprintf(stderr, "loa: \"%s\": %s\n", a.rest[1].c_str(), std::string(phone::describe(p.error())).c_str());
    return kUsage;
  }
  std::string reason;
  for (size_t i = 2; i < a.rest.size(); ++i) {
    if (sub == "add" && a.rest[i] == "--reason" && i + 1 < a.rest.size()) reason = a.rest[++i];
    else {
      std::fprintf(stderr, "loa: unexpected \"%s\"\n", a.rest[i].c_str());
      return kUsage;
    }
  }
  if (!jobs) {
    std::fprintf(stderr, "loa: %s\n", jobs.error().c_str());
    return kRuntime;
  }
  if (sub == "add") {
    if (auto r = jobs->optout_add(p->digits, reason); !r) {
      std::fprintf(stderr, "loa: %s\n", r.error().c_str());
      return kRuntime;
    }
    std::printf("%s opted out\n", p->local.c_str());
    return kOk;
  }
  auto r = jobs->optout_remove(p->digits);
  if (!r) {
    std::fprintf(stderr, "loa: %s\n", r.error().c_str());
    return kRuntime;
  }
  std::printf(*r ? "%s removed from opt-outs\n" : "%s was not opted out\n", p->local.c_str());
  return kOk;
}

int cmd_check(Session& s, Args& a) {
  if (wants_help(a.rest)) {
    std::printf("Usage: loa check\n\nValidates the config, every provider section, every template and every resident\n"
                "list. Rows that will be skipped are listed (they are not errors). Exit 2 on any error.\n");
    return kOk;
  }
  std::vector<std::string> errors;
  if (auto p = providers::build_providers(s.cfg, s.cfg.public_url.empty() ? "http://127.0.0.1" : s.cfg.public_url); !p) {
    errors.insert(errors.end(), p.error().begin(), p.error().end());
  } else {
    for (const auto& [name, provider] : *p)
      if (provider->reports_unauthenticated())
        std::printf("%s: warning: provider \"%s\" takes delivery reports from anyone (dlr.insecure): anyone who "
                    "can reach the webhook can mark its messages delivered or failed\n",
                    s.cfg.path.c_str(), name.c_str());
  }
  auto wards = jobs::ward_ids(s.cfg);
  for (const auto& [id, _] : s.cfg.wards)
    if (std::find(wards.begin(), wards.end(), id) == wards.end())
      errors.push_back(fmt::format("{}: ward \"{}\" is named in the config but {} does not exist", s.cfg.path, id,
                                   wards::ward_path(s.cfg.wards_dir, id)));
  long long rows = 0, skipped = 0;
  for (const auto& w : wards) {
    auto reader = wards::ResidentReader::open(wards::ward_path(s.cfg.wards_dir, w));
    if (!reader) {
      errors.push_back(reader.error());
      continue;
    }
    wards::Resident r;
    std::set<std::string> seen;
    long long ward_rows = 0, ward_skipped = 0;
    while ((*reader)->next(r)) {
      ++ward_rows;
      std::string why = r.problem;
      if (why.empty() && !seen.insert(r.phone->digits).second) why = "repeat of an earlier row's number";
      if (!why.empty()) {
        ++ward_skipped;
        std::printf("%s:%d: will be skipped: %s\n", (*reader)->path().c_str(), r.row, why.c_str());
      }
    }
    std::printf("%s: %lld row(s), %lld will be skipped\n", (*reader)->path().c_str(), ward_rows, ward_skipped);
    rows += ward_rows;
    skipped += ward_skipped;
  }
  int templates = 0;
  if (auto loaded = jobs::load_templates(s.cfg)) templates = static_cast<int>(loaded->size());
  else errors.insert(errors.end(), loaded.error().begin(), loaded.error().end());
  print_errors(errors);
  std::printf("%s: %zu ward list(s), %lld row(s) (%lld will be skipped), %d template(s) ok, %zu error(s)\n",
              s.cfg.path.c_str(), wards.size(), rows, skipped, templates, errors.size());
  return errors.empty() ? kOk : kUsage;
}

}  // namespace

int run(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::optional<std::string> config_path;
  size_t i = 0;
  for (; i < args.size(); ++i) {
    if (args[i] == "--config" && i + 1 < args.size()) config_path = args[++i];
    else if (args[i] == "-h" || args[i] == "--help") {
      std::printf("%s", kMainHelp);
      return kOk;
    } else break;
  }
  if (i >= args.size()) {
    std::fprintf(stderr, "%s", kMainHelp);
    return kUsage;
  }
  std::string command = args[i];
  Args rest{std::vector<std::string>(args.begin() + static_cast<long>(i) + 1, args.end()), 0};
  using Handler = int (*)(Session&, Args&);
  static const std::pair<const char*, Handler> kCommands[] = {
      {"send", cmd_send},       {"preview", cmd_preview}, {"status", cmd_status}, {"jobs", cmd_jobs},   {"cancel", cmd_cancel},
      {"report", cmd_report},   {"retry", cmd_retry},     {"optout", cmd_optout}, {"check", cmd_check}};
  Handler handler = nullptr;
  for (const auto& [name, h] : kCommands)
    if (command == name) handler = h;
  if (!handler) {
    std::fprintf(stderr, "loa: unknown command \"%s\" (see loa --help)\n", command.c_str());
    return kUsage;
  }
  if (wants_help(rest.rest)) {
    Session none;
    return handler(none, rest);
  }
  Session s;
  auto cfg = config::load_config(config::resolve_config_path(config_path));
  if (!cfg) {
    print_errors(cfg.error());
    return kUsage;
  }
  s.cfg = std::move(*cfg);
  return handler(s, rest);
}

}  // namespace loa::cli
