// Webhook endpoints on cpp-httplib.
#include "daemon/webhook_server.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include "core/store/job_store.h"
#include "daemon/metrics.h"
#include "providers/encoding.h"
#include "providers/generic_http.h"

namespace loa::daemon {

namespace {

// Each server thread keeps one Redis connection.
store::Redis* thread_redis(const Context& ctx) {
  thread_local std::unique_ptr<store::Redis> redis;
  if (!redis) {
    auto r = store::Redis::connect(ctx.redis_url, 2000);
    if (!r) {
      spdlog::error("webhook: {}", r.error());
      return nullptr;
    }
    redis = std::move(*r);
  }
  return redis.get();
}

providers::IncomingReport incoming(const Context& ctx, const httplib::Request& req) {
  providers::IncomingReport in;
  in.method = req.method;
  in.url = ctx.public_url + req.target;
  in.body = req.body;
  in.content_type = req.get_header_value("Content-Type");
  for (const auto& [k, v] : req.params) in.params.emplace(k, v);
  for (const auto& [k, v] : req.headers) in.headers.emplace(k, v);
  return in;
}

}  // namespace

WebhookServer::WebhookServer(Context& ctx) : ctx_(ctx), server_(std::make_unique<httplib::Server>()) {
  server_->set_payload_max_length(kMaxBody);
  server_->new_task_queue = [] { return new httplib::ThreadPool(32); };
  server_->set_keep_alive_max_count(100000);
  server_->set_tcp_nodelay(true);

  auto dlr = [this](const httplib::Request& req, httplib::Response& res) {
    const std::string name = req.matches[1];
    auto rt = ctx_.runtime();
    auto it = rt->providers.find(name);
    const config::ProviderConfig* pc = rt->cfg.provider(name);
    if (it == rt->providers.end() || !pc) {
      res.status = 404;
      res.set_content("no such provider\n", "text/plain");
      return;
    }
    if (req.body.size() > kMaxBody) {
      res.status = 413;
      res.set_content("report over 64 KiB\n", "text/plain");
      return;
    }
    if (!pc->dlr_token.empty() && !providers::constant_time_equal(req.get_param_value("token"), pc->dlr_token)) {
      spdlog::warn("dlr {}: refused a report without the right token", name);
      res.status = 401;
      res.set_content("bad token\n", "text/plain");
      return;
    }
    auto reports = it->second->parse_report(incoming(ctx_, req));
    if (!reports) {
      bool auth = reports.error().kind == providers::ReportError::Unauthorized;
      spdlog::warn("dlr {}: {} report: {}", name, auth ? "unauthorised" : "malformed", reports.error().reason);
      res.status = auth ? 401 : 400;
      res.set_content(reports.error().reason + "\n", "text/plain");
      return;
    }
    store::Redis* redis = thread_redis(ctx_);
    if (!redis) {
      res.status = 503;
      res.set_content("Redis unavailable\n", "text/plain");
      return;
    }
    // All the reports of one request in one round trip (Infobip sends up to 100).
    std::vector<store::ReportUpdate> updates;
    for (const auto& rep : *reports)
      if (!rep.state.empty()) updates.push_back({rep.ref, rep.provider_id, rep.state, rep.error});  // "": intermediate
    store::JobStore jobs(*redis, ctx_.cfg.redis.prefix);
    auto applied = jobs.apply_reports(name, updates);
    if (!applied) {
      spdlog::error("dlr {}: {}", name, applied.error());
      res.status = 503;
      return;
    }
    for (std::size_t i = 0; i < applied->size(); ++i) {
      const auto& [result, ref] = (*applied)[i];
      metrics().dlr(result);
      if (result == "unknown")
        spdlog::warn("dlr {}: report for unknown message {}", name, ref.empty() ? "id " + updates[i].provider_id : ref);
      else
        spdlog::debug("dlr {}: {} {} ({})", name, ref, updates[i].state, result);
    }
    res.set_content("ok\n", "text/plain");
  };
  server_->Post(R"(/dlr/([^/?]+))", dlr);
  server_->Get(R"(/dlr/([^/?]+))", dlr);

  server_->Get("/healthz", [this](const httplib::Request&, httplib::Response& res) {
    store::Redis* redis = thread_redis(ctx_);
    bool ok = redis && redis->command({"PING"}).has_value();
    res.status = ok ? 200 : 503;
    res.set_content(ok ? "ok\n" : "redis unavailable\n", "text/plain");
  });
  server_->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    store::Redis* redis = thread_redis(ctx_);
    auto text = redis ? render_metrics(ctx_, *redis) : std::expected<std::string, std::string>(std::unexpected("no Redis"));
    if (!text) {
      res.status = 503;
      res.set_content(text.error() + "\n", "text/plain");
      return;
    }
    res.set_content(*text, "text/plain; version=0.0.4");
  });
}

WebhookServer::~WebhookServer() { stop(); }

std::expected<int, std::string> WebhookServer::bind() {
  int port = ctx_.cfg.webhook_port;
  if (port == 0) {
    port = server_->bind_to_any_port(ctx_.cfg.webhook_host);
    if (port <= 0) return std::unexpected("cannot listen on " + ctx_.cfg.webhook_host + ":0");
  } else if (!server_->bind_to_port(ctx_.cfg.webhook_host, port)) {
    return std::unexpected(fmt::format("cannot listen on {}:{} (in use, or no such address)", ctx_.cfg.webhook_host, port));
  }
  return port;
}

void WebhookServer::start() {
  thread_ = std::thread([this] { server_->listen_after_bind(); });
}

void WebhookServer::stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace loa::daemon
