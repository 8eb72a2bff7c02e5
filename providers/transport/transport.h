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

/// Requests a transport that ramps its connections lets out at first (CurlMulti), and
/// again after it has had none out for kIdleRestartMs: kept-alive connections may have
/// died meanwhile (a provider restarted), and a job's start must not open max_in_flight
/// new ones at once (TCP restarts its window after idleness for the same reason).
inline constexpr std::size_t kFirstWindow = 8;
inline constexpr std::int64_t kIdleRestartMs = 1000;

/// What a transport has done since it was made, for /metrics (loa_provider_connections_total,
/// loa_provider_tls_handshakes_total).
struct TransportCounts {
  std::uint64_t connections = 0;     ///< connections opened (TCP)
  std::uint64_t tls_full = 0;        ///< TLS handshakes with a full key exchange
  std::uint64_t tls_resumed = 0;     ///< TLS handshakes that resumed an earlier session
};

/// The ramp's rule: the window after a request ends. An answer on a connection set up in
/// time widens it by one (so it doubles each round trip while answers come); anything
/// else halves it, never below `first` (kFirstWindow, or `max` if smaller): an answer on
/// a connection slow to set up (the provider takes connections slowly), a request that
/// never left (refused, TLS refused, connect timed out), one written and not answered (a
/// timeout, a connection lost: a provider in trouble, or restarting, gets fewer at once).
std::size_t next_window(std::size_t window, std::size_t max, bool answered, bool slow_setup);

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
  virtual TransportCounts counts() const { return {}; }
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
