// The officials' API: routes, accounts and rights; the work itself is the stores' and the
// planner's, as for `loa` on Redis directly.
#include "daemon/api_server.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <unordered_map>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "core/jobs/planner.h"
#include "core/phone/phone.h"
#include "core/reports/report.h"
#include "core/reports/words.h"
#include "core/store/account_store.h"
#include "core/store/audit_store.h"
#include "core/store/intake_store.h"
#include "core/store/control_store.h"
#include "core/store/optout_store.h"
#include "core/store/query_store.h"
#include "core/store/redis_holder.h"
#include "core/submit/explain.h"
#include "core/submit/submission.h"
#include "core/text/unicode.h"
#include "core/util/encoding.h"
#include "core/util/i18n.h"
#include "core/util/log.h"
#include "core/util/strings.h"
#include "core/util/time.h"
#include "daemon/metrics.h"

namespace loa::daemon {

namespace {

using nlohmann::json;

constexpr std::string_view kPrefix = "/api/v1/";
constexpr int kDefaultLimit = 50, kMaxLimit = 1000;

// Each server thread keeps one Redis connection.
store::Redis* thread_redis(const Context& ctx) {
  thread_local store::RedisHolder holder(ctx.redis_url, "api");
  return holder.get();
}

template <typename Json = json>
HttpResponse answer(unsigned status, const Json& body) {
  return {.status = status, .body = body.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n",
          .content_type = "application/json"};
}
HttpResponse problem(unsigned status, const std::string& message) { return answer(status, {{"error", message}}); }
HttpResponse problems(unsigned status, const std::vector<std::string>& messages) {
  return answer(status, {{"errors", messages}});
}

// Redis failed under a request. The reason (which Redis, what went wrong) goes to the log,
// at most once every 10 s; the caller, who may be anyone (this is answered before a token
// is checked too), learns only that Redis is unavailable (docs/api.md, "The officials' API").
HttpResponse unavailable(const std::string& why) {
  static util::LogThrottle log;
  log.warn("api: Redis unavailable: " + why);
  return problem(503, i18n::tr("Redis unavailable"));
}

using util::query_param;

// Failed tokens by address: after api.token_failures_per_minute in a window of a minute, an address
// is answered 429 until the window ends, without its token being looked at, so that
// guessing tokens costs a minute per ten tries. Bounded: past kTokenAddresses addresses
// the oldest windows are forgotten.
class TokenFailures {
 public:
  static constexpr std::int64_t kTokenWindowMs = 60000;
  static constexpr std::size_t kTokenAddresses = 10000;
  /// Milliseconds `address` must still wait, 0 when it may try.
  std::int64_t wait_ms(const std::string& address, std::int64_t now, int allowed) {
    std::lock_guard lock(mu_);
    auto it = seen_.find(address);
    if (it == seen_.end() || now - it->second.since >= kTokenWindowMs) return 0;
    return it->second.count >= allowed ? kTokenWindowMs - (now - it->second.since) : 0;
  }
  void failed(const std::string& address, std::int64_t now) {
    std::lock_guard lock(mu_);
    if (seen_.size() >= kTokenAddresses)
      std::erase_if(seen_, [&](const auto& e) { return now - e.second.since >= kTokenWindowMs; });
    if (seen_.size() >= kTokenAddresses) seen_.clear();
    auto& w = seen_[address];
    if (now - w.since >= kTokenWindowMs) w = {now, 0};
    ++w.count;
  }

 private:
  struct Window {
    std::int64_t since = 0;
    int count = 0;
  };
  std::mutex mu_;
  std::unordered_map<std::string, Window> seen_;
};

TokenFailures& token_failures() {
  static TokenFailures failures;
  return failures;
}

// Whether the account may see and act on a job sent to `wards` (comma list): every one of
// them must be its own (an admin's are all).
bool may_see(const store::Account& a, const std::string& wards) {
  if (a.role == store::Role::admin) return true;
  for (auto w : util::split(wards, ","))
    if (!w.empty() && !a.may_use(std::string(w))) return false;
  return !wards.empty();
}

// One authenticated request: the account, its Redis, the stores.
struct Call {
  Context& ctx;
  HttpRequest& req;
  store::Redis& redis;
  store::Account account;

  store::QueryStore queries() { return {redis, ctx.fixed.redis_prefix}; }
  store::ControlStore control() { return {redis, ctx.fixed.redis_prefix}; }

