// Strict loading of loa.yaml: defaults, ${ENV}, relative paths, file:line errors.
#include "core/config/config.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/util/yaml_reader.h"
#include "core/util/url.h"
#include "core/util/i18n.h"
#include "core/util/time.h"

namespace loa::config {

namespace fs = std::filesystem;

bool valid_id(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  return true;
}

const std::vector<std::string>& Routes::for_carrier(const std::string& carrier) const {
  auto it = by_carrier.find(carrier);
  return it == by_carrier.end() ? fallback : it->second;
}

const ProviderConfig* Config::provider(const std::string& name) const {
  for (const auto& p : providers)
    if (p.name == name) return &p;
  return nullptr;
}

std::string Config::ward_name(const std::string& id) const {
  auto it = wards.find(id);
  return it == wards.end() ? id : it->second.name;
}

Ward Config::ward(const std::string& id) const {
  auto it = wards.find(id);
  if (it != wards.end()) return it->second;
  Ward w;
  w.name = w.proper = id;
  return w;
}

namespace {
struct KindWord {
  UnitKind kind;
  std::string_view lower, capital;
};
constexpr KindWord kKindWords[] = {{UnitKind::Phuong, "phường", "Phường"},
                                   {UnitKind::Xa, "xã", "Xã"},
                                   {UnitKind::ThiTran, "thị trấn", "Thị trấn"}};
// The spellings a name may start with.
constexpr std::string_view kKindPrefixes[][4] = {{"phường ", "Phường ", "PHƯỜNG ", ""},
                                                  {"xã ", "Xã ", "XÃ ", ""},
                                                  {"thị trấn ", "Thị trấn ", "Thị Trấn ", "THỊ TRẤN "}};
}  // namespace

Ward::Ward(std::string display) : name(std::move(display)), proper(name) {
  for (std::size_t k = 0; k < 3 && !kind_known; ++k)
    for (auto prefix : kKindPrefixes[k])
      if (!prefix.empty() && name.size() > prefix.size() && name.starts_with(prefix)) {
        kind = kKindWords[k].kind;
        kind_known = true;
        proper = name.substr(prefix.size());
        break;
      }
}

std::string Ward::kind_word() const { return std::string(kKindWords[static_cast<int>(kind)].lower); }

std::string Ward::in_text() const {
  const auto& k = kKindWords[static_cast<int>(kind)];
  const bool number = !proper.empty() && proper.find_first_not_of("0123456789") == std::string::npos;
  return fmt::format("{} {}", number ? k.capital : k.lower, proper);
}

std::int64_t Pricing::per_segment(const std::string& carrier, bool unicode) const {
  if (auto it = by_carrier.find(carrier); it != by_carrier.end()) {
    const auto& o = unicode ? it->second.unicode_segment : it->second.gsm_segment;
    if (o) return *o;
  }
  return unicode ? unicode_segment : gsm_segment;
}

std::optional<UnitKind> parse_unit_kind(std::string_view s) {
  if (s == "phuong") return UnitKind::Phuong;
  if (s == "xa") return UnitKind::Xa;
  if (s == "thi-tran") return UnitKind::ThiTran;
  return std::nullopt;
}

std::string resolve_config_path(const std::optional<std::string>& flag) {
  if (flag) return *flag;
  if (const char* env = std::getenv("LOA_CONFIG"); env && *env) return env;
  return "/etc/loa/loa.yaml";
}

ClientSettings peek_client(const std::string& path) {
  ClientSettings out;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec) || std::filesystem::file_size(path, ec) > (1 << 20)) return out;
  try {
    YAML::Node root = YAML::LoadFile(path);
    if (!root.IsMap()) return out;
    for (auto [key, field] : {std::pair{"server", &out.server}, {"language", &out.language}, {"timezone", &out.timezone}})
      if (root[key] && root[key].IsScalar()) *field = root[key].Scalar();
  } catch (const YAML::Exception&) {
  }
  if (out.language != "vi" && out.language != "en") out.language.clear();
  return out;
}

