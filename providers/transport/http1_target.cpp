// URLs for the own HTTP/1.1 client.
#include "providers/transport/http1_target.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>

#include "providers/transport/http1_parser.h"

namespace loa::transport {

namespace {

/// A host name as DNS has them: letters, digits, '-' and '.', at most 253.
bool host_name(std::string_view h) {
  if (h.empty() || h.size() > 253 || h.front() == '.' || h.front() == '-') return false;
  return std::all_of(h.begin(), h.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
  });
}

}  // namespace

std::optional<Target> parse_url(std::string_view url) {
  Target t;
  constexpr std::string_view plain = "http://", secure = "https://";
  if (url.size() > plain.size() && iequals(url.substr(0, plain.size()), plain)) {
    url.remove_prefix(plain.size());
  } else if (url.size() > secure.size() && iequals(url.substr(0, secure.size()), secure)) {
    url.remove_prefix(secure.size());
    t.tls = true;
  } else {
    return std::nullopt;
  }
  const auto end = url.find_first_of("/?#");
  std::string_view authority = url.substr(0, end);
  t.path = end == std::string_view::npos ? "/" : std::string(url.substr(end));
  if (t.path.front() != '/') t.path.insert(0, "/");
  if (auto hash = t.path.find('#'); hash != std::string::npos) t.path.resize(hash);
  std::string_view host = authority, port = t.tls ? "443" : "80";
  if (authority.starts_with('[')) {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = authority.substr(1, close - 1);
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      port = rest.substr(1);
    }
  } else if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  int p = 0;
  auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
  if (ec != std::errc() || ptr != port.data() + port.size() || p < 1 || p > 65535) return std::nullopt;
  t.port = static_cast<std::uint16_t>(p);
  const std::string h(host);
  auto* v4 = reinterpret_cast<sockaddr_in*>(&t.addr);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&t.addr);
  if (inet_pton(AF_INET, h.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<std::uint16_t>(p));
    t.addr_len = sizeof(sockaddr_in);
  } else if (inet_pton(AF_INET6, h.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<std::uint16_t>(p));
    t.addr_len = sizeof(sockaddr_in6);
  } else if (!host_name(h)) {
    return std::nullopt;
  }  // (a name: looked up when a connection is opened)
  t.origin = std::string(authority);
  t.host = std::string(host);
  return t;
}

}  // namespace loa::transport
