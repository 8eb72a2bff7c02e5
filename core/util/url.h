// URLs, read in one place with libcurl's URL parser (CURLU): the server of `loa --server`,
// a provider's or the webhook's public address, a callback to post reports to; and the
// two things every message about a URL needs: its password masked, and whether its host is
// this machine. (Two readers stay with their callers, each for a stated reason: a Redis
// address, whose unix:// form puts credentials before a socket path that no URL parser
// models (core/store/redis.cpp), and the own HTTP client's per-request target, on the
// send path (providers/transport/http1_target.cpp): 0.13 µs a parse there against 0.83 µs
// through CURLU, measured side by side on 2026-12-08 — 2–6 % of the daemon's CPU a message.)
#pragma once
#include <expected>
#include <string>
#include <string_view>

namespace loa::util {

/// A URL's parts as libcurl reads them; `port` is the explicit one or the scheme's.
struct Url {
  std::string scheme;  ///< lower case
  std::string user, password;
  std::string host;  ///< an IPv6 address in brackets ("[::1]")
  int port = 0;
  bool explicit_port = false;
  std::string path;   ///< "/" at least
  std::string query;  ///< without the '?'
  /// "scheme://host[:port]": where requests go (no credentials, path or query).
  std::string origin() const;
};

/// An absolute http:// or https:// URL with a host; the error names what is wrong.
std::expected<Url, std::string> parse_http_url(std::string_view url);

/// `url` with any password replaced by *** ("redis://user:***@host..."), for messages and
/// logs; a URL with no scheme is masked the same way.
std::string masked_url(const std::string& url);

/// Whether `host` ("localhost", an address in 127.0.0.0/8, ::1, bracketed or not) is this
/// machine; a name that only looks like one ("127.0.0.1.example") is not.
bool loopback_host(std::string_view host);

}  // namespace loa::util
