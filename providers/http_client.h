// Many HTTP requests in flight on one thread: libcurl multi with connection reuse
// (keep-alive) and a pool of easy handles. Adapters never see this; the dispatcher does.
#pragma once
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "providers/provider.h"

namespace loa::providers {

/// Not thread-safe except wakeup(); one per dispatcher thread.
class CurlMulti {
 public:
  /// `max_connections`: cap on open connections (per host and in total).
  explicit CurlMulti(int max_connections);
  ~CurlMulti();
  CurlMulti(const CurlMulti&) = delete;
  CurlMulti& operator=(const CurlMulti&) = delete;

  /// Starts a request; its completion comes back from poll() with `tag`.
  void add(std::uint64_t tag, const HttpRequest& req, int timeout_ms);
  std::size_t in_flight() const { return active_; }
  /// Drives transfers, waiting at most `timeout_ms` for activity on them or for
  /// `also_fd` (if not -1) to become readable; returns completions.
  std::vector<std::pair<std::uint64_t, HttpResponse>> poll(int timeout_ms, int also_fd = -1);
  /// Makes a poll() in progress return early (thread-safe).
  void wakeup();

 private:
  struct Transfer;
  void* multi_;
  std::vector<std::unique_ptr<Transfer>> idle_;
  std::vector<std::unique_ptr<Transfer>> busy_;
  std::size_t active_ = 0;
};

}  // namespace loa::providers
