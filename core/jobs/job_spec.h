// The job a producer puts on the stream (CONTRACT.md "The Redis job stream").
#pragma once
#include <cstdint>
#include <expected>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace loa::jobs {

struct JobSpec {
  std::string template_name;
  std::vector<std::string> wards;
  std::map<std::string, std::string> vars;
  std::vector<std::string> areas;
  std::vector<std::string> tags;
  /// When to send (epoch ms): read from the JSON's "at" once, in the config's time zone,
  /// and written back as ISO 8601 UTC, so every reader sees the same instant.
  std::optional<std::int64_t> at_ms;
  bool urgent = false;
  std::optional<std::string> key;
  /// Who sent it: "local:<unix user>" from the direct command line, an account's name
  /// through the API (docs/contract.md, "Departures": a field the contract's JSON does not list).
  std::optional<std::string> by;
  /// Only the residents whose list column `column` holds the day `date` ("YYYY-MM-DD"):
  /// a reminder on each resident's own date (`loa remind ... --when "1 day before column
  /// ngay_tiem_tiep"`; docs/contract.md, "Departures": a field the contract's JSON does not list).
  struct OnDate {
    std::string column;
    std::string date;
    friend bool operator==(const OnDate&, const OnDate&) = default;
  };
  std::optional<OnDate> on_date;
};

/// Bounds on one job, whoever produced it (docs/design.md, "Limits").
inline constexpr std::size_t kMaxEntryBytes = 64 * 1024;  ///< the stream entry's JSON
inline constexpr std::size_t kMaxWards = 64;
inline constexpr std::size_t kMaxVars = 64;
inline constexpr std::size_t kMaxVarBytes = 4 * 1024;     ///< one variable's value
inline constexpr std::size_t kMaxNameBytes = 64;          ///< a variable's name, a ward id
inline constexpr std::size_t kMaxFilters = 64;            ///< areas, and tags
inline constexpr std::size_t kMaxFilterBytes = 256;       ///< one area or tag, the key, --at
inline constexpr std::int64_t kEarliestAtMs = 946684800000;   ///< "at" from 2000-01-01 UTC
inline constexpr std::int64_t kLatestAtMs = 7258118400000;    ///< to 2200-01-01 UTC

/// Parses the stream entry's JSON; the error says which field is wrong. Refuses an entry
/// past the bounds above, a ward named twice, and text that is not UTF-8. Errors hold
/// no raw bytes of the entry. "at" is ISO 8601 with an offset, or "YYYY-MM-DD HH:MM" in
/// `timezone`.
std::expected<JobSpec, std::string> parse_job_spec(const std::string& json, std::string_view timezone);

/// The bounds, repeats and UTF-8 check of parse_job_spec, for a spec made another way
/// (`loa send`); the reason when it fails.
std::optional<std::string> check_bounds(const JobSpec& spec);

/// What makes two jobs the same announcement (template, variables, wards, areas, tags; not
/// the time, key or sender), as a SHA-256: the 24-hour repeat check of `loa send` and the API.
std::string fingerprint(const JobSpec& spec);

/// The JSON form of a spec, as `loa send` enqueues it.
std::string to_json(const JobSpec& spec);

}  // namespace loa::jobs
