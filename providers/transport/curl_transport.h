// The libcurl transport: HTTPS, host names and proxies.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "providers/transport/transport.h"

namespace loa::transport {

/// libcurl multi with a pool of easy handles.
class CurlMulti final : public HttpTransport {
 public:
  /// `max_connections`: cap on open connections (per host and in total); `ca_file`: PEM
  /// CAs to trust instead of the system's ("": the system's). Peers are always verified.
  explicit CurlMulti(int max_connections, std::string ca_file = {});
  ~CurlMulti() override;
  CurlMulti(const CurlMulti&) = delete;
  CurlMulti& operator=(const CurlMulti&) = delete;

  void add(std::uint64_t tag, const HttpRequest& req, int timeout_ms) override;
  std::size_t in_flight() const override { return active_; }
  std::vector<std::pair<std::uint64_t, HttpResponse>> poll(int timeout_ms, int also_fd = -1) override;

 private:
  struct Transfer;
  void* multi_;
  void* share_;          ///< TLS sessions (and DNS) shared by this multi's handles: resumption
  std::string ca_file_;
  std::vector<std::unique_ptr<Transfer>> idle_;
  std::vector<std::unique_ptr<Transfer>> busy_;
  std::size_t active_ = 0;
};

}  // namespace loa::transport
