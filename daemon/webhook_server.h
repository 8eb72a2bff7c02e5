// The daemon's webhook: /dlr/<provider> delivery reports, /healthz, /metrics. It faces the
// internet (providers post to it), so it runs on the hardened HttpServer with the
// `webhook` limits (docs/design.md, "The webhook").
#pragma once
#include <condition_variable>
#include <expected>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "daemon/context.h"
#include "daemon/http_server.h"
#include "daemon/report_batcher.h"
#include "daemon/report_spool.h"

namespace loa::daemon {

class WebhookServer {
 public:
  explicit WebhookServer(Context& ctx);
  ~WebhookServer();
  WebhookServer(const WebhookServer&) = delete;
  WebhookServer& operator=(const WebhookServer&) = delete;

  /// Binds webhook.listen (port 0: the kernel picks); returns the bound port or an error.
  std::expected<int, std::string> bind() { return server_.bind(); }
  /// Serves on libmicrohttpd's threads until stop().
  std::expected<void, std::string> start() { return server_.start(); }
  void stop();

  static constexpr std::size_t kMaxBody = HttpServer::kMaxBody;
  static constexpr unsigned kThreads = 16;

 private:
  HttpResponse handle(HttpRequest& req);
  /// A report for provider `name`; `path_token` is the token the path carried, if any (else
  /// the query's `token` is checked).
  HttpResponse answer_dlr(HttpRequest& req, const std::string& name, const std::optional<std::string>& path_token);

  /// Applies the spooled reports once Redis takes them again (every second while any wait).
  void drain_spool();

  Context& ctx_;
  ReportBatcher batcher_;  // before server_: its requests wait on it until server_ stops
  ReportSpool spool_;      // reports kept on disk while Redis is away
  HttpServer server_;
  std::mutex drainer_mu_;
  std::condition_variable drainer_wake_;
  bool drainer_stop_ = false;
  std::thread drainer_;  // last: started when everything it uses exists
};

}  // namespace loa::daemon
