// Fuzz target: the HTTP/1.1 response parser, fed in pieces whose sizes come from the
// input, then the end of the stream; Retry-After; and the URLs of core/util/url.h (a URL
// that parses has an origin with no credentials in it, and a masked form without its
// password).
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
    if (origin.find('@') != std::string::npos || (!u->password.empty() && origin.find(u->password) != std::string::npos))
      std::abort();
    if (!u->password.empty() && rest.find('@') != std::string_view::npos &&
        loa::util::masked_url(std::string(rest)).find(":" + u->password + "@") != std::string::npos)
      std::abort();
  }
  return 0;
}
