// Many HTTP requests in flight on one thread, with connection reuse (keep-alive). Two
// transports behind one interface: Loa's own HTTP/1.1 client (http1_client.h) for plain
// HTTP to a numeric address, libcurl's multi interface for everything else (HTTPS, host
// names, proxies). Adapters never see this; the dispatcher does.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "providers/provider.h"

namespace loa::providers {

/// Not thread-safe; one per dispatcher thread.
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  /// Starts a request; its completion comes back from poll() with `tag`.
  virtual void add(std::uint64_t tag, const HttpRequest& req, int timeout_ms) = 0;
  virtual std::size_t in_flight() const = 0;
  /// Drives the requests, waiting at most `timeout_ms` for activity on them or for
  /// `also_fd` (if not -1) to become readable; returns completions.
  virtual std::vector<std::pair<std::uint64_t, HttpResponse>> poll(int timeout_ms, int also_fd = -1) = 0;
};

/// A Retry-After header's value in milliseconds: whole seconds, white space around them
/// allowed; nullopt for anything else (an HTTP-date is rare from SMS APIs: the backoff
/// applies instead).
std::optional<std::int64_t> retry_after_ms(std::string_view value);
inline constexpr std::int64_t kMaxRetryAfterS = 86400;

/// The transport for requests to `url` (a provider's requests all go to one origin):
/// Http1Client when it can carry them and no proxy is set in the environment, else
/// CurlMulti. `max_connections` caps the open connections.
std::unique_ptr<HttpTransport> make_transport(std::string_view url, int max_connections);

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

}  // namespace loa::providers
