// Logging set-up and phone masking.
#include "core/util/log.h"
#include "core/util/time.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace loa::util {

void init_logging(std::string_view program, std::string_view level) {
  auto logger = spdlog::stderr_logger_mt(std::string(program));
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  logger->set_level(spdlog::level::from_str(std::string(level)));
  spdlog::set_default_logger(logger);
}

std::string mask_phone(std::string_view phone) {
  if (phone.size() < 7) return "***";
  return std::string(phone.substr(0, 4)) + "***" + std::string(phone.substr(phone.size() - 3));
}

void LogThrottle::error(const std::string& message) {
  const std::int64_t now = steady_ms();
  if (now - last_ms_ < interval_ms_) {
    ++held_;
    return;
  }
  if (held_ > 0) spdlog::error("{} (and {} more like it in {} s)", message, held_, interval_ms_ / 1000);
  else spdlog::error("{}", message);
  last_ms_ = now;
  held_ = 0;
}

}  // namespace loa::util
