// Gateway start-up order and drain.
#include "daemon/gateway.h"

#include <cstdlib>

#include <spdlog/spdlog.h>
#include <unistd.h>
#ifdef LOA_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "core/store/job_store.h"
#include "daemon/dispatcher.h"
#include "daemon/embedded_redis.h"
#include "daemon/expander.h"
#include "daemon/intake.h"
#include "daemon/webhook_server.h"
#include "providers/registry.h"

namespace loa::daemon {

namespace {
void notify(const std::string& state) {
#ifdef LOA_HAVE_SYSTEMD
  sd_notify(0, state.c_str());
#else
  (void)state;
#endif
}
}  // namespace

std::string instance_id(const config::Config& cfg) {
  if (const char* id = std::getenv("LOA_INSTANCE_ID"); id && *id) return id;
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return std::string(host) + ":" + std::to_string(cfg.webhook_port);
}

std::expected<std::unique_ptr<Gateway>, std::vector<std::string>> Gateway::create(const std::string& config_path) {
  auto cfg = config::load_config(config_path);
  if (!cfg) return std::unexpected(cfg.error());
  // Validate provider sections now, so a typo fails start-up rather than the first send.
  if (auto p = providers::build_providers(*cfg, "http://127.0.0.1"); !p) return std::unexpected(p.error());
  std::unique_ptr<Gateway> g(new Gateway());
  g->config_path_ = config_path;
  g->ctx_ = std::make_unique<Context>();
  g->ctx_->cfg = std::move(*cfg);
  g->ctx_->instance = instance_id(g->ctx_->cfg);
  return g;
}

Gateway::~Gateway() = default;

void Gateway::request_stop() {
  {
    std::lock_guard lock(mu_);
    stop_requested_ = true;
  }
  cv_.notify_all();
}

int Gateway::run() {
  Context& ctx = *ctx_;
  const auto& cfg = ctx.cfg;
  std::unique_ptr<EmbeddedRedis> embedded;
  if (cfg.redis.embedded()) {
    embedded = std::make_unique<EmbeddedRedis>(cfg.state_dir);
    auto url = embedded->start();
    if (!url) {
      spdlog::critical("{}", url.error());
      return 1;
    }
    ctx.redis_url = *url;
  } else {
    ctx.redis_url = cfg.redis.url;
  }

  // Start-up order: Redis reachable and stale leases resolved, then the webhook (so
  // callback URLs are known), then providers, then the workers.
  {
    auto redis = store::Redis::connect(ctx.redis_url, 5000);
    if (!redis) {
      spdlog::critical("{}", redis.error());
      return 1;
    }
    store::JobStore jobs(**redis, cfg.redis.prefix);
    if (auto g = jobs.ensure_group(); !g) {
      spdlog::critical("{}", g.error());
      return 1;
    }
    auto fixed = jobs.recover(ctx.instance, true);
    if (!fixed) {
      spdlog::critical("{}", fixed.error());
      return 1;
    }
    if (*fixed > 0) spdlog::warn("{} message(s) were in flight when this gateway last stopped: now 'unknown'", *fixed);
  }
  WebhookServer webhook(ctx);
  auto port = webhook.bind();
  if (!port) {
    spdlog::critical("{}", port.error());
    return 1;
  }
  ctx.public_url = cfg.public_url.empty() ? fmt::format("http://{}:{}", cfg.webhook_host, *port) : cfg.public_url;
  auto built = providers::build_providers(cfg, ctx.public_url);
  if (!built) {
    for (const auto& e : built.error()) spdlog::critical("{}", e);
    return 78;
  }
  ctx.providers = std::move(*built);
  webhook.start();
  spdlog::info("loa-gatewayd {} listening on {}:{} (instance {}, redis {})", "0.1.0", cfg.webhook_host, *port,
               ctx.instance, ctx.redis_url);

  Intake intake(ctx);
  Expander expander(ctx);
  std::vector<std::unique_ptr<Dispatcher>> dispatchers;
  for (const auto& p : cfg.providers)
    for (int w = 0; w < Dispatcher::workers_for(p); ++w)
      dispatchers.push_back(std::make_unique<Dispatcher>(ctx, p, *ctx.providers.at(p.name), Dispatcher::workers_for(p)));
  intake.start();
  expander.start();
  for (auto& d : dispatchers) d->start();
  notify("READY=1");

  // The janitor runs on this thread: once a second it resolves expired leases, promotes
  // due retries, and takes over stream entries a dead gateway left unacknowledged.
  std::unique_ptr<store::Redis> redis;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      if (cv_.wait_for(lock, std::chrono::milliseconds(250), [&] { return stop_requested_; })) break;
    }
    if (!redis) {
      auto r = store::Redis::connect(ctx.redis_url, 5000);
      if (!r) {
        spdlog::error("janitor: {}", r.error());
        continue;
      }
      redis = std::move(*r);
    }
    store::JobStore jobs(*redis, cfg.redis.prefix);
    auto fixed = jobs.recover(ctx.instance, false);
    auto promoted = fixed ? jobs.promote_retries() : std::expected<long long, std::string>(std::unexpected(fixed.error()));
    if (!promoted) {
      spdlog::error("janitor: {}", promoted.error());
      redis.reset();
      continue;
    }
    if (*fixed > 0) spdlog::warn("{} message(s) whose send lease ran out are now 'unknown'", *fixed);
    if (*promoted > 0) ctx.work.notify();
  }

  notify("STOPPING=1");
  spdlog::info("stopping: finishing requests in flight");
  ctx.stopping = true;
  ctx.work.notify();
  intake.join();
  expander.join();
  for (auto& d : dispatchers) d->join();
  webhook.stop();
  if (embedded) embedded->stop();
  spdlog::info("stopped cleanly");
  return 0;
}

}  // namespace loa::daemon
