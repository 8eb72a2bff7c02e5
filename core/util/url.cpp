// URLs through libcurl's CURLU.
#include "core/util/url.h"

#include <arpa/inet.h>
#include <curl/curl.h>

#include <cctype>
#include <memory>

#include <fmt/format.h>

#include "core/util/i18n.h"
#include "core/util/strings.h"

namespace loa::util {

namespace {

struct UrlFree {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};

// One part of a parsed URL, "" when it has none.
std::string part(CURLU* u, CURLUPart which, unsigned flags = 0) {
  char* out = nullptr;
  if (curl_url_get(u, which, &out, flags) != CURLUE_OK || !out) return "";
  std::string s(out);
  curl_free(out);
  return s;
}

}  // namespace

std::string Url::origin() const {
  return explicit_port ? fmt::format("{}://{}:{}", scheme, host, port) : fmt::format("{}://{}", scheme, host);
}

std::expected<Url, std::string> parse_http_url(std::string_view text) {
  const std::string shown = loggable(masked_url(std::string(text)), 200);
  if (text.find_first_of(" \t\r\n") != std::string_view::npos)
    return std::unexpected(i18n::trf("\"{}\" has a space in it", shown));
  // libcurl reads "https:///x" as the host "x"; a person who wrote it meant no host.
  if (const auto scheme = text.find("://"); scheme != std::string_view::npos && text.substr(scheme + 3).starts_with('/'))
    return std::unexpected(i18n::trf("\"{}\" names no host", shown));
  std::unique_ptr<CURLU, UrlFree> u(curl_url());
  if (!u) return std::unexpected(std::string("out of memory"));
  const std::string s(text);
  if (auto rc = curl_url_set(u.get(), CURLUPART_URL, s.c_str(), 0); rc != CURLUE_OK) {
    if (rc == CURLUE_NO_HOST) return std::unexpected(i18n::trf("\"{}\" names no host", shown));
    return std::unexpected(i18n::trf("\"{}\" is not a URL: {}", shown, curl_url_strerror(rc)));
  }
  Url out;
  out.scheme = part(u.get(), CURLUPART_SCHEME);
  if (out.scheme != "http" && out.scheme != "https")
    return std::unexpected(i18n::trf("\"{}\" must start with http:// or https://", shown));
  out.host = part(u.get(), CURLUPART_HOST);
  if (out.host.empty()) return std::unexpected(i18n::trf("\"{}\" names no host", shown));
  // A name as DNS has them, an IPv4 address, or an IPv6 one in brackets: nothing else
  // (libcurl passes other bytes on to the resolver).
  const bool bracketed = out.host.size() > 2 && out.host.front() == '[' && out.host.back() == ']';
  if (!bracketed && out.host.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") !=
                        std::string::npos)
    return std::unexpected(i18n::trf("\"{}\" names no valid host", shown));
  out.user = part(u.get(), CURLUPART_USER);
  out.password = part(u.get(), CURLUPART_PASSWORD);
  const std::string port = part(u.get(), CURLUPART_PORT);
  out.explicit_port = !port.empty();
  const std::string any_port = out.explicit_port ? port : part(u.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
  out.port = std::atoi(any_port.c_str());
  out.path = part(u.get(), CURLUPART_PATH);
  if (out.path.empty()) out.path = "/";
  out.query = part(u.get(), CURLUPART_QUERY);
  return out;
}

std::string masked_url(const std::string& url) {
  // Whatever comes before the first '@' is credentials (a Redis address's reading: a
  // password may hold '/' but not '@'), unless it is a socket's path; only a user before
  // a ':' stays. A scheme is letters, digits, '+', '-' and '.' up to a ':' and one or two
  // '/' (libcurl also reads "http:/host"); a URL with no scheme ("user:pw@host") is masked
  // the same way. (Not CURLU: this must also mask what no URL parser accepts.)
  std::size_t from = 0;
  if (const auto colon = url.find(':'); colon != std::string::npos && colon > 0 && colon + 1 < url.size() &&
                                        url[colon + 1] == '/' && std::isalpha(static_cast<unsigned char>(url[0])) &&
                                        url.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                              "0123456789+-.") == colon) {
    from = colon + 1;
    for (int slash = 0; slash < 2 && from < url.size() && url[from] == '/'; ++slash) ++from;
  }
  const auto at = url.find('@', from);
  if (at == std::string::npos || from >= url.size() || url[from] == '/') return url;
  const auto colon = url.find(':', from);
  const std::string user = colon != std::string::npos && colon < at ? url.substr(from, colon - from) : "";
  return url.substr(0, from) + user + ":***" + url.substr(at);
}

bool loopback_host(std::string_view host) {
  if (host == "localhost") return true;
  // An address, parsed: "127.0.0.1.example.invalid" is a name like any other.
  std::string h(host);
  if (h.size() > 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  in_addr v4{};
  in6_addr v6{};
  if (::inet_pton(AF_INET, h.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  if (::inet_pton(AF_INET6, h.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
  return false;
}

}  // namespace loa::util
