// The job a producer puts on the stream (CONTRACT.md "The Redis job stream").
#pragma once
#include <cstdint>
#include <expected>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace loa::jobs {

struct JobSpec {
  std::string template_name;
  std::vector<std::string> wards;
  std::map<std::string, std::string> vars;
  std::vector<std::string> areas;
  std::vector<std::string> tags;
  std::optional<std::string> at;  ///< ISO 8601 with offset, or "YYYY-MM-DD HH:MM" local
  bool urgent = false;
  std::optional<std::string> key;
};

/// Parses the stream entry's JSON; the error says which field is wrong.
std::expected<JobSpec, std::string> parse_job_spec(const std::string& json);

/// The JSON form of a spec, as `loa send` enqueues it.
std::string to_json(const JobSpec& spec);

}  // namespace loa::jobs
