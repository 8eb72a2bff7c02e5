// The webhook's endpoints on the daemon's hardened HTTP server.
#include "daemon/webhook_server.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "core/store/redis_holder.h"
#include "core/store/report_store.h"
#include "core/util/encoding.h"
#include "core/util/log.h"
#include "core/util/strings.h"
#include "daemon/metrics.h"

namespace loa::daemon {

namespace {

// What requests meet again and again -- Redis down, reports refused (anyone can send
// those) -- is logged at most every 10 s with a count: requests must not flood the log.
util::LogThrottle& redis_failures() {
  static util::LogThrottle t;
  return t;
}
util::LogThrottle& refused_reports() {
  static util::LogThrottle t;
  return t;
}
util::LogThrottle& spooled_reports() {
  static util::LogThrottle t;
  return t;
}

// Each server thread keeps one Redis connection.
store::Redis* thread_redis(const Context& ctx) {
  thread_local store::RedisHolder holder(ctx.redis_url, "webhook");
  return holder.get();
}

HttpResponse text(unsigned status, std::string body, std::string type = "text/plain") {
  return {.status = status, .body = std::move(body), .content_type = std::move(type)};
}

}  // namespace

WebhookServer::WebhookServer(Context& ctx)
    : ctx_(ctx),
      batcher_(ctx),
      spool_(ctx.fixed.state_dir),
      // More threads than cores: a report request waits on the group commit while the others
      // are parsed and queued, so the commits grow with the providers' concurrency.
      server_("webhook", ctx.fixed.webhook_host, ctx.fixed.webhook_port, ctx.fixed.webhook,
              [this](HttpRequest& r) { return handle(r); }, [](const char* why) { metrics().webhook_dropped(why); },
              kThreads),
      drainer_([this] { drain_spool(); }) {}

WebhookServer::~WebhookServer() { stop(); }

void WebhookServer::stop() {
  server_.stop();
  {
    std::lock_guard lock(drainer_mu_);
    drainer_stop_ = true;
  }
  drainer_wake_.notify_all();
  if (drainer_.joinable()) drainer_.join();
}

void WebhookServer::drain_spool() {
  store::RedisHolder holder(ctx_.redis_url, "report spool");
  for (;;) {
    {
      std::unique_lock lock(drainer_mu_);
      if (drainer_wake_.wait_for(lock, std::chrono::seconds(1), [&] { return drainer_stop_; })) return;
    }
    // While the gateway knows Redis is away, no try of its own (each would be a log line).
    if (!spool_.pending() || !ctx_.redis_down().empty()) continue;
    store::Redis* redis = holder.get();
    if (!redis) continue;
    store::ReportStore reports(*redis, ctx_.fixed.redis_prefix);
    auto drained = spool_.drain([&](const std::string& provider, const std::vector<store::ReportUpdate>& updates)
                                    -> std::expected<void, std::string> {
      auto applied = reports.apply(provider, updates);
      if (!applied) return std::unexpected(applied.error());
      for (std::size_t i = 0; i < applied->size(); ++i)
        metrics().dlr(provider, (*applied)[i].effect, updates[i].state);
      return {};
    });
    if (!drained) {
      holder.drop(drained.error());
      redis_failures().error("webhook: applying the report spool: " + drained.error());
    } else if (*drained > 0) {
      spdlog::info("webhook: applied {} request(s) of reports kept on disk while Redis was away", *drained);
    }
  }
}

HttpResponse WebhookServer::handle(HttpRequest& req) {
  const std::string_view path = req.path;
  const bool get = req.method == "GET" || req.method == "HEAD";
  const bool post = req.method == "POST";
  if (path == "/healthz") {
    if (!get) return text(405, "GET only\n");
    store::Redis* redis = thread_redis(ctx_);
    auto pong = redis ? redis->command({"PING"}) : std::expected<store::Reply, std::string>(std::unexpected("no connection"));
    if (pong) return text(200, "ok\n");
    // Anyone may ask: the answer says no more than that Redis is unreachable. Why (which
    // Redis, what failed) is in the log and systemd's STATUS= (docs/design.md, "The webhook").
    return text(503, "redis unavailable\n");
  }
  if (path == "/metrics") {
    if (!get) return text(405, "GET only\n");
    const auto& token = ctx_.fixed.webhook.metrics_token;
    if (!token.empty() && !util::constant_time_equal(req.header("Authorization"), "Bearer " + token))
      return text(401, "metrics need a bearer token\n");
    store::Redis* redis = thread_redis(ctx_);
    auto body = redis ? render_metrics(ctx_, *redis) : std::expected<std::string, std::string>(std::unexpected("no Redis"));
    if (!body) return text(503, body.error() + "\n");
    return text(200, *body, "text/plain; version=0.0.4");
  }
  constexpr std::string_view dlr = "/dlr/";
  if (path.starts_with(dlr)) {
    // /dlr/<name>, or /dlr/<name>/<token> (the form Loa hands out when a dlr_token is set)
    std::string_view rest = path.substr(dlr.size());
    const auto slash = rest.find('/');
    const std::string_view name = rest.substr(0, slash);
    const std::string_view token = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
    if (name.empty() || (slash != std::string_view::npos && (token.empty() || token.find('/') != std::string_view::npos)))
      return text(404, "not found\n");
    if (!get && !post) return text(405, "GET or POST\n");
    return answer_dlr(req, std::string(name),
                      slash == std::string_view::npos ? std::nullopt : std::optional(util::url_decode(std::string(token))));
  }
  return text(404, "not found\n");
}

HttpResponse WebhookServer::answer_dlr(HttpRequest& req, const std::string& name, const std::optional<std::string>& path_token) {
  auto rt = ctx_.runtime();
  auto it = rt->providers.find(name);
  const config::ProviderConfig* pc = rt->cfg.provider(name);
  if (it == rt->providers.end() || !pc) return text(404, "no such provider\n");

  providers::IncomingReport in;
  in.method = req.method;
  in.url = ctx_.public_url + req.uri;
  in.content_type = req.header("Content-Type");
  if (auto q = req.uri.find('?'); q != std::string::npos)
    for (auto& [k, v] : util::parse_form(req.uri.substr(q + 1))) in.params.emplace(std::move(k), std::move(v));
  if (in.content_type.rfind("application/x-www-form-urlencoded", 0) == 0)
    for (auto& [k, v] : util::parse_form(req.body)) in.params.emplace(std::move(k), std::move(v));
  in.headers = std::move(req.headers);
  in.body = std::move(req.body);

  if (!pc->dlr_token.empty() && !util::constant_time_equal(path_token ? *path_token : in.param("token"), pc->dlr_token)) {
    refused_reports().warn("dlr " + name + ": refused a report without the right token");
    return text(401, "bad token\n");
  }
  auto reports = it->second->parse_report(in);
  if (!reports) {
    bool auth = reports.error().kind == providers::ReportError::Unauthorized;
    refused_reports().warn(fmt::format("dlr {}: {} report: {}", name, auth ? "unauthorised" : "malformed",
                                       util::loggable(util::mask_numbers(reports.error().reason), 200)));
    return text(auth ? 401 : 400, reports.error().reason + "\n");
  }
  // The reports of this request (Infobip sends up to 100) with those of the requests posted
  // meanwhile, in one round trip (the group commit).
  std::vector<store::ReportUpdate> updates;
  updates.reserve(reports->size());
  for (auto& rep : *reports)  // none: intermediate
    if (rep.state)  // the provider's reason masked, as a send's is (dispatcher.cpp)
      updates.push_back({std::move(rep.ref), std::move(rep.provider_id), *rep.state, util::mask_numbers(rep.error)});
  auto applied = batcher_.apply(name, updates);
  if (!applied) {
    // Redis cannot take them: kept on disk, durably, and applied when it is back -- a
    // provider that posts a report once loses nothing (503 only when the disk fails too).
    if (auto kept = spool_.store(name, updates); kept) {
      // Nothing is lost: a warning, and the outage itself is logged by those who meet it.
      spooled_reports().warn("webhook: dlr " + name + ": " + applied.error() + ": reports kept on disk until Redis is back");
      return text(200, "stored\n");
    } else {
      redis_failures().error("webhook: dlr " + name + ": " + applied.error() + "; and not kept: " + kept.error());
    }
    return text(503, "try again later\n");
  }
  // Counted per kind of outcome (one metrics update for a list of 100 alike), and logged
  // (the message named only when a line is written).
  struct Tally {
    store::ReportEffect effect;
    jobs::MessageState state;
    long n;
  };
  std::vector<Tally> tally;
  const bool debug = spdlog::should_log(spdlog::level::debug);
  for (std::size_t i = 0; i < applied->size(); ++i) {
    const auto& [effect, ref] = (*applied)[i];
    const auto state = updates[i].state;
    auto t = std::find_if(tally.begin(), tally.end(), [&](const Tally& x) { return x.effect == effect && x.state == state; });
    if (t == tally.end()) tally.push_back({effect, state, 1});
    else ++t->n;
    const bool odd = effect == store::ReportEffect::unknown || effect == store::ReportEffect::foreign;
    if (!odd && !debug) continue;
    const std::string which = util::loggable(ref.empty() ? "id " + updates[i].provider_id : ref);
    if (effect == store::ReportEffect::unknown)
      spdlog::warn("dlr {}: report for unknown message {}", name, which);
    else if (effect == store::ReportEffect::foreign)
      spdlog::warn("dlr {}: report for message {}, which was never handed to {}: ignored", name, which, name);
    else
      spdlog::debug("dlr {}: {} {} ({})", name, which, jobs::name(state), store::name(effect));
  }
  for (const auto& t : tally) metrics().dlr(name, t.effect, t.state, t.n);
  return text(200, "ok\n");
}

}  // namespace loa::daemon
