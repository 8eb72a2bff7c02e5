// The gateway: owns every component of loa-gatewayd, starts them in order and drains
// them on stop.
#pragma once
#include <expected>
#include <memory>
#include <string>
#include <vector>

#include "daemon/context.h"

namespace loa::daemon {

class Gateway {
 public:
  /// Validates the config file and every provider section; errors are file:line lines.
  static std::expected<std::unique_ptr<Gateway>, std::vector<std::string>> create(const std::string& config_path);
  ~Gateway();

  /// Starts everything and blocks until request_stop(); then drains. Returns the exit code.
  int run();
  /// Safe from any thread (the signal thread calls it).
  void request_stop();
  /// Re-reads the config, providers and templates (SIGHUP); safe from any thread. A bad
  /// reload keeps everything as it was and logs why.
  void request_reload();

 private:
  Gateway() = default;
  std::unique_ptr<Context> ctx_;
  std::string config_path_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_requested_ = false;
  bool reload_requested_ = false;
};

/// The instance id: $LOA_INSTANCE_ID, else "<hostname>:<configured webhook port>".
std::string instance_id(const config::Config& cfg);

}  // namespace loa::daemon
