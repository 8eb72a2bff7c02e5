// Loa's own HTTP/1.1 client for providers, by name or address, over plain HTTP or HTTPS
// (tls_client.h; names looked up as resolver.h says): keep-alive connections on one epoll,
// each request written with one send(), each answer parsed as it arrives
// (http1_parser.h). libcurl's general machinery cost about as much CPU per request as all
// the rest of the daemon (docs/performance.md); a provider reached through a proxy stays
// with libcurl (curl_transport.h).
#pragma once
#include <sys/socket.h>

#include <cstdint>
#include <deque>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "providers/transport/http1_parser.h"
#include "providers/transport/resolver.h"
#include "providers/transport/tls_client.h"
#include "providers/transport/transport.h"

namespace loa::transport {

class Http1Client final : public HttpTransport {
 public:
  /// `ca_file`: the CAs trusted for HTTPS ("" : the system's), loaded at the first.
  explicit Http1Client(int max_connections, std::string ca_file = "");
  ~Http1Client() override;
  Http1Client(const Http1Client&) = delete;
  Http1Client& operator=(const Http1Client&) = delete;

  /// Whether requests to `url` can go this way: `http://` or `https://` with a host name,
  /// an IPv4 address or a bracketed IPv6 one, and an optional port.
  static bool handles(std::string_view url);

  /// A connection whose TCP (and TLS) set-up took longer than this narrows the window.
  static constexpr std::int64_t kSlowSetupMs = 1000;

  void add(std::uint64_t tag, const HttpRequest& req, int timeout_ms) override;
  std::size_t in_flight() const override { return requests_; }
  /// Requests it would have out now: the ramp's window (next_window in transport.h).
  std::size_t window() const override { return window_; }
  TransportCounts counts() const override { return counts_; }
  std::vector<std::pair<std::uint64_t, HttpResponse>> poll(int timeout_ms, int also_fd = -1) override;

 private:
  struct Request {
    std::uint64_t tag = 0;
    std::string origin;  ///< host:port, as in the Host header
    std::string key;     ///< scheme and origin: which connections may carry it
    std::string host;    ///< as in the URL (TLS checks the certificate against it)
    std::uint16_t port = 0;
    bool tls = false;
    bool named = false;  ///< its host is a name: `addr` is looked up for each connection
    std::size_t other_addresses = 0;  ///< of the name, still to try if a connect fails
    bool looked_up = false;
    sockaddr_storage addr{};  ///< the origin's address, for a new connection
    socklen_t addr_len = 0;
    std::string bytes;   ///< the whole request, as written
    std::int64_t deadline = 0;
    std::int64_t timeout_ms = 0;
    bool resent = false;  ///< already moved once to a fresh connection
  };
  struct Connection;

  void start(Request req, bool again = false);
  void wait(Request req, bool again);
  std::size_t ramp() const;
  bool may_open() const;
  void open_for(Request req);
  void connected(Connection* c);
  void handshake(Connection* c);
  void assign(Connection* c, Request req);
  void write(Connection* c);
  void read(Connection* c);
  void read_tls(Connection* c);
  void answered(Connection* c);
  void finish(Connection* c, HttpResponse response, bool reusable);
  void fail(Connection* c, const std::string& error, bool timed_out = false);
  void close(Connection* c);
  void start_waiting();
  void watch(Connection* c, bool writing);
  void complete(std::uint64_t tag, HttpResponse response, bool slow_setup = false);

  int epoll_ = -1;
  std::size_t max_connections_;
  std::size_t connections_ = 0;
  std::size_t window_;
  std::int64_t idle_since_ = 0;  ///< steady ms when the last request out ended
  TransportCounts counts_;  ///< connections opened, TLS handshakes done
  std::string ca_file_;
  std::unique_ptr<TlsContext> tls_;  ///< made at the first HTTPS connection
  std::map<std::string, SSL_SESSION*> sessions_;  ///< by key: the newest, offered to resume
  std::size_t unproven_ = 0;  ///< open connections that have not yet carried an answer
  bool starting_waiting_ = false;
  std::size_t requests_ = 0;
  std::list<Connection> open_;    ///< every open connection
  std::list<Connection> closed_;  ///< closed during this poll(), freed at its end
  std::map<std::string, std::vector<Connection*>> idle_;  ///< by origin, most recent last
  std::deque<Request> waiting_;  ///< for a connection (all busy, or the ramp full)
  Resolver resolver_;
  std::deque<Request> resolving_;  ///< for their host's first lookup
  static constexpr int kResolvingPollMs = 5;  ///< how often poll() looks while one runs
  std::vector<std::pair<std::uint64_t, HttpResponse>> done_;
};

}  // namespace loa::transport
