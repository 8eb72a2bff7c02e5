// Fuzz target: the HTTP/1.1 response parser, fed in pieces whose sizes come from the
// input, then the end of the stream; Retry-After; and the URLs of core/util/url.h (a URL
// that parses has an origin with no credentials, space, path or query in it, and its
// masked form hides the password where it stands).
#include "providers/transport/http1_parser.h"
#include "providers/transport/http.h"
#include "core/util/url.h"
#include "tests/fuzz/fuzz.h"

#include <cstdlib>

LOA_FUZZ_TARGET(http1) {
  if (size == 0) return 0;
  const std::size_t step = 1 + data[0] % 64;
  auto rest = loa::fuzz::text(data + 1, size - 1);
  loa::transport::ResponseParser p;
  for (std::size_t at = 0; at < rest.size() && !p.done() && !p.failed(); at += step) p.feed(rest.substr(at, step));
  if (!p.done() && !p.failed()) p.end_of_stream();
  (void)loa::transport::retry_after_ms(rest);
  if (auto u = loa::util::parse_http_url(rest)) {
    const std::string origin = u->origin();
    if (origin.find('@') != std::string::npos || origin.find_first_of(" \t\r\n/?#") != origin.find("//"))
      std::abort();
    // The password libcurl read is masked where it stands (the same text may also be in
    // the path: one occurrence fewer, at least).
    auto count = [](std::string_view hay, const std::string& needle) {
      std::size_t n = 0;
      for (auto at = hay.find(needle); at != std::string_view::npos; at = hay.find(needle, at + 1)) ++n;
      return n;
    };
    if (!u->password.empty() && u->password != "***") {  // ("***" masked is "***")
      const std::string needle = ":" + u->password + "@";
      const std::string masked = loa::util::masked_url(std::string(rest));
      if (count(rest, needle) > 0 && count(masked, needle) >= count(rest, needle)) std::abort();
    }
  }
  return 0;
}
