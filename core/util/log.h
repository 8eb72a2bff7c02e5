// Logging set-up (stderr, one line per event, for the journal) and phone masking.
#pragma once
#include <string>
#include <string_view>

namespace loa::util {

/// Sends spdlog's default logger to stderr at `level` ("debug", "info", ...).
void init_logging(std::string_view program, std::string_view level);

/// Masks a phone number for logs and reports: "0912345678" -> "0912***678".
/// Anything shorter than 7 characters becomes "***".
std::string mask_phone(std::string_view phone);

}  // namespace loa::util
