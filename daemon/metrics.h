// Prometheus metrics (docs/operations.md "Metrics"): this instance's counters and histograms, kept in
// memory from start-up so they never go down while it runs (Prometheus' rate() takes a
// restart's reset in its stride, and sums instances), plus gauges read from Redis when
// /metrics is scraped: the jobs in each state and the work waiting, for the whole cluster.
// One label set per metric name; every series exists from start-up (at 0) for every
// provider the config names, so a dashboard never sees one appear out of nothing.
#pragma once
#include <array>
#include <expected>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "core/store/dispatch_store.h"
#include "core/store/redis.h"
#include "core/store/report_store.h"
#include "daemon/context.h"

namespace loa::daemon {

/// Thread-safe.
class Metrics {
 public:
  /// Makes every series of these providers exist (at 0); called at start-up and on each
  /// reload (a provider dropped by a reload keeps its counters).
  void know(const std::vector<std::string>& providers);
  /// `n` delivery reports from `provider` and what they did; `state` is the state they
  /// brought their messages to when applied (delivered or failed).
  void dlr(const std::string& provider, store::ReportEffect effect, std::optional<jobs::MessageState> state,
           long n = 1);
  /// A webhook request or connection refused or dropped, by reason.
  void webhook_dropped(const std::string& reason);
  /// An API request with an unknown or revoked token (`slowed`: refused before its token
  /// was even looked at, its address having failed too often).
  void token_refused(bool slowed);
  void request(const std::string& provider, double seconds);
  void outcome(const std::string& provider, store::SendOutcome outcome);
  void limiter_wait(const std::string& provider, double seconds);
  /// Whether this instance has paused `provider` (it refused the account).
  void paused(const std::string& provider, bool paused);
  /// Connections a provider's transports opened, and TLS handshakes done on them.
  void connections(const std::string& provider, std::uint64_t opened, std::uint64_t tls_full, std::uint64_t tls_resumed);
  /// The process-local part of the exposition.
  std::string render() const;

  static constexpr std::array<double, 10> kBuckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10};
  /// The reasons webhook_dropped is given (daemon/http_server.cpp).
  static constexpr std::array<std::string_view, 6> kDropReasons{"deadline", "evicted", "headers", "encoding", "too_large",
                                                                 "malformed"};
  /// The message states loa_messages_total counts: those a provider's answer or report
  /// brings a message to.
  static constexpr std::array<jobs::MessageState, 4> kMessageStates{
      jobs::MessageState::sent, jobs::MessageState::delivered, jobs::MessageState::failed, jobs::MessageState::unknown};

 private:
  struct Histogram {
    std::array<unsigned long long, kBuckets.size()> buckets{};
    unsigned long long count = 0;
    double sum = 0;
  };
  using ByProvider = std::pair<std::string, std::string_view>;
  mutable std::mutex mu_;
  std::map<ByProvider, unsigned long long> messages_;   // provider, message state
  std::map<ByProvider, unsigned long long> outcomes_;   // provider, send outcome
  std::map<ByProvider, unsigned long long> dlr_;        // provider, report effect
  std::map<std::string, unsigned long long> webhook_dropped_;
  unsigned long long tokens_refused_ = 0, tokens_slowed_ = 0;
  std::map<std::string, Histogram> latency_;
  std::map<std::string, double> waits_;
  std::map<std::string, unsigned long long> connections_;
  std::map<std::string, int> paused_;
  std::map<ByProvider, unsigned long long> handshakes_;  // provider, full or resumed
};

Metrics& metrics();

/// The whole /metrics page.
std::expected<std::string, std::string> render_metrics(const Context& ctx, store::Redis& redis);

}  // namespace loa::daemon
