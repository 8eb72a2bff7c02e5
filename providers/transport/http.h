// An HTTP request and its answer as the transports carry them: the floor beneath the
// providers (providers/provider.h builds and reads these; providers/transport sends them).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace loa::transport {

struct HttpRequest {
  std::string method = "POST";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string basic_auth;  ///< "user:password", empty for none
};

struct HttpResponse {
  long status = 0;  ///< 0 when no HTTP answer came
  std::string body;
  std::optional<std::int64_t> retry_after_ms;
  /// Transport failure, empty when an answer came.
  std::string transport_error;
  /// False only when the request provably never left: the transport failed before any
  /// byte of it was written (refused, unreachable). Once written, a request that got no
  /// answer may have been acted on, whatever the connection's history, and neither
  /// transport sends it again by itself.
  bool request_sent = false;
  bool timed_out = false;
  /// X-Rate-Limit-Reset, in ms from now (SpeedSMS sends it with 429): used where no
  /// Retry-After came.
  std::optional<std::int64_t> rate_limit_reset_ms;
};

/// A Retry-After header's value in milliseconds: whole seconds, white space around them
/// allowed; nullopt for anything else (an HTTP-date is rare from SMS APIs: the backoff
/// applies instead).
std::optional<std::int64_t> retry_after_ms(std::string_view value);
inline constexpr std::int64_t kMaxRetryAfterS = 86400;
/// An X-Rate-Limit-Reset header's value in ms from `now_s` (Unix seconds): whole seconds
/// to wait, or — a value past 10^9 — the Unix time of the reset (both are in use); nullopt
/// for anything else. At most a day, never negative.
std::optional<std::int64_t> rate_limit_reset_ms(std::string_view value, std::int64_t now_s);

/// How a transport error starts when the provider's certificate was refused, or the TLS
/// set-up failed: the operator's to mend (reports::vi_reason says so in Vietnamese).
inline constexpr std::string_view kCertificateRefused = "the provider's certificate was refused (tell the operator): ";
inline constexpr std::string_view kTlsFailed = "no secure connection to the provider (tell the operator): ";

}  // namespace loa::transport
