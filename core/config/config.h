// The daemon's and command line's configuration (CONTRACT.md "Config"), loaded strictly.
#pragma once
#include <cstdint>
#include <expected>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/phone/phone.h"

namespace loa::config {

struct RedisConfig {
  std::string url = "redis://127.0.0.1:6379/0";  ///< redis://, unix://, or "embedded"
  std::string prefix = "loa";
  bool embedded() const { return url == "embedded"; }
};

struct QuietHours {
  int start_minute = 0;  ///< minutes after local midnight
  int end_minute = 0;
};

/// What the webhook allows any client: it faces the internet.
struct WebhookLimits {
  int max_connections = 4096;            ///< open at once, all clients
  int max_connections_per_client = 64;   ///< open at once from one address
  int request_timeout_ms = 10000;        ///< a request's head and body, from the connection's
                                         ///< start or the previous answer
  std::string metrics_token;             ///< set: /metrics needs "Authorization: Bearer <it>"
  /// A request body's cap in KiB, any framing (64 as the contract says; up to 1024 for a
  /// provider posting larger report batches, Infobip with a maxBucketSize over ~150).
  int max_body_kib = 64;
};

/// `api:` (CONTRACT.md "HTTP API"): the officials' API, apart from the webhook, with limits
/// of its own (fewer connections by default: its clients are a city's offices).
struct ApiListener {
  std::string host = "127.0.0.1";
  int port = 8090;
  WebhookLimits limits;
  /// Unknown tokens an address may present in a minute before it is answered 429, without
  /// its tokens being looked at, until the minute ends (api.token_failures_per_minute).
  int token_failures_per_minute = 10;
};

struct RetryPolicy {
  int max_attempts = 5;
  std::int64_t base_delay_ms = 1000;
  std::int64_t max_delay_ms = 300000;
};

/// `approval:` (CONTRACT.md "Who may do what"): which jobs wait for a second person. Unset
/// keys catch nothing; without the section no job waits.
struct Approval {
  std::optional<std::int64_t> over_recipients;  ///< more recipients than this
  bool all_wards = false;                       ///< a job to every ward `wards:` names (two or more)
  bool urgent = false;                          ///< an urgent job
  double expire_hours = 72;                     ///< then a request not acted on is rejected
  bool any() const { return over_recipients || all_wards || urgent; }
};

/// `retention:` (Decree 13/2023/NĐ-CP: personal data not kept longer than needed): a job's
/// numbers and texts go `message_days` after it finished; audit entries after `audit_days`.
struct Retention {
  int message_days = 90;
  int audit_days = 1825;
};

/// The keys every provider type shares; the YAML node is kept so the provider's own
/// factory can validate its type-specific keys (and refuse unknown ones).
struct ProviderConfig {
  std::string name;
  std::string type;
  double rate_per_second = 0;  ///< 0: no limit
  int burst = 1;
  int max_in_flight = 64;
  int timeout_ms = 10000;
  std::string base_url;
  std::string dlr_token;
  /// PEM file of the certificate authorities to trust for this provider's HTTPS (a
  /// private CA of an on-premise gateway) instead of the system's; always verified.
  std::string ca_file;
  YAML::Node node;
};

/// A provider type's rate when the config names none: its documented limit, or Loa's safe
/// default where the provider documents no number (`source` says which).
struct DocumentedLimit {
  std::string_view type;
  double rate_per_second;
  std::string_view source;
};
/// nullptr for a type with no default limit (http, file: the operator's to say).
const DocumentedLimit* documented_limit(std::string_view type);

struct Routes {
  std::vector<std::string> fallback;  ///< `routes.default`
  std::map<std::string, std::vector<std::string>> by_carrier;
  /// The route for a carrier ("viettel", ...; "" when unknown).
  const std::vector<std::string>& for_carrier(const std::string& carrier) const;
};

/// The kinds of a city's lowest units.
enum class UnitKind { Phuong, Xa, ThiTran };

/// A ward, commune or township as the config names it.
struct Ward {
  std::string name;    ///< the display name as configured: {{ten_phuong}}
  UnitKind kind = UnitKind::Phuong;
  bool kind_known = false;  ///< stated as `kind`, or read from the name's first word
  std::string proper;  ///< the name without its kind word: "6", "Hòa Tân"