  // Records a change; a failure is logged and said in the answer, the change stands.
  void audited(json& body, const std::string& action, const std::string& job, json summary) {
    auto a = store::AuditStore(redis, ctx.fixed.redis_prefix)
                 .append({.actor = account.name, .source = req.client, .action = action, .job = job,
                          .summary = std::move(summary)});
    if (!a) {
      spdlog::error("api: {} by {} was done but not recorded in the audit trail: {}", action, account.name, a.error());
      body["audit"] = "not recorded: " + a.error();
    }
  }
};

HttpResponse templates(Call& c) { return answer(200, jobs::templates_json(c.ctx.runtime()->templates)); }

HttpResponse wards(Call& c) {
  json out = json::array();
  for (const auto& [id, ward] : c.ctx.runtime()->cfg.wards)
    if (c.account.may_use(id)) out.push_back({{"id", id}, {"name", ward.name}, {"kind", ward.kind_word()}});
  return answer(200, out);
}

// A whole number query parameter from `min` to `max`, `fallback` when absent.
std::expected<int, HttpResponse> limit_param(const HttpRequest& req, int fallback, int max, int min = 1) {
  std::string v = query_param(req.uri, "limit");
  if (v.empty()) return fallback;
  int n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || end != v.data() + v.size() || n < min || n > max)
    return std::unexpected(problems(400, {i18n::trf("limit must be a whole number from {} to {}", min, max)}));
  return n;
}

// Who asks, as the submission pipeline knows it: the account, from the client's address.
submit::Asker asker_of(const Call& c) {
  return {.actor = c.account.name,
          .source = c.req.client,
          .every_ward = c.account.role == store::Role::admin,
          .wards = c.account.wards};
}

// A preview (POST /preview) or a send (POST /jobs, ?dry_run=true for every check and no
// enqueue): the one submission pipeline, whose outcome is the answer.
HttpResponse submitted(Call& c, submit::Mode mode) {
  auto limit = limit_param(c.req, 10, 100, 0);
  if (!limit) return limit.error();
  const auto rt = c.ctx.runtime();
  auto request = submit::parse_request(c.req.body, rt->cfg.timezone);
  if (!request) return problems(400, {request.error()});
  request->mode = mode;
  request->limit = *limit;
  if (query_param(c.req.uri, "again") == "true") request->again = true;  // as before the body said it
  const submit::Place place{.cfg = rt->cfg, .templates = &rt->templates, .redis = &c.redis};
  const submit::Outcome o = submit::submit(place, asker_of(c), std::move(*request));
  if (o.verdict == submit::Outcome::Verdict::unavailable) return unavailable(util::join(o.errors, "; "));
  if (!o.audit_error.empty())
    spdlog::error("api: send by {} was done but not recorded in the audit trail: {}", c.account.name, o.audit_error);
  return answer(o.http_status(), o.to_json());
}

HttpResponse list_jobs(Call& c) {
  auto wanted = limit_param(c.req, kDefaultLimit, kMaxLimit);
  if (!wanted) return wanted.error();
  const int limit = *wanted;
  // Another account's jobs are filtered out after reading: read more than asked for.
  const bool admin = c.account.role == store::Role::admin;
  auto list = c.queries().recent(admin ? limit : std::min(kMaxLimit, limit * 10), query_param(c.req.uri, "ward"));
  if (!list) return unavailable(list.error());
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  const auto rt = c.ctx.runtime();
  for (auto& j : *list)
    if (may_see(c.account, j.wards) && static_cast<int>(out.size()) < limit) {
      submit::explain({.cfg = rt->cfg, .templates = &rt->templates, .redis = &c.redis}, j, false, util::now_ms());
      out.push_back(store::job_json(j));
    }
  return answer(200, out);
}

// The job a path names, when the account may see it; otherwise the answer to give.
std::expected<store::JobStatus, HttpResponse> visible_job(Call& c, const std::string& id) {
  auto st = c.queries().find(id);
  if (!st) return std::unexpected(unavailable(st.error()));
  // Another ward's job is answered as an unknown one: a 403 would tell an officer when
  // other wards sent (ids are times).
  if (!*st || !may_see(c.account, (*st)->wards))
    return std::unexpected(problem(404, i18n::trf("no job {}", util::loggable(id, 64))));
  return **st;
}

HttpResponse act_on_job(Call& c, const store::JobStatus& job, const std::string& action) {
  using store::Role;
  json summary{{"template", job.template_name}, {"wards", job.wards}};
  if (action == "cancel") {
    if (job.state == jobs::JobState::submitted)
      return problem(409, i18n::tr("no gateway has taken the job yet: try again in a moment"));
    auto before = c.control().cancel(job.id);
    if (!before) return unavailable(before.error());
    if (*before && (**before == jobs::JobState::done || **before == jobs::JobState::rejected))
      return problem(409, i18n::trf("job {} is already {}; nothing to cancel", job.id, jobs::name(**before)));
    json body{{"id", job.id}, {"state", "cancelled"}, {"was", *before ? jobs::name(**before) : "?"}};
    c.audited(body, "cancel", job.id, summary);
    return answer(200, body);
  }
  if (action == "approve" || action == "reject") {
    if (c.account.role == Role::officer)
      return problem(403, action == "approve" ? i18n::trf("account {} (an officer) may not approve jobs", c.account.name)
                                              : i18n::trf("account {} (an officer) may not reject jobs", c.account.name));
    std::string reason;
    if (action == "reject") {
      auto b = json::parse(c.req.body, nullptr, false);
      if (b.is_object() && b.contains("reason") && b["reason"].is_string()) reason = b["reason"].get<std::string>();
      if (util::trimmed(reason).empty()) return problems(400, {i18n::tr("a rejection needs {\"reason\": \"...\"}")});
      if (auto bad = text::reason_problem(reason)) return problems(400, {*bad});
    }
    auto d = c.control().decide(job.id, action == "approve", c.account.name, reason);
    if (!d) return unavailable(d.error());
    using store::ControlStore;
    if (d->result == ControlStore::Decision::by_sender)
      return problem(403, i18n::trf("job {} was sent by {}: another approver or admin must decide on it", job.id,
                                      c.account.name));
    if (d->result != ControlStore::Decision::done)
      return problem(409, i18n::trf("job {} is {}, not awaiting approval", job.id,
                                      d->state ? jobs::name(*d->state) : std::string_view("?")));
    summary["sender"] = job.by;
    if (job.recipients) summary["recipients"] = *job.recipients;
    if (!reason.empty()) summary["reason"] = reason;
    json body{{"id", job.id}, {"decision", action}};
    c.audited(body, action, job.id, summary);
    return answer(200, body);
  }
  if (action == "retry") {
    if (c.account.role != Role::admin)
      return problem(403, i18n::trf("account {} may not resend messages (an admin's decision)", c.account.name));
    const std::string which = query_param(c.req.uri, "which");
    if (which != "unknown" && which != "failed") return problems(400, {i18n::tr("retry needs ?which=unknown or ?which=failed")});
    auto n = c.control().requeue(job.id, which == "unknown" ? jobs::MessageState::unknown : jobs::MessageState::failed);
    if (!n) return problem(409, n.error());
    summary["which"] = which;
    summary["messages"] = *n;
    json body{{"id", job.id}, {"requeued", *n}};
    c.audited(body, "retry", job.id, summary);
    return answer(200, body);
  }
  return problem(404, i18n::tr("not found"));
}

// The report of a job, as CSV or as the chairman's workbook (written to a temporary file,
// read back and removed: libxlsxwriter writes files).
HttpResponse report(Call& c, const store::JobStatus& job, bool xlsx) {
  const auto rt = c.ctx.runtime();
  const auto& cfg = rt->cfg;
  if (job.purged_ms > 0)
    return problem(410, i18n::trf("the numbers and texts of job {} were removed by retention; its counts remain",
                                    job.id));
  auto q = c.queries();
  reports::MessageWalk walk = [&](const std::function<void(const store::MessageRecord&)>& fn) {
    return q.for_each_message(job.id, job.total, fn);
  };
  const std::string name = "bao-cao-" + job.id + (xlsx ? ".xlsx" : ".csv");
  HttpResponse out{.status = 200};
  out.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + name + "\"");
  if (!xlsx) {
    out.content_type = "text/csv; charset=utf-8";
    out.body = reports::csv_head();
    auto r = walk([&](const store::MessageRecord& m) { out.body += reports::csv_line(reports::row_of(m, cfg, false)); });
    if (!r) return unavailable(r.error());
    return out;
  }
  std::error_code ec;
  const auto tmp = std::filesystem::temp_directory_path(ec);
  std::string path = ((ec ? std::filesystem::path("/tmp") : tmp) / "loa-report-XXXXXX").string();
  int fd = ::mkstemp(path.data());
  if (fd < 0) return problem(500, i18n::trf("cannot make a temporary file like {}", path));
  ::close(fd);
  auto written = reports::write_workbook(path, job, cfg, false, walk);
  if (written) {
    std::ifstream in(path, std::ios::binary);
    out.body.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  std::filesystem::remove(path, ec);
  if (!written) return unavailable(written.error());
  out.content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  return out;
}

// A page of a job's recipients for programs (GET /api/v1/jobs/<id>/messages): those after
// row `after` (1-based place in the job; 0 from the start), of state `state` when given, at
// most `limit`; "next" is the `after` of the following page, null after the last.
HttpResponse messages(Call& c, const store::JobStatus& job) {
  if (job.purged_ms > 0)
    return problem(410, i18n::trf("the numbers and texts of job {} were removed by retention; its counts remain", job.id));
  auto limit = limit_param(c.req, 100, kMaxLimit);
  if (!limit) return limit.error();
  std::int64_t after = 0;
  if (const std::string a = query_param(c.req.uri, "after"); !a.empty()) {
    auto [end, ec] = std::from_chars(a.data(), a.data() + a.size(), after);
    if (ec != std::errc() || end != a.data() + a.size() || after < 0)
      return problems(400, {i18n::tr("after must be a row number (0 or more)")});
  }
  std::optional<jobs::MessageState> state;
  if (const std::string st = query_param(c.req.uri, "state"); !st.empty()) {
    state = jobs::message_state(st);
    if (!state) return problems(400, {i18n::trf("no message state \"{}\"", util::loggable(st, 32))});
  }
  const auto rt = c.ctx.runtime();
  json page = json::array();
  std::int64_t last = after;
  bool more = false;
  auto r = c.queries().scan_messages(job.id, job.total, after, [&](const store::MessageRecord& m) {
    if (state && m.progress.state != state) return true;
    if (static_cast<int>(page.size()) == *limit) {
      more = true;
      return false;
    }
    page.push_back(reports::message_json(m, rt->cfg, false));
    last = m.index + 1;
    return true;
  });
  if (!r) return unavailable(r.error());
  return answer(200, json{{"messages", page}, {"next", more ? json(last) : json(nullptr)}});
}

HttpResponse optouts(Call& c, const std::string& number) {
  if (c.account.role != store::Role::admin)
    return problem(403, i18n::trf("account {} may not change opt-outs (admins do)", c.account.name));
  const bool add = c.req.method == "POST";
  std::string typed = number, reason;
  if (add) {
    auto b = json::parse(c.req.body, nullptr, false);
    if (!b.is_object() || !b.contains("number") || !b["number"].is_string())
      return problems(400, {i18n::tr("the body must be {\"number\": \"...\", \"reason\": \"...\"}")});
    typed = b["number"].get<std::string>();
    if (b.contains("reason") && b["reason"].is_string()) reason = b["reason"].get<std::string>();
    if (auto bad = text::reason_problem(reason)) return problems(400, {*bad});
  }
  auto p = phone::normalize(typed, c.ctx.runtime()->cfg.carriers);
  if (!p) return problems(400, {fmt::format("\"{}\": {}", util::loggable(typed, 40),
                                                reports::reason_for_people(phone::describe(p.error())))});
  store::OptoutStore optouts(c.redis, c.ctx.fixed.redis_prefix);
  json body{{"number", util::mask_phone(p->local)}};
  if (add) {
    if (auto r = optouts.add(p->digits, reason); !r) return unavailable(r.error());
    c.audited(body, "optout-add", "", {{"number", util::mask_phone(p->local)}, {"reason", reason}});
    return answer(200, body);
  }
  auto r = optouts.remove(p->digits);
  if (!r) return unavailable(r.error());
  if (!*r) return problem(404, i18n::tr("that number was not opted out"));
  c.audited(body, "optout-remove", "", {{"number", util::mask_phone(p->local)}});
  return answer(200, body);
}

}  // namespace

