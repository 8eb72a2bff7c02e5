// URLs through libcurl's parser (core/util/url.h), as hostile input meets them.
#include <doctest/doctest.h>

#include "core/util/url.h"

using loa::util::parse_http_url;

TEST_SUITE("core/url") {
  TEST_CASE("http(s) URLs: host, port, path and query as libcurl reads them") {
    auto u = parse_http_url("https://api.example.vn/send?x=1");
    REQUIRE(u);
    CHECK(u->scheme == "https");
    CHECK(u->host == "api.example.vn");
    CHECK(u->port == 443);
    CHECK_FALSE(u->explicit_port);
    CHECK(u->path == "/send");
    CHECK(u->query == "x=1");
    CHECK(u->origin() == "https://api.example.vn");
    auto v6 = parse_http_url("http://[::1]:8090");
    REQUIRE(v6);
    CHECK(v6->host == "[::1]");
    CHECK(v6->port == 8090);
    CHECK(v6->path == "/");
    CHECK(v6->origin() == "http://[::1]:8090");
    auto creds = parse_http_url("http://lan:pw@127.0.0.1:1/x");
    REQUIRE(creds);
    CHECK(creds->user == "lan");
    CHECK(creds->password == "pw");
    CHECK(creds->origin().find("pw") == std::string::npos);
  }

  TEST_CASE("not an http(s) URL with a host: refused, the password never in the reason") {
    for (const char* bad : {"ftp://x/", "http://", "https:///path", "api.example.vn/send", "http://a b/", "http://x:99999/",
                            "http://u:s3cret@/", "javascript:alert(1)", "", "http://h\xfe\xfe/", "http://a_b/"}) {
      const std::string shown = bad;
      CAPTURE(shown);
      auto u = parse_http_url(bad);
      CHECK_FALSE(u);
      if (!u) CHECK(u.error().find("s3cret") == std::string::npos);
    }
  }

  TEST_CASE("loopback hosts are addresses parsed, not prefixes") {
    CHECK(loa::util::loopback_host("127.0.0.1"));
    CHECK(loa::util::loopback_host("localhost"));
    CHECK(loa::util::loopback_host("::1"));
    CHECK_FALSE(loa::util::loopback_host("10.0.0.5"));
    CHECK_FALSE(loa::util::loopback_host("redis.ubnd.camau.gov.vn"));
    // A name is a name, whatever it starts with (issue 29): only addresses are parsed.
    CHECK_FALSE(loa::util::loopback_host("127.0.0.1.example.invalid"));
    CHECK_FALSE(loa::util::loopback_host("127.evil.example"));
    CHECK(loa::util::loopback_host("127.8.9.10"));
    CHECK(loa::util::loopback_host("[::1]"));
    CHECK_FALSE(loa::util::loopback_host("[::2]"));
  }
}
