// Many HTTP requests in flight on one thread, with connection reuse (keep-alive). Two
// transports behind one interface: Loa's own HTTP/1.1 client (http1_client.h) for plain
// HTTP to a numeric address, libcurl's multi interface (curl_transport.h) for everything
// else (HTTPS, host names, proxies). Adapters never see this; the dispatcher does, through
// a TransportFactory, so its loop can run on a transport of a test's making.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "providers/transport/http.h"

namespace loa::transport {

/// Requests a transport that ramps its connections lets out at first (CurlMulti).
inline constexpr std::size_t kFirstWindow = 8;

/// Not thread-safe; one per dispatcher thread.
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  /// How many requests it would have out now: the ramp's window (CurlMulti), else no
  /// limit of its own. The dispatcher takes and starts no more than that, so a message
  /// never waits long inside the gateway under its lease.
  virtual std::size_t window() const { return static_cast<std::size_t>(-1); }
  /// Starts a request; its completion comes back from poll() with `tag`.
  virtual void add(std::uint64_t tag, const HttpRequest& req, int timeout_ms) = 0;
  virtual std::size_t in_flight() const = 0;
  /// Drives the requests, waiting at most `timeout_ms` for activity on them or for
  /// `also_fd` (if not -1) to become readable; returns completions.
  virtual std::vector<std::pair<std::uint64_t, HttpResponse>> poll(int timeout_ms, int also_fd = -1) = 0;
};

/// What a provider's transport is made for: its requests all go to one origin.
struct TransportSpec {
  std::string_view url;
  int max_connections = 64;   ///< cap on open connections
  std::string_view ca_file;   ///< PEM CAs to trust instead of the system's ("" : the system's)
};

/// The transport for a provider: Http1Client when it can carry its requests (plain HTTP
/// to a numeric address) and no proxy is set in the environment, else CurlMulti.
std::unique_ptr<HttpTransport> make_transport(const TransportSpec& spec);

/// True when the environment names no proxy (http_proxy, https_proxy, all_proxy).
bool no_proxy_in_env();

/// How a dispatcher gets its transport: make_transport, or a test's own.
using TransportFactory = std::function<std::unique_ptr<HttpTransport>(const TransportSpec& spec)>;

}  // namespace loa::transport
