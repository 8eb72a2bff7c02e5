// The daemon's HTTP endpoints: /dlr/<provider> delivery reports, /healthz, /metrics.
// They face the internet (providers post to them), so the server is libmicrohttpd, made for
// hostile traffic, with Loa's own deadline and eviction on top (README, "The webhook").
#pragma once
#include <condition_variable>
#include <cstdint>
#include <expected>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "daemon/context.h"

struct MHD_Daemon;
struct MHD_Connection;

namespace loa::daemon {

class WebhookServer {
 public:
  /// Limits from `ctx.fixed.webhook`.
  explicit WebhookServer(Context& ctx);
  ~WebhookServer();
  WebhookServer(const WebhookServer&) = delete;
  WebhookServer& operator=(const WebhookServer&) = delete;

  /// Binds webhook.listen (port 0: the kernel picks); returns the bound port or an error.
  std::expected<int, std::string> bind();
  /// Serves on libmicrohttpd's threads until stop().
  std::expected<void, std::string> start();
  void stop();

  static constexpr std::size_t kMaxBody = 64 * 1024;  ///< any framing: Content-Length or chunked
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

 private:
  struct Tracked {
    int fd = -1;                 ///< our duplicate of the socket: shutdown() is always on the right one
    std::int64_t since = 0;      ///< connection start or the previous answer (steady ms)
    bool in_handler = false;     ///< its request head is complete and being served
    bool shut = false;
  };
  void sweep_loop();
  void sweep(std::int64_t now);
  int answer_dlr(MHD_Connection* c, Request& req, const char* method, const std::string& name);

  Context& ctx_;
  config::WebhookLimits limits_;
  int listen_fd_ = -1;
  MHD_Daemon* daemon_ = nullptr;
  std::thread sweeper_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::unordered_map<MHD_Connection*, Tracked> conns_;
};

}  // namespace loa::daemon