i18n::Language language_asked(const std::string& accept, const std::optional<std::string>& configured) {
  std::optional<i18n::Language> best;
  double best_q = 0;
  for (auto item : util::split(accept, ",")) {
    auto params = util::split(item, ";");
    if (params.empty()) continue;
    std::string tag(params.front());
    for (char& ch : tag) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    double q = 1;
    for (std::size_t i = 1; i < params.size(); ++i) {
      auto p = params[i];
      if (p.starts_with("q=")) {
        auto v = p.substr(2);
        double parsed = 0;
        auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), parsed);
        q = ec == std::errc() && end == v.data() + v.size() && parsed >= 0 && parsed <= 1 ? parsed : 0;
      }
    }
    std::optional<i18n::Language> l;
    if (tag == "vi" || tag.starts_with("vi-")) l = i18n::Language::Vietnamese;
    else if (tag == "en" || tag.starts_with("en-")) l = i18n::Language::English;
    if (l && q > best_q) {
      best = l;
      best_q = q;
    }
  }
  if (best) return *best;
  if (configured) return *configured == "en" ? i18n::Language::English : i18n::Language::Vietnamese;
  return i18n::Language::Vietnamese;
}

ApiServer::ApiServer(Context& ctx)
    : ctx_(ctx),
      server_("api", ctx.fixed.api->host, ctx.fixed.api->port, ctx.fixed.api->limits,
              [this](HttpRequest& r) { return handle(r); }, [](const char*) {}) {}

