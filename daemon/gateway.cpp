// Gateway start-up order and drain.
#include "daemon/gateway.h"
#include "daemon/metrics.h"

#include <cstdlib>

#include <spdlog/spdlog.h>
#include <unistd.h>
#ifdef LOA_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "core/util/url.h"
#include "core/store/dispatch_store.h"
#include "core/store/intake_store.h"
#include "core/store/control_store.h"
#include "core/store/query_store.h"
#include "core/store/redis_holder.h"
#include "core/util/time.h"
#include "daemon/api_server.h"
#include "daemon/dispatcher.h"
#include "daemon/embedded_redis.h"
#include "daemon/expander.h"
#include "daemon/intake.h"
#include "daemon/reminders.h"
#include "core/jobs/planner.h"
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
  g->ctx_->fixed = FixedSettings::of(*cfg);
  g->ctx_->instance = instance_id(*cfg);
  g->startup_cfg_ = std::move(*cfg);
  return g;
}

Gateway::Gateway() = default;
Gateway::~Gateway() = default;

void Gateway::request_reload() {
  {
    std::lock_guard lock(mu_);
    reload_requested_ = true;
  }
  cv_.notify_all();
}

namespace {

// Builds a runtime (config, providers, templates) from a config, or says what is wrong.
std::expected<std::shared_ptr<const Runtime>, std::vector<std::string>> build_runtime(config::Config cfg,
                                                                                      const std::string& public_url) {
  auto built = providers::build_providers(cfg, public_url);
  if (!built) return std::unexpected(built.error());
  auto templates = jobs::load_templates(cfg);
  if (!templates) return std::unexpected(templates.error());
  auto rt = std::make_shared<Runtime>();
  rt->cfg = std::move(cfg);
  for (auto& [name, p] : *built) {
    if (p->reports_unauthenticated())
      spdlog::warn("provider {} takes delivery reports from anyone (dlr.insecure)", name);
    rt->providers.emplace(name, std::shared_ptr<providers::Provider>(std::move(p)));
  }
  rt->templates = std::move(*templates);
  return rt;
}

std::vector<std::unique_ptr<Dispatcher>> start_dispatchers(Context& ctx, const std::shared_ptr<const Runtime>& rt) {
  std::vector<std::unique_ptr<Dispatcher>> out;
  for (const auto& p : rt->cfg.providers) {
    auto pause = std::make_shared<AccountPause>();
    for (int w = 0; w < Dispatcher::workers_for(p); ++w)
      out.push_back(std::make_unique<Dispatcher>(ctx, rt, p.name, Dispatcher::workers_for(p), transport::make_transport, pause));
  }
  for (auto& d : out) d->start();
  return out;
}

// "waiting N, scheduled N, retrying N, in flight N" for systemd's STATUS=.
std::string queue_status(const Context& ctx, store::Redis& redis) {
  store::DispatchStore jobs(redis, ctx.fixed.redis_prefix);
  long long waiting = 0;
  for (const auto& p : ctx.runtime()->cfg.providers)
    if (auto n = jobs.ready_depth(p.name)) waiting += *n;
  auto card = [&](const std::string& key) {
    auto r = redis.command({"ZCARD", key});
    return r ? r->as_int() : -1;
  };
  const auto& k = jobs.keys();
  return fmt::format("waiting {}, scheduled {}, retrying {}, in flight {}", waiting, card(k.due()), card(k.retry()),
                     card(k.inflight()));
}

}  // namespace

void Gateway::request_stop() {
  {
    std::lock_guard lock(mu_);
    stop_requested_ = true;
  }
  cv_.notify_all();
}

