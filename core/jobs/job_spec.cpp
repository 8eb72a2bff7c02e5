// Job spec JSON (nlohmann), with every throw converted to an error string.
#include "core/jobs/job_spec.h"

#include <nlohmann/json.hpp>

namespace loa::jobs {

using nlohmann::json;

std::expected<JobSpec, std::string> parse_job_spec(const std::string& text) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    return std::unexpected(std::string("not valid JSON: ") + e.what());
  }
  if (!j.is_object()) return std::unexpected("the job must be a JSON object");
  JobSpec s;
  static const char* kKnown[] = {"template", "wards", "vars", "areas", "tags", "at", "urgent", "key"};
  for (const auto& [k, v] : j.items()) {
    bool known = false;
    for (const char* n : kKnown) known |= (k == n);
    if (!known) return std::unexpected("unknown field \"" + k + "\"");
  }
  auto strings = [&](const char* field, std::vector<std::string>& out) -> std::optional<std::string> {
    if (!j.contains(field) || j[field].is_null()) return std::nullopt;
    if (!j[field].is_array()) return std::string("\"") + field + "\" must be a list of strings";
    for (const auto& v : j[field]) {
      if (!v.is_string()) return std::string("\"") + field + "\" must be a list of strings";
      out.push_back(v.get<std::string>());
    }
    return std::nullopt;
  };
  if (!j.contains("template") || !j["template"].is_string()) return std::unexpected("\"template\" must be a string");
  s.template_name = j["template"].get<std::string>();
  if (auto e = strings("wards", s.wards)) return std::unexpected(*e);
  if (s.wards.empty()) return std::unexpected("\"wards\" must name at least one ward");
  if (auto e = strings("areas", s.areas)) return std::unexpected(*e);
  if (auto e = strings("tags", s.tags)) return std::unexpected(*e);
  if (j.contains("vars") && !j["vars"].is_null()) {
    if (!j["vars"].is_object()) return std::unexpected("\"vars\" must be an object of strings");
    for (const auto& [k, v] : j["vars"].items()) {
      if (!v.is_string()) return std::unexpected("variable \"" + k + "\" must be a string");
      s.vars[k] = v.get<std::string>();
    }
  }
  if (j.contains("at") && !j["at"].is_null()) {
    if (!j["at"].is_string()) return std::unexpected("\"at\" must be a string");
    s.at = j["at"].get<std::string>();
  }
  if (j.contains("urgent") && !j["urgent"].is_null()) {
    if (!j["urgent"].is_boolean()) return std::unexpected("\"urgent\" must be true or false");
    s.urgent = j["urgent"].get<bool>();
  }
  if (j.contains("key") && !j["key"].is_null()) {
    if (!j["key"].is_string() || j["key"].get<std::string>().empty())
      return std::unexpected("\"key\" must be a non-empty string or null");
    s.key = j["key"].get<std::string>();
  }
  return s;
}

std::string to_json(const JobSpec& s) {
  json j;
  j["template"] = s.template_name;
  j["wards"] = s.wards;
  j["vars"] = s.vars;
  j["areas"] = s.areas;
  j["tags"] = s.tags;
  j["at"] = s.at ? json(*s.at) : json(nullptr);
  j["urgent"] = s.urgent;
  j["key"] = s.key ? json(*s.key) : json(nullptr);
  return j.dump();
}

}  // namespace loa::jobs