HttpResponse ApiServer::handle(HttpRequest& req) {
  const auto rt = ctx_.runtime();
  const i18n::Language language = language_asked(req.header("Accept-Language"), rt->cfg.language);
  i18n::ThreadLanguage speaking(language);
  HttpResponse out = route(req);
  out.headers.emplace_back("Content-Language", language == i18n::Language::English ? "en" : "vi");
  return out;
}

HttpResponse ApiServer::route(HttpRequest& req) {
  if (!req.path.starts_with(kPrefix)) return problem(404, i18n::tr("not found"));
  const std::string auth = req.header("Authorization");
  if (!auth.starts_with("Bearer ") || auth.size() <= 7) {
    auto r = problem(401, i18n::tr("a valid token is needed: Authorization: Bearer <token>"));
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
    return r;
  }
  const std::int64_t now = util::steady_ms();
  if (const std::int64_t wait = token_failures().wait_ms(req.client, now, ctx_.fixed.api->token_failures_per_minute);
      wait > 0) {
    metrics().token_refused(true);
    auto r = problem(429, i18n::trf("too many unknown tokens from this address: try again in {} s", (wait + 999) / 1000));
    r.headers.emplace_back("Retry-After", std::to_string((wait + 999) / 1000));
    return r;
  }
  store::Redis* redis = thread_redis(ctx_);
  if (!redis) return unavailable(i18n::tr("no connection"));
  auto account = store::AccountStore(*redis, ctx_.fixed.redis_prefix).by_token(auth.substr(7));
  if (!account) return unavailable(account.error());
  if (!*account) {
    static util::LogThrottle log;
    token_failures().failed(req.client, now);
    metrics().token_refused(false);
    log.warn("api: refused an unknown or revoked token from " + util::loggable(req.client, 64));
    auto r = problem(401, i18n::tr("unknown or revoked token"));
    r.headers.emplace_back("WWW-Authenticate", "Bearer error=\"invalid_token\"");
    return r;
  }
  Call c{ctx_, req, *redis, std::move(**account)};
  const std::string rest = req.path.substr(kPrefix.size());
  const std::vector<std::string_view> parts = util::split(rest, "/");
  const bool get = req.method == "GET", post = req.method == "POST";
  if (rest == "templates") return get ? templates(c) : problem(405, i18n::tr("GET only"));
  if (rest == "wards") return get ? wards(c) : problem(405, i18n::tr("GET only"));
  if (rest == "preview") return post ? submitted(c, submit::Mode::preview) : problem(405, i18n::tr("POST only"));
  if (rest == "jobs")
    return post  ? submitted(c, query_param(c.req.uri, "dry_run") == "true" ? submit::Mode::check : submit::Mode::send)
           : get ? list_jobs(c)
                 : problem(405, i18n::tr("GET or POST"));
  if (parts.size() >= 2 && parts.size() <= 3 && parts[0] == "jobs" && !parts[1].empty()) {
    auto job = visible_job(c, std::string(parts[1]));
    if (!job) return job.error();
    if (parts.size() == 2) {
      if (!get) return problem(405, i18n::tr("GET only"));
      const auto rt = ctx_.runtime();
      submit::explain({.cfg = rt->cfg, .templates = &rt->templates, .redis = redis}, *job, true, util::now_ms());
      return answer(200, store::job_json(*job));
    }
    if (parts[2] == "messages") return get ? messages(c, *job) : problem(405, i18n::tr("GET only"));
    if (parts[2] == "report.csv" || parts[2] == "report.xlsx")
      return get ? report(c, *job, parts[2] == "report.xlsx") : problem(405, i18n::tr("GET only"));
    if (!post) return problem(405, i18n::tr("POST only"));
    return act_on_job(c, *job, std::string(parts[2]));
  }
  if (rest == "optouts") return post ? optouts(c, "") : problem(405, i18n::tr("POST only"));
  if (parts.size() == 2 && parts[0] == "optouts" && !parts[1].empty())
    return req.method == "DELETE" ? optouts(c, util::url_decode(std::string(parts[1]))) : problem(405, i18n::tr("DELETE only"));
  return problem(404, i18n::tr("not found"));
}

}  // namespace loa::daemon
