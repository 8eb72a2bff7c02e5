// Choosing a transport, and what both share.
#include "providers/transport/transport.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>

#include "providers/transport/curl_transport.h"
#include "providers/transport/http1_client.h"

namespace loa::transport {

// True when the environment names no proxy: curl may then skip looking on every request.
bool no_proxy_in_env() {
  for (const char* v : {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"})
    if (const char* p = std::getenv(v); p && *p) return false;
  return true;
}

std::optional<std::int64_t> retry_after_ms(std::string_view value) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!value.empty() && space(value.front())) value.remove_prefix(1);
  while (!value.empty() && space(value.back())) value.remove_suffix(1);
  std::int64_t s = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), s);
  if (ec != std::errc() || end != value.data() + value.size() || s < 0) return std::nullopt;
  return std::min<std::int64_t>(s, kMaxRetryAfterS) * 1000;  // a day at most: no overflow, no wait for ever
}

std::optional<std::int64_t> rate_limit_reset_ms(std::string_view value, std::int64_t now_s) {
  auto s = retry_after_ms(value);  // whole seconds, capped at a day
  if (!s) return std::nullopt;
  // retry_after_ms caps at a day: read the number again for a Unix time.
  std::int64_t n = 0;
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!value.empty() && space(value.front())) value.remove_prefix(1);
  while (!value.empty() && space(value.back())) value.remove_suffix(1);
  std::from_chars(value.data(), value.data() + value.size(), n);
  if (n > 1'000'000'000) return std::clamp<std::int64_t>(n - now_s, 0, kMaxRetryAfterS) * 1000;
  return s;
}

std::size_t next_window(std::size_t window, std::size_t max, bool answered, bool slow_setup) {
  if (answered && !slow_setup) return std::min(max, window + 1);
  return std::max(std::min(kFirstWindow, max), window / 2);
}

std::unique_ptr<HttpTransport> make_transport(const TransportSpec& spec) {
  static const bool direct = no_proxy_in_env();
  if (direct && Http1Client::handles(spec.url)) return std::make_unique<Http1Client>(spec.max_connections, std::string(spec.ca_file));
  return std::make_unique<CurlMulti>(spec.max_connections, std::string(spec.ca_file));
}

}  // namespace loa::transport