  Ward() = default;
  /// A display name; its first word ("Phường", "Xã", "Thị trấn") gives the kind.
  Ward(std::string display);  // NOLINT: a plain name is the common form
  Ward(const char* display) : Ward(std::string(display)) {}  // NOLINT
  /// The kind word, lower case: "phường", "xã", "thị trấn" ({{don_vi}}).
  std::string kind_word() const;
  /// The name in running text by Nghị định 30/2020/NĐ-CP: the kind word lower case before a
  /// proper name ("xã Hòa Tân", "phường Tân Xuyên"), capitalised before a number
  /// ("Phường 6") ({{ten_don_vi}}).
  std::string in_text() const;
};

/// The kind named by a `kind:` value ("phuong", "xa", "thi-tran").
std::optional<UnitKind> parse_unit_kind(std::string_view s);

/// What a segment costs (`pricing:`), for the estimates of preview, send and reports.
struct Pricing {
  std::string currency = "VND";
  std::int64_t unicode_segment = 0, gsm_segment = 0;
  struct Override {
    std::optional<std::int64_t> unicode_segment, gsm_segment;
  };
  std::map<std::string, Override> by_carrier;
  bool configured = false;
  /// The price of one segment to `carrier`'s network in that encoding.
  std::int64_t per_segment(const std::string& carrier, bool unicode) const;
};

struct Config {
  std::string path;  ///< the file it was read from
  std::string dir;   ///< its folder, base of relative paths
  RedisConfig redis;
  std::string timezone = "Asia/Ho_Chi_Minh";
  /// A reminder's occurrence missed while every gateway was down goes on start-up within
  /// this many hours of its time; later, it is recorded as missed (`loa remind list`).
  int remind_grace_hours = 6;
  std::string state_dir = "/var/lib/loa";
  std::string templates_dir;
  std::string wards_dir;
  std::map<std::string, Ward> wards;  ///< the units Loa sends to, by id (--all-wards means these)
  std::optional<QuietHours> quiet_hours;
  std::string webhook_host = "127.0.0.1";
  int webhook_port = 8089;
  std::string public_url;  ///< empty: http://<listen address> as bound
  WebhookLimits webhook;
  std::optional<ApiListener> api;  ///< unset: no API served
  RetryPolicy retry;
  std::vector<ProviderConfig> providers;
  Routes routes;
  Pricing pricing;
  Approval approval;
  Retention retention;
  /// `language`: "vi" or "en" for what `loa` says to people; unset: by the locale.
  std::optional<std::string> language;
  /// `server`: the officials' API `loa` works through instead of Redis (as --server does);
  /// empty: Redis directly. loa-gatewayd does not read it.
  std::string server;
  /// Mobile blocks: the built-in table plus `carrier_prefixes`.
  phone::Carriers carriers;

  const ProviderConfig* provider(const std::string& name) const;
  /// Display name of a ward: `wards.<id>` or the id itself.
  std::string ward_name(const std::string& id) const;
  /// The ward as configured; one the config does not name is its id, kind unknown.
  Ward ward(const std::string& id) const;
};

/// Reads and validates a config file. Every problem is reported as "file:line: ...".
std::expected<Config, std::vector<std::string>> load_config(const std::string& path);

/// --config flag, else $LOA_CONFIG, else /etc/loa/loa.yaml.
std::string resolve_config_path(const std::optional<std::string>& flag);

/// The `language` a config file sets ("vi" or "en"), read before anything else so that
/// `--help` and usage errors already speak it; nullopt when the file is unreadable, broken
/// or silent (load_config reports those).
std::optional<std::string> peek_language(const std::string& path);

/// What `loa` needs from a config file to work through the officials' API, read without
/// validating the rest (an official's machine has no gateway config, only these keys):
/// `server`, `language` and `timezone`, each empty when the file does not say it (or cannot
/// be read).
struct ClientSettings {
  std::string server, language, timezone;
};
ClientSettings peek_client(const std::string& path);

/// Whether `url` can be an API server: http:// or https://, a host, no spaces; "" when it
/// can, else why not.
std::string server_url_problem(const std::string& url);

/// Ward ids and template names: lower-case ASCII letters, digits and hyphens.
bool valid_id(const std::string& id);


}  // namespace loa::config
