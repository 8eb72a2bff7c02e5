// The HTTP/1.1 response parser of Loa's own client: bytes split anywhere, every body
// framing, and malformed answers named.
#include <doctest/doctest.h>

#include <string>

#include "providers/transport/http.h"
#include "providers/transport/http1_parser.h"

using loa::transport::ResponseParser;

namespace {
// Feeds `bytes` in pieces of `step` (0: at once), then the end of the stream if `eof`.
ResponseParser parse(const std::string& bytes, std::size_t step = 0, bool eof = false) {
  ResponseParser p;
  if (step == 0) step = bytes.size();
  for (std::size_t i = 0; i < bytes.size(); i += step) p.feed(std::string_view(bytes).substr(i, step));
  if (eof) p.end_of_stream();
  return p;
}
}  // namespace

TEST_SUITE("providers/http1") {
  TEST_CASE("Content-Length body, whole or a byte at a time; keep-alive by default in HTTP/1.1") {
    const std::string r = "HTTP/1.1 200 OK\r\nServer: nginx\r\ncontent-length: 25\r\n\r\n{\"status\":\"ok\",\"id\":\"a1\"}";
    for (std::size_t step : {0, 1, 7}) {
      auto p = parse(r, step);
      REQUIRE(p.done());
      CHECK(p.status == 200);
      CHECK(p.body == R"({"status":"ok","id":"a1"})");
      CHECK(p.keep_alive);
    }
    auto partial = parse(r.substr(0, r.size() - 1));
    CHECK_FALSE(partial.done());
    CHECK_FALSE(partial.failed());
    CHECK(partial.started());
    CHECK_FALSE(ResponseParser{}.started());
  }

  TEST_CASE("chunked body with extensions and trailers, split at every point") {
    const std::string r =
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nX-T: 1\r\n\r\n";
    for (std::size_t cut = 1; cut < r.size(); ++cut) {
      ResponseParser p;
      p.feed(std::string_view(r).substr(0, cut));
      p.feed(std::string_view(r).substr(cut));
      REQUIRE_MESSAGE(p.done(), "cut at " << cut);
      CHECK(p.body == "hello world");
      CHECK(p.keep_alive);
    }
  }

  TEST_CASE("1xx answers are skipped; 204 has no body; Retry-After in seconds, a date ignored") {
    auto p = parse("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 429 Too Many\r\nRetry-After: 7\r\nContent-Length: 0\r\n\r\n");
    REQUIRE(p.done());
    CHECK(p.status == 429);
    CHECK(p.retry_after_ms == 7000);
    auto d = parse("HTTP/1.1 503 Busy\r\nRetry-After: Wed, 21 Oct 2026 07:28:00 GMT\r\nContent-Length: 2\r\n\r\nno");
    REQUIRE(d.done());
    CHECK_FALSE(d.retry_after_ms.has_value());
    // The same reading for libcurl's header lines (value with its CRLF).
    CHECK(loa::transport::retry_after_ms(" 12\r\n") == 12000);
    CHECK_FALSE(loa::transport::retry_after_ms("-1").has_value());
    // A huge one is a day, not an overflow; one past int64 is no value at all.
    CHECK(loa::transport::retry_after_ms("9223372036854775").value() == 86400 * 1000LL);
    CHECK(loa::transport::retry_after_ms("86401").value() == 86400 * 1000LL);
    CHECK_FALSE(loa::transport::retry_after_ms("99999999999999999999999").has_value());
    CHECK_FALSE(loa::transport::retry_after_ms("5s").has_value());
    auto n = parse("HTTP/1.1 204 No Content\r\n\r\n");
    REQUIRE(n.done());
    CHECK(n.body.empty());
  }

  TEST_CASE("connection reuse: Connection close, HTTP/1.0, a body to the end of the stream, stray bytes") {
    CHECK_FALSE(parse("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx").keep_alive);
    CHECK_FALSE(parse("HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx").keep_alive);
    CHECK(parse("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 1\r\n\r\nx").keep_alive);
    auto open = parse("HTTP/1.1 200 OK\r\n\r\nuntil the end");
    CHECK_FALSE(open.done());
    open.end_of_stream();
    REQUIRE(open.done());
    CHECK(open.body == "until the end");
    CHECK_FALSE(open.keep_alive);
    auto stray = parse("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxHTTP/1.1 200");
    REQUIRE(stray.done());
    CHECK(stray.body == "x");
    CHECK_FALSE(stray.keep_alive);
  }

  TEST_CASE("malformed or cut answers fail, saying what was wrong") {
    auto check = [](const std::string& bytes, const std::string& says, bool eof = false) {
      auto p = parse(bytes, 0, eof);
      CHECK_MESSAGE(p.failed(), bytes.substr(0, 30));
      CHECK_MESSAGE(p.error().find(says) != std::string::npos, p.error());
      CHECK_FALSE(p.keep_alive);
    };
    check("SMTP ready\r\n\r\n", "status line");
    check("HTTP/1.1 2x0 OK\r\n\r\n", "bad status");
    check("HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n", "Content-Length");
    check("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nx", "Content-Length");
    check("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", "colon");
    check("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "chunk size");
    check("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY", "CRLF");
    check("HTTP/1.1 200 OK\r\nContent-Length: 99999999\r\n\r\n", "1 MiB");
    check("HTTP/1.1 200 OK\r\nX: " + std::string(70 * 1024, 'a'), "64 KiB");
    check("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", "middle of the answer", true);
    check("", "before any answer", true);
    std::string big = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 20; ++i) big += "10000\r\n" + std::string(0x10000, 'b') + "\r\n";
    check(big, "1 MiB");
  }

  TEST_CASE("header names compared without case, ASCII letters only") {
    using loa::transport::iequals;
    CHECK(iequals("Content-Length", "content-LENGTH"));
    CHECK_FALSE(iequals("Content-Length", "Content-Lengt"));
    CHECK_FALSE(iequals("[", "{"));   // 0x5B and 0x7B differ by the case bit, and are not letters
    CHECK_FALSE(iequals("@", "`"));
    CHECK(iequals("X-\xC4\x90", "x-\xC4\x90"));
    CHECK_FALSE(iequals("\xC4", "\xE4"));  // bytes over 0x7F are never folded
    // A status line with such bytes in a header name still parses.
    loa::transport::ResponseParser p;
    p.feed("HTTP/1.1 200 OK\r\nX-\xFF\xC0: 1\r\ncontent-length: 2\r\n\r\nok");
    REQUIRE(p.done());
    CHECK(p.body == "ok");
  }
}
