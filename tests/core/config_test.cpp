// Config loading: defaults, ${ENV}, relative paths and file:line errors.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/util/url.h"
#include "core/config/config.h"
#include "core/store/redis.h"

namespace {
namespace fs = std::filesystem;

struct TempConfig {
  fs::path dir;
  explicit TempConfig(const std::string& yaml) {
    char tmpl[] = "/tmp/loa-config-XXXXXX";
    dir = mkdtemp(tmpl);
    std::ofstream(dir / "loa.yaml") << yaml;
  }
  ~TempConfig() { fs::remove_all(dir); }
  std::string path() const { return (dir / "loa.yaml").string(); }
};

bool any_contains(const std::vector<std::string>& errors, const std::string& needle) {
  for (const auto& e : errors)
    if (e.find(needle) != std::string::npos) return true;
  return false;
}

constexpr const char* kProviders = R"(
providers:
  - name: primary
    type: http
    url: http://127.0.0.1:9/send
)";
}  // namespace

TEST_SUITE("core/config") {
  TEST_CASE("a minimal config gets the contract's defaults and paths relative to the file") {
    TempConfig c(std::string("state_dir: state\n") + kProviders);
    auto cfg = loa::config::load_config(c.path());
    REQUIRE(cfg.has_value());
    CHECK(cfg->redis.url == "redis://127.0.0.1:6379/0");
    CHECK(cfg->redis.prefix == "loa");
    CHECK(cfg->timezone == "Asia/Ho_Chi_Minh");
    CHECK(cfg->state_dir == (c.dir / "state").string());
    CHECK(cfg->templates_dir == (c.dir / "templates").string());
    CHECK(cfg->retry.max_attempts == 5);
    CHECK(cfg->routes.fallback == std::vector<std::string>{"primary"});
    CHECK(cfg->providers.at(0).burst == 1);
    CHECK(cfg->webhook_port == 8089);
  }

  TEST_CASE("a provider type's documented rate is its default; the config's own rate stands") {
    TempConfig c(R"(
providers:
  - {name: speed, type: speedsms, access_token: t}
  - {name: speed-fast, type: speedsms, access_token: t, rate_per_second: 5}
  - {name: own, type: http, url: "http://127.0.0.1:9/send"}
)");
    auto cfg = loa::config::load_config(c.path());
    REQUIRE(cfg.has_value());
    CHECK(cfg->providers.at(0).rate_per_second == 1);  // SpeedSMS: 60 requests a minute
    CHECK(cfg->providers.at(0).burst == 1);
    CHECK(cfg->providers.at(1).rate_per_second == 5);
    CHECK(cfg->providers.at(2).rate_per_second == 0);  // the generic type: the operator's to say
    for (std::string_view type : {"esms", "speedsms", "twilio", "infobip"}) {
      CAPTURE(type);
      const auto* limit = loa::config::documented_limit(type);
      REQUIRE(limit);
      CHECK(limit->rate_per_second > 0);
      CHECK_FALSE(limit->source.empty());
    }
    CHECK_FALSE(loa::config::documented_limit("http"));
  }

  TEST_CASE("${NAME} is replaced from the environment; an unset one is an error with its line") {
    setenv("LOA_TEST_PREFIX", "phuong6", 1);
    TempConfig ok(std::string("redis:\n  prefix: ${LOA_TEST_PREFIX}\n") + kProviders);
    auto cfg = loa::config::load_config(ok.path());
    REQUIRE(cfg.has_value());
    CHECK(cfg->redis.prefix == "phuong6");

    unsetenv("LOA_TEST_UNSET");
    TempConfig bad(std::string("redis:\n  prefix: ${LOA_TEST_UNSET}\n") + kProviders);
    auto err = loa::config::load_config(bad.path());
    REQUIRE_FALSE(err.has_value());
    CHECK(any_contains(err.error(), bad.path() + ":2:"));
    CHECK(any_contains(err.error(), "LOA_TEST_UNSET"));
  }

  TEST_CASE("unknown keys are refused with file:line and the expected keys") {
    TempConfig c(std::string("redis:\n  url: redis://127.0.0.1:6379/0\n  prefx: loa\n") + kProviders);
    auto err = loa::config::load_config(c.path());
    REQUIRE_FALSE(err.has_value());
    CHECK(any_contains(err.error(), c.path() + ":3: unknown key \"prefx\" in redis"));
  }

  TEST_CASE("bad values are refused with what was expected, all of them at once") {
    TempConfig c(R"(timezone: Asia/Saigonn
quiet_hours: { start: "25:00", end: "07:00" }
webhook:
  listen: nowhere
retry: { max_attempts: zero }
providers:
  - name: primary
    type: http
    url: http://127.0.0.1:9/send
    rate_per_second: -3
routes:
  default: [secondary]
)");
    auto err = loa::config::load_config(c.path());
    REQUIRE_FALSE(err.has_value());
    CHECK(any_contains(err.error(), ":1: unknown time zone"));
    CHECK(any_contains(err.error(), ":2: quiet_hours.start must be a time"));
    CHECK(any_contains(err.error(), ":4: webhook.listen must be HOST:PORT"));
    CHECK(any_contains(err.error(), ":5: retry.max_attempts must be a whole number"));
    CHECK(any_contains(err.error(), ":10: rate_per_second must be a number from 0"));
    CHECK(any_contains(err.error(), ":12: routes.default names provider \"secondary\""));
  }

  TEST_CASE("api, approval and retention: defaults, values and mistakes") {
    {
      TempConfig c(std::string("state_dir: state\n") + kProviders);
      auto cfg = loa::config::load_config(c.path());
      REQUIRE(cfg.has_value());
      CHECK_FALSE(cfg->api.has_value());  // no API unless asked for
      CHECK_FALSE(cfg->approval.any());
      CHECK(cfg->retention.message_days == 90);
      CHECK(cfg->retention.audit_days == 1825);
    }
    {
      TempConfig c(std::string("api: { listen: 10.0.0.5:8090, max_connections_per_client: 8 }\n"
                               "approval: { over_recipients: 500, all_wards: true, urgent: true, expire_hours: 0.5 }\n"
                               "retention: { message_days: 30, audit_days: 3650 }\n") +
                   kProviders);
      auto cfg = loa::config::load_config(c.path());
      REQUIRE(cfg.has_value());
      REQUIRE(cfg->api.has_value());
      CHECK(cfg->api->host == "10.0.0.5");
      CHECK(cfg->api->port == 8090);
      CHECK(cfg->api->limits.max_connections == 256);
      CHECK(cfg->api->limits.max_connections_per_client == 8);
      CHECK(cfg->approval.over_recipients == 500);
      CHECK(cfg->approval.all_wards);
      CHECK(cfg->approval.urgent);
      CHECK(cfg->approval.expire_hours == doctest::Approx(0.5));
      CHECK(cfg->retention.message_days == 30);
      CHECK(cfg->retention.audit_days == 3650);
    }
    TempConfig bad(std::string("api: { port: 8090 }\n"
                               "approval: { urgent: maybe, expire_hours: 0 }\n"
                               "retention: { message_days: 0 }\n") +
                   kProviders);
    auto err = loa::config::load_config(bad.path());
    REQUIRE_FALSE(err.has_value());
    CHECK(any_contains(err.error(), ":1: unknown key \"port\" in api"));
    CHECK(any_contains(err.error(), "api needs listen"));
    CHECK(any_contains(err.error(), ":2: approval.urgent must be true or false"));
    CHECK(any_contains(err.error(), ":2: approval.expire_hours must be a number"));
    CHECK(any_contains(err.error(), ":3: retention.message_days must be a whole number from 1"));
  }

  TEST_CASE("server: the API `loa` works through; peek_client reads an official's file without the rest") {
    {
      TempConfig c(std::string("server: https://loa.camau.gov.vn/\n") + kProviders);
      auto cfg = loa::config::load_config(c.path());
      REQUIRE(cfg.has_value());
      CHECK(cfg->server == "https://loa.camau.gov.vn/");
    }
    for (const char* wrong : {"ftp://x", "https://", "http://:8090", "https://a b"}) {
      CAPTURE(wrong);
      TempConfig c(std::string("server: \"") + wrong + "\"\n" + kProviders);
      CHECK_FALSE(loa::config::load_config(c.path()).has_value());
    }
    // An official's machine: no providers, nothing else; the client keys are read anyway.
    TempConfig official("server: https://loa.example\nlanguage: en\ntimezone: Asia/Bangkok\n");
    CHECK_FALSE(loa::config::load_config(official.path()).has_value());
    auto client = loa::config::peek_client(official.path());
    CHECK(client.server == "https://loa.example");
    CHECK(client.language == "en");
    CHECK(client.timezone == "Asia/Bangkok");
    CHECK(loa::config::peek_client("/nonexistent/loa.yaml").server.empty());
    TempConfig odd("language: fr\nserver: [1, 2]\n");
    CHECK(loa::config::peek_client(odd.path()).language.empty());
    CHECK(loa::config::peek_client(odd.path()).server.empty());
  }

  TEST_CASE("a YAML syntax error names the line") {
    TempConfig c("redis: [unclosed\n");
    auto err = loa::config::load_config(c.path());
    REQUIRE_FALSE(err.has_value());
    CHECK(any_contains(err.error(), "YAML syntax error"));
  }

  TEST_CASE("shapes a reader would throw on are refused at load: non-scalar keys, bad UTF-8, deep nesting, alias bombs") {
    const std::string bad[][2] = {
        {std::string("[a, b]: 1\n") + kProviders, ":1: a key must be plain text"},
        {std::string("wards:\n  {x: 1}: Phuong\n") + kProviders, ":2: a key must be plain text"},
        {std::string("providers:\n  - name: p\n    type: http\n    headers: {? [k]: v}\n"), "a key must be plain text"},
        {std::string("timezone: \"\xff\xfe\"\n") + kProviders, ":1: text that is not valid UTF-8"},
        {std::string("w\xc3: 1\n") + kProviders, "not valid UTF-8"},
        {std::string("wards: ") + std::string(40, '[') + std::string(40, ']') + "\n" + kProviders, "nested more than"},
        {"a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
         "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
         "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n",
         "too large"},
    };
    for (const auto& [yaml, why] : bad) {
      CAPTURE(yaml);
      TempConfig c(yaml);
      auto err = loa::config::load_config(c.path());
      REQUIRE_FALSE(err.has_value());
      CHECK(any_contains(err.error(), why));
    }
  }

  TEST_CASE("providers are required and names are unique") {
    TempConfig none("timezone: Asia/Ho_Chi_Minh\n");
    CHECK_FALSE(loa::config::load_config(none.path()).has_value());
    TempConfig twice(std::string(kProviders) + "  - name: primary\n    type: file\n");
    auto err = loa::config::load_config(twice.path());
    REQUIRE_FALSE(err.has_value());
    CHECK(any_contains(err.error(), "provider name \"primary\" is used twice"));
  }

  TEST_CASE("ids: lower-case ASCII letters, digits, hyphens; nothing that can name a path") {
    CHECK(loa::config::valid_id("phuong-6"));
    CHECK(loa::config::valid_id("treo-co"));
    CHECK_FALSE(loa::config::valid_id("../etc/passwd"));
    CHECK_FALSE(loa::config::valid_id("Phuong6"));
    CHECK_FALSE(loa::config::valid_id("phường-6"));
    CHECK_FALSE(loa::config::valid_id(""));
  }

  TEST_CASE("a Redis URL's password is masked wherever the URL becomes text") {
    using loa::util::masked_url;
    CHECK(masked_url("redis://loa:s3cr3t@10.0.0.5:6379/0") == "redis://loa:***@10.0.0.5:6379/0");
    CHECK(masked_url("redis://:s3cr3t@10.0.0.5") == "redis://:***@10.0.0.5");
    CHECK(masked_url("redis://:pa/ss@host:1/2") == "redis://:***@host:1/2");  // a '/' in the password
    CHECK(masked_url("unix://:pw@/run/redis.sock") == "unix://:***@/run/redis.sock");
    CHECK(masked_url("unix:///run/a@b/redis.sock") == "unix:///run/a@b/redis.sock");  // a path, no password
    CHECK(masked_url("redis://10.0.0.5:6379") == "redis://10.0.0.5:6379");
    CHECK(masked_url("loa:s3cr3t@10.0.0.5") == "loa:***@10.0.0.5");  // no scheme
    CHECK(masked_url("redis://s3cr3t@host") == "redis://:***@host");
    CHECK(masked_url("http:/u:s3cr3t@host/x") == "http:/u:***@host/x");  // one slash, as libcurl reads it too
    CHECK(masked_url("http://u:s3cr3t@h/a://b@c") == "http://u:***@h/a://b@c");
    // Parsed once; the one text form of the address is masked, errors included.
    auto a = loa::store::RedisAddress::parse("redis://loa:s3cr3t@10.0.0.5:6380/2");
    REQUIRE(a);
    CHECK(a->password == "s3cr3t");
    CHECK(a->port == 6380);
    CHECK(a->db == "2");
    CHECK(a->shown == "redis://loa:***@10.0.0.5:6380/2");
    auto bad = loa::store::RedisAddress::parse("redis://loa:s3cr3t@10.0.0.5:99999999/x");
    REQUIRE_FALSE(bad);
    CHECK(bad.error().find("s3cr3t") == std::string::npos);
    // The config's own error about a URL that is not one.
    TempConfig c(std::string("redis: { url: \"http://loa:s3cr3t@10.0.0.5\" }\n") + kProviders);
    auto cfg = loa::config::load_config(c.path());
    REQUIRE_FALSE(cfg);
    CHECK(any_contains(cfg.error(), "redis.url"));
    CHECK_FALSE(any_contains(cfg.error(), "s3cr3t"));
  }
}
