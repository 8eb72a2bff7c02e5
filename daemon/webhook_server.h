// The daemon's HTTP endpoints: /dlr/<provider> delivery reports, /healthz, /metrics.
#pragma once
#include <memory>
#include <thread>

#include "daemon/context.h"

namespace httplib {
class Server;
}

namespace loa::daemon {

class WebhookServer {
 public:
  explicit WebhookServer(Context& ctx);
  ~WebhookServer();
  /// Binds webhook.listen (port 0: the kernel picks); returns the bound port or an error.
  std::expected<int, std::string> bind();
  /// Serves on a thread of its own until stop().
  void start();
  void stop();

  static constexpr std::size_t kMaxBody = 64 * 1024;

 private:
  Context& ctx_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
};

}  // namespace loa::daemon