std::optional<std::string> peek_language(const std::string& path) {
  std::string language = peek_client(path).language;
  if (language.empty()) return std::nullopt;
  return language;
}

std::string server_url_problem(const std::string& url) {
  auto parsed = util::parse_http_url(url);
  return parsed ? "" : i18n::trf("server {}", parsed.error());
}

const DocumentedLimit* documented_limit(std::string_view type) {
  // What each provider documents, or Loa's safe default where it documents no number.
  static constexpr DocumentedLimit kLimits[] = {
      {"speedsms", 1, "speedsms.vn/sms-api: at most 60 requests in 60 s, then 429 with X-Rate-Limit-Reset"},
      {"esms", 20, "Loa's safe default: eSMS's developer docs give no rate; raise it to your contract's"},
      {"infobip", 20, "Loa's safe default: Infobip answers 429 (E429) past an account's limit and names no number"},
      {"twilio", 20, "Loa's safe default: Twilio queues past a sender's own rate (1 a second for a long code) "
                     "and caps an account at 2,000 a second (error 63017)"},
  };
  for (const auto& l : kLimits)
    if (l.type == type) return &l;
  return nullptr;
}

namespace {

std::string relative_to(const std::string& dir, const std::string& p) {
  if (p.empty() || fs::path(p).is_absolute()) return p;
  return (fs::path(dir) / p).lexically_normal().string();
}

std::optional<int> parse_clock(const std::string& s) {
  static const std::regex re(R"((\d{1,2}):(\d{2}))");
  std::smatch m;
  if (!std::regex_match(s, m, re)) return std::nullopt;
  int h = std::stoi(m[1]), mi = std::stoi(m[2]);
  if (h > 23 || mi > 59) return std::nullopt;
  return h * 60 + mi;
}

void read_redis(util::YamlReader& r, const YAML::Node& n, RedisConfig& out) {
  if (!r.expect_keys(n, {"url", "prefix"}, "redis")) return;
  if (n["url"]) {
    if (auto v = r.string(n["url"], "redis.url")) {
      if (*v != "embedded" && v->rfind("redis://", 0) != 0 && v->rfind("unix://", 0) != 0)
        r.error(n["url"], i18n::trf("redis.url must be redis://HOST:PORT[/DB], unix:///PATH or embedded, got \"{}\"",
                                    util::masked_url(*v)));
      out.url = *v;
    }
  }
  if (n["prefix"]) {
    if (auto v = r.string(n["prefix"], "redis.prefix")) {
      if (v->empty() || v->find_first_of(" {}:") != std::string::npos)
        r.error(n["prefix"], i18n::tr("redis.prefix must be non-empty, without spaces, ':' or braces"));
      out.prefix = *v;
    }
  }
}

void read_provider(util::YamlReader& r, const YAML::Node& n, Config& cfg) {
  ProviderConfig p;
  p.node = n;
  if (!n.IsMap()) {
    r.error(n, i18n::tr("each provider must be a mapping with name and type"));
    return;
  }
  // Type-specific keys are checked by the provider's own factory.
  if (auto v = n["name"] ? r.string(n["name"], i18n::tr("provider name")) : std::nullopt) p.name = *v;
  if (p.name.empty() || !valid_id(p.name)) {
    r.error(n, i18n::tr("provider needs a name of lower-case letters, digits and hyphens"));
  } else if (cfg.provider(p.name)) {
    r.error(n["name"], i18n::trf("provider name \"{}\" is used twice", p.name));
  }
  if (auto v = n["type"] ? r.string(n["type"], i18n::tr("provider type")) : std::nullopt) p.type = *v;
  else r.error(n, i18n::trf("provider \"{}\" needs a type", p.name));
  if (const DocumentedLimit* limit = documented_limit(p.type)) p.rate_per_second = limit->rate_per_second;
  if (n["rate_per_second"])
    if (auto v = r.number(n["rate_per_second"], "rate_per_second", 0, 100000)) p.rate_per_second = *v;
  int default_burst = std::max(1, static_cast<int>(p.rate_per_second / 10));
  p.burst = default_burst;
  if (n["burst"])
    if (auto v = r.integer(n["burst"], "burst", 1, 100000)) p.burst = static_cast<int>(*v);
  if (n["max_in_flight"])
    if (auto v = r.integer(n["max_in_flight"], "max_in_flight", 1, 10000)) p.max_in_flight = static_cast<int>(*v);
  if (n["timeout_ms"])
    if (auto v = r.integer(n["timeout_ms"], "timeout_ms", 100, 600000)) p.timeout_ms = static_cast<int>(*v);
  if (n["base_url"])
    if (auto v = r.string(n["base_url"], "base_url")) p.base_url = *v;
  if (n["dlr_token"])
    if (auto v = r.string(n["dlr_token"], "dlr_token")) p.dlr_token = *v;
  if (n["ca_file"])
    if (auto v = r.string(n["ca_file"], "ca_file")) {
      p.ca_file = relative_to(cfg.dir, *v);
      if (std::ifstream probe(p.ca_file); !probe)
        r.error(n["ca_file"], i18n::trf("provider \"{}\": ca_file {} cannot be read", p.name, p.ca_file));
    }
  cfg.providers.push_back(std::move(p));
}

std::optional<std::vector<std::string>> read_route(util::YamlReader& r, const YAML::Node& n, const Config& cfg,
                                                   const std::string& what) {
  auto names = r.strings(n, what);
  if (!names) return std::nullopt;
  if (names->empty()) r.error(n, i18n::trf("{} must name at least one provider", what));
  for (const auto& name : *names)
    if (!cfg.provider(name)) r.error(n, i18n::trf("{} names provider \"{}\", which is not configured", what, name));
  return names;
}

// listen, max_connections, max_connections_per_client and request_timeout_ms of a section
// that serves HTTP (`what`: webhook, api).
void read_listener(util::YamlReader& r, const YAML::Node& n, const std::string& what, std::string& host, int& port,
                   WebhookLimits& limits) {
  if (n["max_connections"])
    if (auto v = r.integer(n["max_connections"], what + ".max_connections", 16, 1000000))
      limits.max_connections = static_cast<int>(*v);
  if (n["max_connections_per_client"])
    if (auto v = r.integer(n["max_connections_per_client"], what + ".max_connections_per_client", 1, 1000000))
      limits.max_connections_per_client = static_cast<int>(*v);
  if (n["request_timeout_ms"])
    if (auto v = r.integer(n["request_timeout_ms"], what + ".request_timeout_ms", 100, 600000))
      limits.request_timeout_ms = static_cast<int>(*v);
  if (n["max_body_kib"])
    if (auto v = r.integer(n["max_body_kib"], what + ".max_body_kib", 1, 1024)) limits.max_body_kib = static_cast<int>(*v);
  if (n["listen"])
    if (auto v = r.string(n["listen"], what + ".listen")) {
      static const std::regex re(R"(([^:\s]+):(\d{1,5}))");
      std::smatch m;
      if (!std::regex_match(*v, m, re) || std::stoi(m[2]) > 65535) {
        r.error(n["listen"], i18n::trf("{}.listen must be HOST:PORT, got \"{}\"", what, *v));
      } else {
        host = m[1];
        port = std::stoi(m[2]);
      }
    }
}

}  // namespace

