// Prometheus metrics: process-local counters and histograms, plus job and queue figures
// read from Redis when /metrics is scraped.
#pragma once
#include <array>
#include <expected>
#include <map>
#include <mutex>
#include <string>

#include "core/store/dispatch_store.h"
#include "core/store/redis.h"
#include "core/store/report_store.h"
#include "daemon/context.h"

namespace loa::daemon {

/// Thread-safe.
class Metrics {
 public:
  void dlr(store::ReportEffect effect);
  /// A webhook request or connection refused or dropped, by reason.
  void webhook_dropped(const std::string& reason);
  void request(const std::string& provider, double seconds);
  void outcome(const std::string& provider, store::SendOutcome outcome);
  void limiter_wait(const std::string& provider, double seconds);
  /// The process-local part of the exposition.
  std::string render() const;

  static constexpr std::array<double, 10> kBuckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10};

 private:
  struct Histogram {
    std::array<unsigned long long, kBuckets.size()> buckets{};
    unsigned long long count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  std::map<std::string_view, unsigned long long> dlr_;
  std::map<std::string, unsigned long long> webhook_dropped_;
  std::map<std::string, Histogram> latency_;
  std::map<std::pair<std::string, std::string_view>, unsigned long long> outcomes_;
  std::map<std::string, double> waits_;
};

Metrics& metrics();

/// The whole /metrics page.
std::expected<std::string, std::string> render_metrics(const Context& ctx, store::Redis& redis);

}  // namespace loa::daemon
