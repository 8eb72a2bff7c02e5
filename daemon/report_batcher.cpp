// Group commit of delivery reports.
#include "daemon/report_batcher.h"

#include <map>

#include <spdlog/spdlog.h>

#include "core/store/redis_holder.h"

namespace loa::daemon {

ReportBatcher::ReportBatcher(Context& ctx) : ctx_(ctx), committer_([this] { run(); }) {}

ReportBatcher::~ReportBatcher() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  queued_.notify_all();
  committer_.join();
}

std::expected<std::vector<store::ReportResult>, std::string> ReportBatcher::apply(
    const std::string& provider, std::vector<store::ReportUpdate> updates) {
  if (updates.empty()) return std::vector<store::ReportResult>{};
  Pending p{&provider, &updates, std::unexpected(std::string("stopping"))};
  std::unique_lock lock(mu_);
  if (stopping_) return std::unexpected("the gateway is stopping");
  queue_.push_back(&p);
  queued_.notify_one();
  p.ready.wait(lock, [&] { return p.done; });
  return std::move(p.result);
}

void ReportBatcher::run() {
  store::RedisHolder holder(ctx_.redis_url, "reports");
  std::vector<Pending*> batch;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      queued_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_ && queue_.empty()) return;
      // Everything queued, up to kMaxBatch reports (a request is never split).
      std::size_t reports = 0;
      while (!queue_.empty() && (batch.empty() || reports + queue_.front()->updates->size() <= kMaxBatch)) {
        reports += queue_.front()->updates->size();
        batch.push_back(queue_.front());
        queue_.pop_front();
      }
    }
    store::Redis* redis = holder.get();
    if (!redis) {
      for (auto* p : batch) p->result = std::unexpected(std::string("Redis unavailable"));
    } else {
      commit(batch, *redis);
      for (auto* p : batch)
        if (!p->result) {
          holder.drop(p->result.error());
          break;
        }
    }
    {
      // Under the lock: a request cannot return (and free its Pending) before this is done.
      std::lock_guard lock(mu_);
      for (auto* p : batch) {
        p->done = true;
        p->ready.notify_one();
      }
    }
    batch.clear();
  }
}

// One script call per provider for the batch's requests, in their order; each request gets
// its slice of the results.
void ReportBatcher::commit(std::vector<Pending*>& batch, store::Redis& redis) {
  std::map<std::string, std::vector<Pending*>> by_provider;
  for (auto* p : batch) by_provider[*p->provider].push_back(p);
  store::ReportStore reports(redis, ctx_.fixed.redis_prefix);
  for (auto& [provider, pending] : by_provider) {
    std::vector<store::ReportUpdate> all;
    for (auto* p : pending) all.insert(all.end(), p->updates->begin(), p->updates->end());
    auto applied = reports.apply(provider, all);
    std::size_t at = 0;
    for (auto* p : pending) {
      if (!applied) {
        p->result = std::unexpected(applied.error());
        continue;
      }
      const auto n = p->updates->size();
      p->result = std::vector<store::ReportResult>(applied->begin() + static_cast<std::ptrdiff_t>(at),
                                                   applied->begin() + static_cast<std::ptrdiff_t>(at + n));
      at += n;
    }
  }
}

}  // namespace loa::daemon
