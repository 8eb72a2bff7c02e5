// The libcurl transport: HTTPS, host names and proxies.
#pragma once
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "providers/transport/transport.h"

namespace loa::transport {

/// libcurl multi with a pool of easy handles. New connections ramp up: at most `window`
/// requests are in libcurl at once (next_window in transport.h); the others wait here with their timeout not yet running, so a queue
/// inside the gateway never reads as a provider that failed to answer. A job's start opens
/// a few connections (TLS handshakes) at a time instead of max_in_flight at once.
class CurlMulti final : public HttpTransport {
 public:
  /// A connection whose TCP and TLS set-up took longer than this narrows the window (the
  /// connect budget is 5 s: the window stops growing well before set-ups near it).
  static constexpr long long kSlowSetupUs = 1'000'000;

  /// `max_connections`: cap on open connections (per host and in total); `ca_file`: PEM
  /// CAs to trust instead of the system's ("": the system's). Peers are always verified.
  explicit CurlMulti(int max_connections, std::string ca_file = {});
  ~CurlMulti() override;
  CurlMulti(const CurlMulti&) = delete;
  CurlMulti& operator=(const CurlMulti&) = delete;

  void add(std::uint64_t tag, const HttpRequest& req, int timeout_ms) override;
  std::size_t in_flight() const override { return active_ + waiting_.size(); }
  /// Requests allowed in libcurl at once now.
  std::size_t window() const override { return window_; }
  TransportCounts counts() const override { return counts_; }
  std::vector<std::pair<std::uint64_t, HttpResponse>> poll(int timeout_ms, int also_fd = -1) override;

 private:
  struct Transfer;
  struct Waiting {
    std::uint64_t tag;
    HttpRequest req;
    int timeout_ms;
  };
  void start(std::uint64_t tag, const HttpRequest& req, int timeout_ms);
  void collect(std::vector<std::pair<std::uint64_t, HttpResponse>>& done);
  struct Callbacks;  ///< OpenSSL's calls into this (curl_transport.cpp)
  friend struct Callbacks;
  void* multi_;
  void* share_;          ///< TLS sessions (and DNS) shared by this multi's handles: resumption
  std::string ca_file_;
  std::vector<std::unique_ptr<Transfer>> idle_;
  std::vector<std::unique_ptr<Transfer>> busy_;
  std::size_t active_ = 0;
  std::deque<Waiting> waiting_;
  std::size_t max_window_;
  std::size_t window_;
  std::int64_t idle_since_ = 0;  ///< steady ms when the last request out ended
  TransportCounts counts_;
};

}  // namespace loa::transport
