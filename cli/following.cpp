// The following commands: status, jobs, report.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/api_client.h"
#include "cli/session.h"

#include "cli/words.h"
#include "core/reports/report.h"
#include "core/submit/submission.h"
#include "core/jobs/planner.h"
#include "core/phone/phone.h"
#include "core/text/segments.h"
#include "core/text/unicode.h"
#include "core/util/i18n.h"
#include "core/util/log.h"
#include "core/util/strings.h"
#include "core/util/time.h"

namespace loa::cli {

namespace {

using jobs::MessageState;
using nlohmann::ordered_json;

long long count(const store::JobStatus& j, MessageState s) { return static_cast<long long>(j.count(s)); }
std::string state_name(const store::JobStatus& j) { return std::string(j.state_name()); }
bool finished(const store::JobStatus& j) { return j.state && jobs::finished(*j.state); }

// What the job waits for, in words, or "" when nothing holds it back (the backend's
// explanation, core/submit/explain.h: the same on Redis and through the API).
std::string waiting_text(const store::JobStatus& j) {
  auto w = j.details.find("waiting");
  if (w == j.details.end() || !w->is_object()) return "";
  auto t = w->find("text");
  return t != w->end() && t->is_string() ? t->get<std::string>() : "";
}

// Whether the job only waits: something holds it and no message has gone anywhere yet.
bool only_waiting(const store::JobStatus& j) {
  using enum MessageState;
  return !waiting_text(j).empty() && count(j, sent) + count(j, delivered) + count(j, failed) + count(j, unknown) == 0;
}

// What an approver is asked to approve (the backend's "asked"): units, variables,
// recipients and cost, and the text the first recipient would get.
void print_asked(const store::JobStatus& j) {
  auto a = j.details.find("asked");
  if (a == j.details.end() || !a->is_object()) return;
  using text::printable;
  std::vector<std::string> wards, vars;
  for (const auto& w : a->value("wards", nlohmann::json::array()))
    if (w.is_object()) wards.push_back(fmt::format("{} ({})", w.value("name", ""), w.value("id", "")));
  if (auto v = a->find("vars"); v != a->end() && v->is_object())
    for (const auto& [k, val] : v->items()) vars.push_back(k + "=" + (val.is_string() ? val.get<std::string>() : val.dump()));
  std::printf("%s\n", i18n::tr("asked to approve:"));
  std::printf("  %s\n", i18n::trf("units: {}", printable(util::join(wards, ", "))).c_str());
  std::printf("  %s\n", i18n::trf("variables: {}", vars.empty() ? i18n::tr("none") : printable(util::join(vars, "; "))).c_str());
  const auto cost = a->find("cost");
  nlohmann::json totals{{"cost", cost != a->end() && cost->is_number_integer()
                                     ? nlohmann::json{{"amount", *cost}, {"currency", a->value("currency", "")}}
                                     : nlohmann::json(nullptr)}};
  std::printf("  %s\n", i18n::trf("recipients: {}, {} segment(s), {}", a->value("recipients", 0), a->value("segments", 0),
                                  submit::cost_words(totals))
                            .c_str());
  if (auto t = a->find("text"); t != a->end() && t->is_string())
    std::printf("  %s\n", i18n::trf("the text (first recipient): {}", printable(t->get<std::string>())).c_str());
  for (const auto& e : a->value("errors", nlohmann::json::array()))
    if (e.is_string()) std::printf("  %s\n", i18n::trf("it would now be refused: {}", printable(e.get<std::string>())).c_str());
}

// A job's state for people: Loa's name in English, else in Vietnamese.
std::string job_state_text(const store::JobStatus& j) {
  if (!j.state || i18n::current() == i18n::Language::English) return state_name(j);
  using enum jobs::JobState;
  switch (*j.state) {
    case scheduled: return "đã hẹn giờ";
    case queued: return "đang chờ";
    case expanding: return "đang chuẩn bị tin";
    case sending: return "đang gửi";
    case done: return "xong";
    case cancelled: return "đã hủy";
    case rejected: return "bị từ chối";
    case submitted: return "chờ gateway nhận";
    case awaiting_approval: return "chờ duyệt";
  }
  return "?";
}

// Every message state with its count: " queued 0 sending 0 sent 3 ...", alike in `status`
// and `status --watch`.
std::string counts_text(const store::JobStatus& j) {
  std::string out;
  for (auto state : jobs::kMessageStates)
    out += fmt::format(" {} {}", i18n::current() == i18n::Language::English ? jobs::name(state) : vi_state(state),
                       count(j, state));
  return out;
}

struct StatusOptions {
  std::string job;
  bool json = false, watch = false;
};

int status(Session& s, const StatusOptions& o) {
  const config::Config* cfg = s.config();
  if (!cfg) return kUsage;
  const std::int64_t started = util::now_ms();
  long long first_done = -1;
  for (;;) {
    auto j = s.job(o.job);
    if (!j) return j.error();
    if (o.json && !o.watch) {
      auto out = store::status_json(*j);
      if (auto why = waiting_text(*j); !why.empty()) {
        out["waiting"] = why;
        out["waiting_for"] = j->details["waiting"];
      }
      if (j->details.contains("asked")) out["asked"] = j->details["asked"];
      std::printf("%s\n", out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
      return kOk;
    }
    using enum MessageState;
    const long long done = count(*j, sent) + count(*j, delivered) + count(*j, failed) + count(*j, unknown);
    if (o.watch) {
      // The same counts as plain `status`, on one line that rewrites itself.
      if (first_done < 0) first_done = done;
      const double secs = static_cast<double>(util::now_ms() - started) / 1000.0;
      const double rate = secs > 0.5 ? static_cast<double>(done - first_done) / secs : 0;
      const long long waiting = count(*j, queued) + count(*j, sending);
      const std::string eta = rate > 0 ? fmt::format("{:.0f}s left", static_cast<double>(waiting) / rate) : "-";
      std::printf("\r%s %s %s:%s  %.1f/s  %s   ", j->id.c_str(), job_state_text(*j).c_str(),
                  i18n::trf("total {}", j->total).c_str(), counts_text(*j).c_str(), rate, eta.c_str());
      std::fflush(stdout);
      if (finished(*j)) {
        std::printf("\n");
        return kOk;
      }
      std::this_thread::sleep_for(std::chrono::seconds(1));
      continue;
    }
    // What came from Redis or a server is shown with its control characters escaped
    // (text::printable): a reason typed with a line break or ESC forges nothing here.
    using text::printable;
    // A job that only waits (quiet hours) is not "sending" to the person reading this.
    const bool waits = only_waiting(*j);
    using JS = jobs::JobState;
    const bool held = waits && (j->state == JS::queued || j->state == JS::expanding || j->state == JS::sending);
    std::printf("%s\n",
                i18n::trf("job {}: {}", printable(j->id), held ? std::string(i18n::tr("waiting")) : job_state_text(*j)).c_str());
    if (!j->reason.empty())
      std::printf("%s\n", i18n::trf("reason: {}", printable(reports::reason_for_people(j->reason))).c_str());
    std::printf("%s\n", i18n::trf("template {}, wards {}, created {}", printable(j->template_name), printable(j->wards),
                                   time_for_people(j->created_ms, cfg->timezone))
                             .c_str());
    if (auto why = waiting_text(*j); !why.empty())
      std::printf("%s\n", i18n::trf("waiting: {}", printable(why)).c_str());
    print_asked(*j);
    if (!finished(*j))
      if (auto b = s.try_backend(); b)
        for (const auto& p : cfg->providers)
          if (auto pause = (*b)->paused(p.name); pause && *pause)
            std::printf("%s\n", i18n::trf("provider {} paused for {} more min: it refuses the account ({}); its messages go "
                                           "to the next provider of their route or wait: tell the operator",
                                           p.name, ((*pause)->left_ms + 59999) / 60000, printable((*pause)->reason))
                                     .c_str());
    if (waits && j->total == 0) {
      // Nothing made yet: no "total 0 so far", but how many it will go to when that is known.
      if (j->recipients) std::printf("%s\n", i18n::trf("recipients: {}", *j->recipients).c_str());
      return kOk;
    }
    std::printf("%s%s:%s\n", i18n::trf("total {}", j->total).c_str(),
                j->expanded || finished(*j) ? "" : i18n::tr(" so far (still expanding)"), counts_text(*j).c_str());
    if (const long long unknown = count(*j, MessageState::unknown); unknown > 0 && finished(*j))
      std::printf("%s\n", i18n::trf("{} message(s) ended unknown: they may or may not have reached the phone; "
                                     "loa retry {} --unknown sends them again (a resident may get one twice)",
                                     unknown, printable(j->id))
                               .c_str());
    return kOk;
  }
}

struct JobsOptions {
  std::string ward;
  int limit = 20;
  bool json = false;
};

int list_jobs(Session& s, const JobsOptions& o) {
  const config::Config* cfg = s.config();
  if (!cfg) return kUsage;
  Backend* b = s.backend();
  if (!b) return s.unavailable();
  auto list = b->jobs(o.limit, o.ward);
  if (!list) return s.failed(list.error());
  if (o.json) {
    ordered_json out = ordered_json::array();
    for (const auto& j : *list) {
      auto one = store::status_json(j);
      one["template"] = j.template_name;
      one["wards"] = j.wards;
      one["created"] = util::format_local(j.created_ms, cfg->timezone);
      if (auto why = waiting_text(j); !why.empty()) one["waiting"] = why;
      out.push_back(one);
    }
    std::printf("%s\n", out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return kOk;
  }
  std::printf("%-18s %s %-16s %-20s %7s %7s %7s %7s  %s\n", i18n::tr("JOB"), pad(i18n::tr("STATE"), 10).c_str(),
              i18n::tr("TEMPLATE"), i18n::tr("WARDS"), i18n::tr("TOTAL"), i18n::tr("SENT"), i18n::tr("DELIV"),
              i18n::tr("FAILED"), i18n::tr("CREATED"));
  using enum MessageState;
  for (const auto& j : *list) {
    // Who must act on a job awaiting approval; why another ended as it did.
    const std::string waiting = waiting_text(j);
    const std::string note = !waiting.empty() ? waiting : reason_for_people(j.reason);
    std::printf("%-18s %s %-16s %-20s %7lld %7lld %7lld %7lld  %s%s\n", text::printable(j.id).c_str(),
                pad(job_state_text(j), 10).c_str(), text::printable(j.template_name).c_str(), text::printable(j.wards).c_str(),
                static_cast<long long>(j.total), count(j, sent) + count(j, delivered), count(j, delivered), count(j, failed),
                util::format_local(j.created_ms, cfg->timezone).c_str(), note.empty() ? "" : ("  " + text::printable(note)).c_str());
  }
  return kOk;
}

struct ReportOptions {
  std::string job, xlsx;
  bool csv = false, full_numbers = false, json = false;
};

// One JSON object a line per recipient (reports::message_json), on either backend.
int json_report(Session& s, const ReportOptions& o) {
  if (o.full_numbers && s.remote())
    return fail(kUsage, i18n::tr("--full-numbers is for the gateway's own admin: through --server numbers stay masked"));
  auto j = s.job(o.job);
  if (!j) return j.error();
  if (j->purged_ms > 0)
    return fail(kUsage, i18n::trf("the numbers and texts of job {} were removed by retention; its counts remain", o.job));
  auto r = s.backend()->message_objects(o.job, j->total, o.full_numbers, [](const nlohmann::json& m) {
    std::printf("%s\n", m.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  });
  return r ? kOk : s.failed(r.error());
}

// A report through the API: CSV (also for the screen: the table needs every message's
// record, which the API gives only as the report) or the workbook. Numbers stay masked.
int remote_report(Session& s, const ReportOptions& o) {
  if (o.full_numbers)
    return fail(kUsage, i18n::tr("--full-numbers is for the gateway's own admin: through --server numbers stay masked"));
  ApiClient* api = s.api();
  if (!api) return kUsage;
  const bool xlsx = !o.xlsx.empty();
  auto a = api->call("GET", "jobs/" + url_segment(o.job) + (xlsx ? "/report.xlsx" : "/report.csv"), "",
                     ApiClient::kMaxReportBytes);
  if (!a) return fail(kRuntime, a.error());
  if (!a->ok()) {
    for (const auto& e : a->errors()) fail(kUsage, e);
    return a->status >= 400 && a->status < 500 ? kUsage : kRuntime;
  }
  if (!xlsx) {
    std::fwrite(a->body.data(), 1, a->body.size(), stdout);
    return kOk;
  }
  std::FILE* f = std::fopen(o.xlsx.c_str(), "wb");
  if (!f || std::fwrite(a->body.data(), 1, a->body.size(), f) != a->body.size() || std::fclose(f) != 0) {
    if (f) std::fclose(f);
    return fail(kRuntime, i18n::trf("cannot write {}", o.xlsx));
  }
  std::printf("%s\n", o.xlsx.c_str());
  return kOk;
}

int report(Session& s, const ReportOptions& o) {
  if (o.json) return json_report(s, o);
  if (s.remote()) return remote_report(s, o);
  const config::Config* cfg = s.config();
  if (!cfg) return kUsage;
  auto j = s.job(o.job);
  if (!j) return j.error();
  if (j->purged_ms > 0)
    return fail(kUsage, i18n::trf("the numbers and texts of job {} were removed on {} (retention: {} days after it "
                                  "finished); loa status {} still has its counts",
                                  o.job, time_for_people(j->purged_ms, cfg->timezone), cfg->retention.message_days, o.job));
  reports::MessageWalk walk = [&](const std::function<void(const store::MessageRecord&)>& fn) {
    return s.backend()->messages(o.job, j->total, fn);
  };
  if (!o.xlsx.empty()) {
    if (auto r = reports::write_workbook(o.xlsx, *j, *cfg, o.full_numbers, walk); !r) return fail(kRuntime, r.error());
    std::printf("%s: %lld recipient(s)\n", o.xlsx.c_str(), static_cast<long long>(j->total));
    return kOk;
  }
  if (o.csv) {
    std::fputs(reports::csv_head().c_str(), stdout);
    auto r = walk([&](const store::MessageRecord& m) {
      std::fputs(reports::csv_line(reports::row_of(m, *cfg, o.full_numbers)).c_str(), stdout);
    });
    return r ? kOk : fail(kRuntime, r.error());
  }
  auto when = [&](std::int64_t ms) { return ms == 0 ? std::string() : util::format_local(ms, cfg->timezone); };
  std::printf("%-5s %s %s %s %s %s %s %3s  %s\n", i18n::tr("ROW"), pad(i18n::tr("WARD"), 12).c_str(),
              pad(i18n::tr("PHONE"), 12).c_str(), pad(i18n::tr("NAME"), 24).c_str(), pad(i18n::tr("STATUS"), 10).c_str(),
              pad(i18n::tr("PROVIDER"), 10).c_str(), pad(i18n::tr("PROVIDER ID"), 24).c_str(), i18n::tr("TRY"),
              i18n::tr("LAST ERROR / TIMES"));
  const bool english = i18n::current() == i18n::Language::English;
  auto r = walk([&](const store::MessageRecord& m) {
    const auto& d = m.data;
    const auto& p = m.progress;
    const std::string phone = o.full_numbers ? d.phone : util::mask_phone(d.phone);
    const std::string state(!p.state ? "" : english ? jobs::name(*p.state) : vi_state(*p.state));
    const std::string sent_at = when(p.sent_at == 0 ? p.taken_at : p.sent_at);
    using text::printable;
    std::printf("%-5s %-12s %-12s %s %-10s %-10s %-24s %3d  %s%s%s\n", printable(d.row).c_str(), printable(d.ward).c_str(),
                printable(phone).c_str(), pad(printable(d.name), 24).c_str(), state.c_str(), printable(p.provider).c_str(),
                printable(p.provider_id).c_str(), p.attempts, printable(reason_for_people(p.error)).c_str(),
                p.error.empty() ? "" : " ", sent_at.c_str());
  });
  return r ? kOk : fail(kRuntime, r.error());
}

}  // namespace

void add_following_commands(CLI::App& app, Session& s, int& exit_code) {
  auto* status_cmd = app.add_subcommand("status", i18n::tr("a job's state and its messages by state"));
  auto so = std::make_shared<StatusOptions>();
  status_cmd->add_option("JOB", so->job, i18n::tr("the job id (printed by loa send)"))->required();
  status_cmd->add_flag("--json", so->json, i18n::tr("{\"id\",\"state\",\"total\",\"counts\":{...}}"));
  status_cmd->add_flag("--watch", so->watch, i18n::tr("a live progress line until the job ends"));
  status_cmd->callback([&s, &exit_code, so] { exit_code = status(s, *so); });

  auto* jobs_cmd = app.add_subcommand("jobs", i18n::tr("recent jobs, newest first"));
  auto jo = std::make_shared<JobsOptions>();
  jobs_cmd->add_option("--ward", jo->ward, i18n::tr("only jobs sent to this ward"))->type_name("ID");
  jobs_cmd->add_option("--limit", jo->limit, i18n::tr("how many"))->capture_default_str()->check(CLI::Range(1, 100000))->type_name("N");
  jobs_cmd->add_flag("--json", jo->json, i18n::tr("a JSON list"));
  jobs_cmd->callback([&s, &exit_code, jo] { exit_code = list_jobs(s, *jo); });

  auto* report_cmd = app.add_subcommand("report", i18n::tr("one row per recipient of a job"));
  report_cmd->footer(
      i18n::tr("One row per recipient: row, ward, phone (masked unless --full-numbers), name, status, provider, provider "
      "message id, attempts, last error, times."));
  auto ro = std::make_shared<ReportOptions>();
  report_cmd->add_option("JOB", ro->job, i18n::tr("the job id"))->required();
  auto* csv_flag = report_cmd->add_flag("--csv", ro->csv, i18n::tr("CSV for Excel (UTF-8 with BOM, Vietnamese headers and states)"));
  auto* xlsx_opt = report_cmd->add_option("--xlsx", ro->xlsx, i18n::tr("an Excel workbook for the chairman: a summary sheet and one row per recipient"))
      ->type_name("FILE")
      ->excludes(csv_flag);
  report_cmd->add_flag("--full-numbers", ro->full_numbers, i18n::tr("show whole phone numbers"));
  report_cmd->add_flag("--json", ro->json,
                       i18n::tr("one JSON object a line per recipient, English keys and states (for programs)"))
      ->excludes(csv_flag)
      ->excludes(xlsx_opt);
  report_cmd->callback([&s, &exit_code, ro] { exit_code = report(s, *ro); });
}

}  // namespace loa::cli
