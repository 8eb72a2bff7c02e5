// The libcurl transport: HTTPS, host names and proxies.
#pragma once
#include <memory>
#include <vector>

#include "providers/transport/transport.h"

namespace loa::transport {

/// libcurl multi with a pool of easy handles.
class CurlMulti final : public HttpTransport {
 public:
  /// `max_connections`: cap on open connections (per host and in total).
  explicit CurlMulti(int max_connections);
  ~CurlMulti() override;
  CurlMulti(const CurlMulti&) = delete;
  CurlMulti& operator=(const CurlMulti&) = delete;

  void add(std::uint64_t tag, const HttpRequest& req, int timeout_ms) override;
  std::size_t in_flight() const override { return active_; }
  std::vector<std::pair<std::uint64_t, HttpResponse>> poll(int timeout_ms, int also_fd = -1) override;

 private:
  struct Transfer;
  void* multi_;
  std::vector<std::unique_ptr<Transfer>> idle_;
  std::vector<std::unique_ptr<Transfer>> busy_;
  std::size_t active_ = 0;
};

}  // namespace loa::transport