namespace {
// Start-up's work on Redis, once it answers: the consumer group, an advice on its
// settings, and the messages this instance left in flight when it last stopped.
// Every provider's series exist in /metrics from the start (at 0).
void know_providers(const config::Config& cfg) {
  std::vector<std::string> names;
  for (const auto& p : cfg.providers) names.push_back(p.name);
  metrics().know(names);
}

// Readies Redis for this gateway. An error with the connection still open is Redis's
// answer (fatal: a wrong type under a key, a refused command); with it closed (a Redis that
// accepts and never answers, one that died meanwhile) the caller drops it and tries again.
std::expected<void, std::string> prepare_redis(Context& ctx, store::Redis& redis) {
  if (auto g = store::IntakeStore(redis, ctx.fixed.redis_prefix).ensure_group(); !g) return std::unexpected(g.error());
  // Message progress lives in hashes of 128 (core/store/codec.h), which Redis keeps as
  // compact listpacks while every value is under hash-max-listpack-value: 64 by default,
  // short of a progress that holds a GUID provider id. Above it a bucket becomes a hash
  // table of about 60 bytes more per message. Loa only advises: it does not change a
  // shared Redis's settings.
  // A user confined by config/redis-acl.conf may not run CONFIG GET: then it cannot tell.
  auto v = redis.command({"CONFIG", "GET", "hash-max-listpack-value"});
  if (!v)
    spdlog::info("cannot check Redis's hash-max-listpack-value (this Redis user may not read the config): make sure "
                 "it is 128 or more");
  else if (v->elements.size() == 2 && v->elements[1].as_int(128) < 128)
    spdlog::warn("Redis hash-max-listpack-value is {}: set it to 128 or more (redis.conf) so message progress stays compact",
                 v->elements[1].text());
  if (auto counted = store::QueryStore(redis, ctx.fixed.redis_prefix).count_jobs_if_missing(); !counted)
    spdlog::error("counting jobs by state for /metrics: {}", counted.error());
  else if (*counted >= 0)
    spdlog::info("counted {} job(s) by state for /metrics", *counted);
  auto fixed = store::DispatchStore(redis, ctx.fixed.redis_prefix).recover(ctx.instance, true);
  if (!fixed) return std::unexpected(fixed.error());
  if (*fixed > 0) spdlog::warn("{} message(s) were in flight when this gateway last stopped: now 'unknown'", *fixed);
  return {};
}
}  // namespace

int Gateway::run() {
  Context& ctx = *ctx_;
  const config::Config& cfg = startup_cfg_;
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
  // callback URLs are known), then providers, then the workers. An unreachable Redis at
  // start-up is waited for (1 s, 2, 4 ... 30 s between tries, one log line each), not a
  // reason to exit: it may be starting too, or be restarted; so is one that takes the
  // connection and never answers. The janitor below keeps the same connection.
  store::RedisHolder redis(ctx.redis_url, "gateway", util::Backoff(1000, 30000));
  for (;;) {
    if (store::Redis* r = redis.get()) {
      auto prepared = prepare_redis(ctx, *r);
      if (prepared) break;
      if (r->fd() >= 0) {  // Redis answered, with an error: no use trying again
        spdlog::critical("{}", prepared.error());
        return 1;
      }
      redis.drop(prepared.error());  // no answer: logged, and tried again after a wait
    }
    ctx.set_redis_down(redis.error());
    notify("STATUS=waiting for Redis: " + redis.error());
    std::unique_lock lock(mu_);
    if (cv_.wait_for(lock, std::chrono::milliseconds(redis.retry_in_ms()), [&] { return stop_requested_; })) return 0;
  }
  ctx.set_redis_down("");
  WebhookServer webhook(ctx);
  auto port = webhook.bind();
  if (!port) {
    spdlog::critical("{}", port.error());
    return 1;
  }
  ctx.public_url = cfg.public_url.empty() ? fmt::format("http://{}:{}", cfg.webhook_host, *port) : cfg.public_url;
  auto runtime = build_runtime(cfg, ctx.public_url);
  if (!runtime) {
    for (const auto& e : runtime.error()) spdlog::critical("{}", e);
    return 78;
  }
  ctx.set_runtime(*runtime);
  know_providers(cfg);
  if (auto started = webhook.start(); !started) {
    spdlog::critical("{}", started.error());
    return 1;
  }
  spdlog::info("loa-gatewayd {} listening on {}:{} (instance {}, redis {})", "0.1.0", cfg.webhook_host, *port,
               ctx.instance, util::masked_url(ctx.redis_url));
  std::unique_ptr<ApiServer> api;
  if (ctx.fixed.api) {
    api = std::make_unique<ApiServer>(ctx);
    auto api_port = api->bind();
    auto started = api_port ? api->start() : std::expected<void, std::string>(std::unexpected(api_port.error()));
    if (!started) {
      spdlog::critical("api: {}", started.error());
      webhook.stop();
      return 1;
    }
    spdlog::info("officials' API on {}:{}", ctx.fixed.api->host, *api_port);
  }

  Intake intake(ctx);
  Expander expander(ctx);
  Reminders reminders(ctx);
  intake.start();
  expander.start();
  reminders.start();
  dispatchers_ = start_dispatchers(ctx, ctx.runtime());
  notify("READY=1\nSTATUS=started");
  janitor(redis, embedded.get());

  notify("STOPPING=1");
  spdlog::info("stopping: finishing requests in flight");
  ctx.stopping = true;
  ctx.work.notify();
  intake.join();
  expander.join();
  reminders.join();
  for (auto& d : dispatchers_) d->join();
  if (api) api->stop();
  webhook.stop();
  if (embedded) embedded->stop();
  spdlog::info("stopped cleanly");
  return 0;
}

