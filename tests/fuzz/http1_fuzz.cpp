// Fuzz target: the HTTP/1.1 response parser, fed in pieces whose sizes come from the
// input, then the end of the stream; and Retry-After.
#include "providers/transport/http1_parser.h"
#include "providers/transport/http.h"
#include "tests/fuzz/fuzz.h"

LOA_FUZZ_TARGET(http1) {
  if (size == 0) return 0;
  const std::size_t step = 1 + data[0] % 64;
  auto rest = loa::fuzz::text(data + 1, size - 1);
  loa::transport::ResponseParser p;
  for (std::size_t at = 0; at < rest.size() && !p.done() && !p.failed(); at += step) p.feed(rest.substr(at, step));
  if (!p.done() && !p.failed()) p.end_of_stream();
  (void)loa::transport::retry_after_ms(rest);
  return 0;
}
