// Where an HTTP(S) URL's requests go, for Loa's own HTTP/1.1 client: the scheme, the
// address (numeric now, or a host name to look up when a connection opens), the Host
// header and the request target. Parsed once a request; anything else is not the own
// client's (a URL through a proxy goes to libcurl).
#pragma once
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace loa::transport {

struct Target {
  sockaddr_storage addr{};
  socklen_t addr_len = 0;  ///< 0 for a host name, looked up when a connection is opened
  std::string origin;      ///< "host:port" as written
  std::string host;
  std::string path;
  std::uint16_t port = 0;
  bool tls = false;
};

/// An http:// or https:// URL with a host (a name as DNS has them, or an IPv4 or
/// bracketed IPv6 address) and an optional port; nullopt for anything else.
std::optional<Target> parse_url(std::string_view url);

}  // namespace loa::transport