store::AuditEntry Gateway::reload() {
  Context& ctx = *ctx_;
  store::AuditEntry audit{.actor = "gateway:" + ctx.instance, .source = "SIGHUP", .action = "reload"};
  auto next_cfg = config::load_config(config_path_);
  auto next = next_cfg ? build_runtime(*next_cfg, ctx.public_url)
                       : std::expected<std::shared_ptr<const Runtime>, std::vector<std::string>>(std::unexpected(next_cfg.error()));
  if (!next) {
    for (const auto& e : next.error()) spdlog::error("reload refused, keeping the running config: {}", e);
    audit.summary = {{"outcome", "refused"}, {"errors", next.error().size()}};
    return audit;
  }
  const auto& n = (*next)->cfg;
  if (n.redis.url != startup_cfg_.redis.url || ctx.fixed.differs(n))
    spdlog::warn("reload: redis, state_dir and webhook changes take effect at the next restart");
  // Dispatchers finish their requests in flight, then new ones take over; queued work
  // waits in Redis meanwhile, so nothing is dropped.
  for (auto& d : dispatchers_) d->request_stop();
  dispatchers_.clear();
  ctx.set_runtime(*next);
  know_providers(n);
  dispatchers_ = start_dispatchers(ctx, *next);
  spdlog::info("reloaded {}: {} provider(s), {} template(s)", config_path_, n.providers.size(), (*next)->templates.size());
  audit.summary = {{"outcome", "applied"}, {"providers", n.providers.size()}, {"templates", (*next)->templates.size()}};
  return audit;
}

std::expected<void, std::string> Gateway::apply_retention(store::Redis& redis) {
  const auto& cfg = ctx_->runtime()->cfg;
  const std::string& prefix = ctx_->fixed.redis_prefix;
  // One gateway at a time: the lock outlives a turn, so the others skip this round.
  auto lock = redis.command({"SET", store::Keys(prefix).lock("retention"), ctx_->instance, "NX", "EX", "540"});
  if (!lock) return std::unexpected(lock.error());
  if (lock->nil()) return {};
  constexpr std::int64_t kDay = 86400000;
  const std::int64_t now = util::now_ms();
  auto purged = store::ControlStore(redis, prefix).purge(now - cfg.retention.message_days * kDay, false);
  if (!purged) return std::unexpected(purged.error());
  store::AuditStore audit(redis, prefix);
  auto trimmed = audit.trim(cfg.retention.audit_days * kDay, "gateway:" + ctx_->instance, "janitor");
  if (!trimmed) return std::unexpected(trimmed.error());
  if (purged->jobs == 0 && *trimmed == 0) return {};
  spdlog::info("retention: removed the numbers and texts of {} job(s) ({} messages), {} audit entries", purged->jobs,
               purged->messages, *trimmed);
  auto a = audit.append({.actor = "gateway:" + ctx_->instance, .source = "janitor", .action = "purge",
                         .summary = {{"jobs", purged->jobs}, {"messages", purged->messages}, {"audit_entries", *trimmed},
                                     {"message_days", cfg.retention.message_days},
                                     {"audit_days", cfg.retention.audit_days}}});
  if (!a) return std::unexpected(a.error());
  return {};
}