std::expected<Config, std::vector<std::string>> load_config(const std::string& path) {
  util::YamlReader r(path);
  Config cfg;
  cfg.path = path;
  cfg.dir = fs::absolute(fs::path(path)).parent_path().string();
  YAML::Node root = r.load();
  if (!r.errors().empty()) return std::unexpected(r.errors());
  if (!root.IsMap()) {
    r.error(i18n::tr("the config must be a YAML mapping"));
    return std::unexpected(r.errors());
  }
  r.expect_keys(root, {"redis", "timezone", "state_dir", "templates_dir", "wards_dir", "wards", "quiet_hours",
                       "webhook", "retry", "providers", "routes", "carrier_prefixes", "pricing", "language", "approval", "api", "retention", "server",
                       "remind_grace_hours"},
                i18n::tr("the config"));
  if (root["redis"]) read_redis(r, root["redis"], cfg.redis);
  if (root["timezone"])
    if (auto v = r.string(root["timezone"], "timezone")) {
      if (!util::valid_timezone(*v)) r.error(root["timezone"], i18n::trf("unknown time zone \"{}\" (expected an IANA name like Asia/Ho_Chi_Minh)", *v));
      cfg.timezone = *v;
    }
  if (root["remind_grace_hours"])
    if (auto v = r.integer(root["remind_grace_hours"], "remind_grace_hours", 0, 24 * 31)) cfg.remind_grace_hours = static_cast<int>(*v);
  auto path_key = [&](const char* key, std::string def) {
    std::string v = std::move(def);
    if (root[key])
      if (auto s = r.string(root[key], key)) v = *s;
    return relative_to(cfg.dir, v);
  };
  cfg.state_dir = path_key("state_dir", cfg.state_dir);
  cfg.templates_dir = path_key("templates_dir", "templates");
  cfg.wards_dir = path_key("wards_dir", "wards");
  if (const auto& w = root["wards"]) {
    if (!w.IsMap()) r.error(w, i18n::tr("wards must map ward ids to display names or to { name, kind }"));
    else
      for (const auto& kv : w) {
        auto id = kv.first.as<std::string>();
        if (!valid_id(id)) r.error(kv.first, i18n::trf("ward id \"{}\" must be lower-case letters, digits and hyphens", id));
        if (kv.second.IsMap()) {
          if (!r.expect_keys(kv.second, {"name", "kind"}, "wards." + id)) continue;
          auto name = kv.second["name"] ? r.string(kv.second["name"], "wards." + id + ".name") : std::nullopt;
          if (!name) {
            if (!kv.second["name"]) r.error(kv.second, i18n::trf("wards.{} needs a name", id));
            continue;
          }
          Ward ward(*name);
          if (const auto& k = kv.second["kind"]) {
            auto text = r.string(k, "wards." + id + ".kind");
            auto kind = text ? parse_unit_kind(*text) : std::nullopt;
            if (!kind) {
              r.error(k, i18n::trf("wards.{}.kind must be phuong, xa or thi-tran", id));
              continue;
            }
            if (ward.kind_known && ward.kind != *kind) {
              r.error(k, i18n::trf("wards.{}: the name \"{}\" says {}, but kind says {}", id, *name, ward.kind_word(),
                                     Ward(std::string(kKindWords[static_cast<int>(*kind)].capital) + " x").kind_word()));
              continue;
            }
            ward.kind = *kind;
            ward.kind_known = true;
          }
          cfg.wards[id] = std::move(ward);
        } else if (auto name = r.string(kv.second, i18n::tr("ward name"))) {
          cfg.wards[id] = Ward(*name);
        }
      }
  }
  if (const auto& q = root["quiet_hours"]) {
    if (r.expect_keys(q, {"start", "end"}, "quiet_hours")) {
      QuietHours qh;
      bool ok = true;
      for (auto [key, dst] : {std::pair{"start", &qh.start_minute}, std::pair{"end", &qh.end_minute}}) {
        auto s = q[key] ? r.string(q[key], key) : std::nullopt;
        auto m = s ? parse_clock(*s) : std::nullopt;
        if (!m) {
          r.error(q[key] ? q[key] : q, i18n::trf("quiet_hours.{} must be a time \"HH:MM\"", key));
          ok = false;
        } else {
          *dst = *m;
        }
      }
      if (ok) cfg.quiet_hours = qh;
    }
  }
  if (const auto& w = root["webhook"]) {
    if (r.expect_keys(w, {"listen", "public_url", "max_connections", "max_connections_per_client",
                          "request_timeout_ms", "metrics_token", "max_body_kib"}, "webhook")) {
      read_listener(r, w, "webhook", cfg.webhook_host, cfg.webhook_port, cfg.webhook);
      if (w["metrics_token"])
        if (auto v = r.string(w["metrics_token"], "webhook.metrics_token")) cfg.webhook.metrics_token = *v;
      if (w["public_url"])
        if (auto v = r.string(w["public_url"], "webhook.public_url")) {
          if (auto parsed = util::parse_http_url(*v); !parsed)
            r.error(w["public_url"], i18n::trf("webhook.public_url {}", parsed.error()));
          cfg.public_url = *v;
          while (!cfg.public_url.empty() && cfg.public_url.back() == '/') cfg.public_url.pop_back();
        }
    }
  }
  if (const auto& a = root["api"]) {
    if (r.expect_keys(a, {"listen", "max_connections", "max_connections_per_client", "request_timeout_ms",
                          "token_failures_per_minute"},
                      "api")) {
      if (!a["listen"]) r.error(a, i18n::tr("api needs listen: HOST:PORT"));
      cfg.api.emplace();
      cfg.api->limits.max_connections = 256;
      read_listener(r, a, "api", cfg.api->host, cfg.api->port, cfg.api->limits);
      if (a["token_failures_per_minute"])
        if (auto v = r.integer(a["token_failures_per_minute"], "api.token_failures_per_minute", 1, 1000000))
          cfg.api->token_failures_per_minute = static_cast<int>(*v);
    }
  }
  if (const auto& rt = root["retry"]) {
    if (r.expect_keys(rt, {"max_attempts", "base_delay_ms", "max_delay_ms"}, "retry")) {
      if (rt["max_attempts"])
        if (auto v = r.integer(rt["max_attempts"], "retry.max_attempts", 1, 100)) cfg.retry.max_attempts = static_cast<int>(*v);
      if (rt["base_delay_ms"])
        if (auto v = r.integer(rt["base_delay_ms"], "retry.base_delay_ms", 0, 86400000)) cfg.retry.base_delay_ms = *v;
      if (rt["max_delay_ms"])
        if (auto v = r.integer(rt["max_delay_ms"], "retry.max_delay_ms", 0, 86400000)) cfg.retry.max_delay_ms = *v;
    }
  }
  if (const auto& rn = root["retention"]) {
    if (r.expect_keys(rn, {"message_days", "audit_days"}, "retention")) {
      if (rn["message_days"])
        if (auto v = r.integer(rn["message_days"], "retention.message_days", 1, 36500))
          cfg.retention.message_days = static_cast<int>(*v);
      if (rn["audit_days"])
        if (auto v = r.integer(rn["audit_days"], "retention.audit_days", 1, 36500)) cfg.retention.audit_days = static_cast<int>(*v);
    }
  }
  if (const auto& ap = root["approval"]) {
    if (r.expect_keys(ap, {"over_recipients", "all_wards", "urgent", "expire_hours"}, "approval")) {
      if (ap["over_recipients"])
        if (auto v = r.integer(ap["over_recipients"], "approval.over_recipients", 0, 100000000))
          cfg.approval.over_recipients = *v;
      if (ap["all_wards"])
        if (auto v = r.boolean(ap["all_wards"], "approval.all_wards")) cfg.approval.all_wards = *v;
      if (ap["urgent"])
        if (auto v = r.boolean(ap["urgent"], "approval.urgent")) cfg.approval.urgent = *v;
      if (ap["expire_hours"])
        if (auto v = r.number(ap["expire_hours"], "approval.expire_hours", 0.001, 24 * 365)) cfg.approval.expire_hours = *v;
    }
  }
  if (const auto& ps = root["providers"]; ps && ps.IsSequence() && ps.size() > 0) {
    for (const auto& p : ps) read_provider(r, p, cfg);
  } else {
    r.error(ps ? ps : root, i18n::tr("providers must be a non-empty list"));
  }
  if (const auto& cp = root["carrier_prefixes"]) {
    if (!cp.IsMap()) r.error(cp, i18n::tr("carrier_prefixes must map carriers to lists of prefixes (viettel: [\"0868\"])"));
    else
      for (const auto& kv : cp) {
        auto carrier = kv.first.as<std::string>();
        if (auto prefixes = r.strings(kv.second, "carrier_prefixes." + carrier))
          for (const auto& prefix : *prefixes)
            if (auto added = cfg.carriers.add(prefix, carrier); !added)
              r.error(kv.second, "carrier_prefixes." + carrier + ": " + added.error());
      }
  }
  if (root["language"])
    if (auto v = r.string(root["language"], "language")) {
      if (*v != "vi" && *v != "en") r.error(root["language"], i18n::trf("language must be vi or en, got \"{}\"", *v));
      else cfg.language = *v;
    }
  if (root["server"])
    if (auto v = r.string(root["server"], "server")) {
      if (auto why = server_url_problem(*v); !why.empty()) r.error(root["server"], why);
      else cfg.server = *v;
    }
  if (const auto& pr = root["pricing"]) {
    if (r.expect_keys(pr, {"currency", "unicode_segment", "gsm_segment", "by_carrier"}, "pricing")) {
      cfg.pricing.configured = true;
      if (pr["currency"])
        if (auto v = r.string(pr["currency"], "pricing.currency")) cfg.pricing.currency = *v;
      for (auto [k, dst] : {std::pair{"unicode_segment", &cfg.pricing.unicode_segment},
                            std::pair{"gsm_segment", &cfg.pricing.gsm_segment}})
        if (pr[k])
          if (auto v = r.integer(pr[k], std::string("pricing.") + k, 0, 1000000)) *dst = *v;
      if (const auto& bc = pr["by_carrier"]) {
        if (!bc.IsMap()) r.error(bc, i18n::tr("pricing.by_carrier must map carriers to { unicode_segment, gsm_segment }"));
        else
          for (const auto& kv : bc) {
            auto carrier = kv.first.as<std::string>();
            const std::string where = "pricing.by_carrier." + carrier;
            if (!r.expect_keys(kv.second, {"unicode_segment", "gsm_segment"}, where)) continue;
            Pricing::Override o;
            if (kv.second["unicode_segment"]) o.unicode_segment = r.integer(kv.second["unicode_segment"], where + ".unicode_segment", 0, 1000000);
            if (kv.second["gsm_segment"]) o.gsm_segment = r.integer(kv.second["gsm_segment"], where + ".gsm_segment", 0, 1000000);
            cfg.pricing.by_carrier[carrier] = o;
          }
      }
    }
  }
  if (const auto& rt = root["routes"]) {
    if (r.expect_keys(rt, {"default", "by_carrier"}, "routes")) {
      if (rt["default"])
        if (auto v = read_route(r, rt["default"], cfg, "routes.default")) cfg.routes.fallback = *v;
      if (const auto& bc = rt["by_carrier"]) {
        if (!bc.IsMap()) r.error(bc, i18n::tr("routes.by_carrier must map carriers to provider lists"));
        else
          for (const auto& kv : bc) {
            auto carrier = kv.first.as<std::string>();
            const auto& known = cfg.carriers.names();
            if (std::find(known.begin(), known.end(), carrier) == known.end())
              r.error(kv.first, i18n::trf("unknown carrier \"{}\" (expected one of: {}; or add its blocks under carrier_prefixes)",
                                            carrier, fmt::join(known, ", ")));
            if (auto v = read_route(r, kv.second, cfg, "routes.by_carrier." + carrier)) cfg.routes.by_carrier[carrier] = *v;
          }
      }
    }
  }
  if (cfg.routes.fallback.empty() && !cfg.providers.empty()) cfg.routes.fallback = {cfg.providers.front().name};
  if (!r.errors().empty()) return std::unexpected(r.errors());
  return cfg;
}

}  // namespace loa::config
