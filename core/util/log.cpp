// Logging set-up and phone masking.
#include "core/util/log.h"
#include "core/util/time.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <utility>

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

std::string mask_numbers(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] < '0' || text[i] > '9') {
      out += text[i++];
      continue;
    }
    std::size_t end = i;
    while (end < text.size() && text[end] >= '0' && text[end] <= '9') ++end;
    const std::string_view run = text.substr(i, end - i);
    if (run.size() >= 9 && run.size() <= 12) out += mask_phone(run);
    else out += run;
    i = end;
  }
  return out;
}

void LogThrottle::emit(bool warning, const std::string& message) {
  const std::int64_t now = steady_ms();
  long held = 0;
  {
    std::lock_guard lock(mu_);
    if (now - last_ms_ < interval_ms_) {
      ++held_;
      return;
    }
    last_ms_ = now;
    held = std::exchange(held_, 0);
  }
  const std::string line = held > 0 ? fmt::format("{} (and {} more like it in {} s)", message, held, interval_ms_ / 1000) : message;
  if (warning) spdlog::warn("{}", line);
  else spdlog::error("{}", line);
}

}  // namespace loa::util