std::expected<void, std::string> Gateway::expire_approvals(store::Redis& redis) {
  const auto& cfg = ctx_->runtime()->cfg;
  const auto max_age_ms = static_cast<std::int64_t>(cfg.approval.expire_hours * 3600 * 1000);
  store::ControlStore jobs(redis, ctx_->fixed.redis_prefix);
  auto old = jobs.approvals_before(util::now_ms() - max_age_ms);
  if (!old) return std::unexpected(old.error());
  for (const auto& job : *old) {
    const std::string reason = fmt::format("approval request expired after {} h", cfg.approval.expire_hours);
    auto before = store::QueryStore(redis, ctx_->fixed.redis_prefix).status(job);
    if (!before) return std::unexpected(before.error());
    auto d = jobs.decide(job, false, "gateway:" + ctx_->instance, reason);
    if (!d) return std::unexpected(d.error());
    if (d->result != store::ControlStore::Decision::done) continue;  // decided, or cancelled, meanwhile
    spdlog::info("job {} rejected: {}", job, reason);
    nlohmann::json summary{{"reason", reason}};
    if (*before) summary.update({{"template", (*before)->template_name}, {"wards", (*before)->wards}, {"sender", (*before)->by}});
    auto a = store::AuditStore(redis, ctx_->fixed.redis_prefix)
                 .append({.actor = "gateway:" + ctx_->instance, .source = "janitor", .action = "reject", .job = job,
                          .summary = std::move(summary)});
    if (!a) return std::unexpected(a.error());
  }
  return {};
}

// The janitor runs on the main thread until a stop is requested. Each turn (4 a second):
// apply a requested reload, resolve expired send leases, promote due retries; once a
// second also feed the systemd watchdog and report queue depths in STATUS=.
void Gateway::janitor(store::RedisHolder& holder, EmbeddedRedis* embedded) {
  Context& ctx = *ctx_;
  std::vector<store::AuditEntry> unrecorded;  // reloads, until Redis takes them
  for (int turn = 1;; ++turn) {
    bool reload = false;
    {
      std::unique_lock lock(mu_);
      if (cv_.wait_for(lock, std::chrono::milliseconds(250), [&] { return stop_requested_ || reload_requested_; }) &&
          stop_requested_)
        return;
      reload = reload_requested_;
      reload_requested_ = false;
    }
    if (reload) unrecorded.push_back(this->reload());
    if (embedded) {
      std::string down = embedded->supervise(util::steady_ms());
      if (!down.empty()) ctx.set_redis_down(down);
    }
    store::Redis* redis = holder.get();
    if (!redis) {
      if (!embedded) ctx.set_redis_down(holder.error());
      if (turn % 4 == 0) notify("WATCHDOG=1\nSTATUS=waiting for Redis: " + ctx.redis_down());
      continue;
    }
    store::DispatchStore jobs(*redis, ctx.fixed.redis_prefix);
    auto fixed = jobs.recover(ctx.instance, false);
    auto promoted = fixed ? jobs.promote_retries() : std::expected<long long, std::string>(std::unexpected(fixed.error()));
    if (!promoted) {
      holder.drop(promoted.error());
      continue;
    }
    ctx.set_redis_down("");  // it answered
    if (*fixed > 0) spdlog::warn("{} message(s) whose send lease ran out are now 'unknown'", *fixed);
    if (*promoted > 0) ctx.work.notify();
    store::AuditStore audit(*redis, ctx.fixed.redis_prefix);
    while (!unrecorded.empty()) {
      if (auto a = audit.append(unrecorded.front()); !a) {
        spdlog::warn("audit trail: {}", a.error());
        break;
      }
      unrecorded.erase(unrecorded.begin());
    }
    if (turn % 4 == 0 && ctx.runtime()->cfg.approval.any())
      if (auto e = expire_approvals(*redis); !e) spdlog::warn("approval expiry: {}", e.error());
    if (turn % 2400 == 1)  // at start-up, then every 10 minutes
      if (auto e = apply_retention(*redis); !e) spdlog::warn("retention: {}", e.error());
    if (turn % 4 == 0) notify("WATCHDOG=1\nSTATUS=" + queue_status(ctx, *redis));
  }
}

}  // namespace loa::daemon
