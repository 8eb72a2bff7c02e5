// A hardened HTTP/1.1 server for the daemon's endpoints: libmicrohttpd, made for hostile
// traffic, with Loa's own whole-request deadline and eviction of idle connections on top
// (docs/design.md, "The webhook"). Both the internet-facing webhook and the officials' API run on
// it, each on its own address with its own limits; what a request means is the handler's.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <expected>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/config/config.h"

struct MHD_Daemon;
struct MHD_Connection;

namespace loa::daemon {

/// One whole request, as the handler sees it.
struct HttpRequest {
  std::string method;
  std::string uri;   ///< as the client sent it, query included (Twilio signs it)
  std::string path;  ///< the URI before '?'
  std::multimap<std::string, std::string> headers;  ///< names as sent
  std::string body;
  std::string client;  ///< the peer's address ("127.0.0.1")

  /// The first header of that name, compared without case; "" when absent.
  std::string header(std::string_view name) const;
};

struct HttpResponse {
  unsigned status = 200;
  std::string body;
  std::string content_type = "text/plain";
  std::vector<std::pair<std::string, std::string>> headers;
};

class HttpServer {
 public:
  using Handler = std::function<HttpResponse(HttpRequest&)>;
  /// `name` labels its logs and the drop counter; `on_dropped(why)` counts a request or
  /// connection refused before the handler ("headers", "encoding", "too_large",
  /// "deadline", "evicted").
  /// `threads`: libmicrohttpd's threads, each serving its share of the connections; a
  /// handler that waits (the webhook's group commit) holds one. 0: a thread for each
  /// connection, for handlers that sleep.
  HttpServer(std::string name, std::string host, int port, config::WebhookLimits limits, Handler handler,
             std::function<void(const char*)> on_dropped, unsigned threads = 4);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// Binds host:port (port 0: the kernel picks); returns the bound port or an error.
  std::expected<int, std::string> bind();
  /// Serves HTTPS with this certificate chain and key (PEM texts; libmicrohttpd's GnuTLS)
  /// instead of HTTP. Before start().
  void use_tls(std::string cert_pem, std::string key_pem);
  /// Runs `hook` on libmicrohttpd's thread as each connection starts, before it is served
  /// (the fake provider's slow accept). Before start().
  void on_open(std::function<void()> hook) { open_hook_ = std::move(hook); }
  /// Serves on libmicrohttpd's threads until stop().
  std::expected<void, std::string> start();
  void stop();

  static constexpr std::size_t kMaxBody = 64 * 1024;  ///< the default body cap (webhook.max_body_kib)
  /// The body cap, any framing: Content-Length or chunked.
  std::size_t max_body() const { return static_cast<std::size_t>(limits_.max_body_kib) * 1024; }
  static constexpr int kMaxHeaders = 64;              ///< header fields of one request
  /// libmicrohttpd's memory per connection: a request head (line and headers) must fit in
  /// about half of it, else 431.
  static constexpr std::size_t kConnectionMemory = 16 * 1024;

  /// One request's state (libmicrohttpd's per-request context).
  struct Request;
  /// Connections open now, for the deadline and eviction (callbacks run on MHD's threads).
  void opened(MHD_Connection* c);
  void closed(MHD_Connection* c);
  void answered(MHD_Connection* c);
  /// The access handler: one call per request head, per piece of body, and at the end.
  int handle(MHD_Connection* c, Request& req, const char* method, const char* upload, std::size_t* upload_size);
  const std::string& name() const { return name_; }

 private:
  struct Tracked {
    int fd = -1;                 ///< our duplicate of the socket: shutdown() is always on the right one
    std::int64_t since = 0;      ///< connection start or the previous answer (steady ms)
    bool in_handler = false;     ///< its request head is complete and being served
    bool shut = false;
  };
  void sweep_loop();
  void sweep(std::int64_t now);

  std::string name_, host_;
  int port_;
  config::WebhookLimits limits_;
  std::string tls_cert_, tls_key_;  ///< PEM; empty: plain HTTP
  std::function<void()> open_hook_;
  unsigned threads_;
  Handler handler_;
  std::function<void(const char*)> on_dropped_;
  int listen_fd_ = -1;
  MHD_Daemon* daemon_ = nullptr;
  std::thread sweeper_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::unordered_map<MHD_Connection*, Tracked> conns_;
};

}  // namespace loa::daemon
