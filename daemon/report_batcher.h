// Delivery reports of concurrent webhook requests applied together (group commit): each
// request hands its reports over and waits; one committer thread applies all that queued
// meanwhile with one script call per provider, then gives each request its own results.
// Redis's work per report falls as providers post more at once, and nothing changes for a
// provider: a request is answered only after its reports are in Redis, as before.
#pragma once
#include <condition_variable>
#include <deque>
#include <expected>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/store/report_store.h"
#include "daemon/context.h"

namespace loa::daemon {

class ReportBatcher {
 public:
  /// At most this many reports in one script call (a few milliseconds of Redis).
  static constexpr std::size_t kMaxBatch = 1000;

  explicit ReportBatcher(Context& ctx);
  /// Stops the committer; requests still waiting get an error.
  ~ReportBatcher();
  ReportBatcher(const ReportBatcher&) = delete;
  ReportBatcher& operator=(const ReportBatcher&) = delete;

  /// Applies `updates` from `provider` with whatever else is queued; blocks until done. One
  /// result per update, in order; the error says why none was applied.
  std::expected<std::vector<store::ReportResult>, std::string> apply(const std::string& provider,
                                                                      std::vector<store::ReportUpdate> updates);

 private:
  struct Pending {
    const std::string* provider;
    std::vector<store::ReportUpdate>* updates;
    std::expected<std::vector<store::ReportResult>, std::string> result;
    bool done = false;
    std::condition_variable ready;  ///< its own: a commit wakes only the requests it answers
  };
  void run();
  void commit(std::vector<Pending*>& batch, store::Redis& redis);

  Context& ctx_;
  std::mutex mu_;
  std::condition_variable queued_;
  std::deque<Pending*> queue_;
  bool stopping_ = false;
  std::thread committer_;
};

}  // namespace loa::daemon
