// Job spec JSON (nlohmann), with every throw converted to an error string.
#include "core/jobs/job_spec.h"

#include "core/calendar/holidays.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/text/unicode.h"
#include "core/util/encoding.h"
#include "core/util/i18n.h"
#include "core/util/strings.h"
#include "core/util/time.h"

namespace loa::jobs {

using nlohmann::json;

std::optional<std::string> check_bounds(const JobSpec& s) {
  // Names, ids, keys and filters: bounded, UTF-8, and no control characters (which would
  // forge a line in `loa audit` or `loa status`, or move an official's terminal).
  auto text_ok = [](const std::string& v, std::size_t max) {
    return v.size() <= max && text::valid_utf8(v) && !text::has_control(v);
  };
  if (!text_ok(s.template_name, kMaxNameBytes))
    return i18n::trf("the template name is over {} bytes, not UTF-8 or holds a control character", kMaxNameBytes);
  if (s.wards.size() > kMaxWards) return i18n::trf("{} wards: at most {} in one job", s.wards.size(), kMaxWards);
  std::set<std::string_view> wards;
  for (const auto& w : s.wards) {
    if (!text_ok(w, kMaxNameBytes))
      return i18n::trf("a ward id is over {} bytes, not UTF-8 or holds a control character", kMaxNameBytes);
    if (!wards.insert(w).second) return i18n::trf("ward \"{}\" is named twice", util::loggable(w));
  }
  if (s.vars.size() > kMaxVars) return i18n::trf("{} variables: at most {}", s.vars.size(), kMaxVars);
  for (const auto& [k, v] : s.vars) {
    if (!text_ok(k, kMaxNameBytes))
      return i18n::trf("variable name \"{}\" is too long, not UTF-8 or holds a control character", util::loggable(k, 64));
    if (!text::valid_utf8(v)) return i18n::trf("variable \"{}\" is not valid UTF-8 text", util::loggable(k));
    if (text::has_control(v, true))  // a line break may belong in a message; nothing else may
      return i18n::trf("variable \"{}\" holds a control character", util::loggable(k));
    if (v.size() > kMaxVarBytes)
      return i18n::trf("variable \"{}\" is {} bytes: at most {}", util::loggable(k), v.size(), kMaxVarBytes);
  }
  for (const auto* list : {&s.areas, &s.tags}) {
    if (list->size() > kMaxFilters) return i18n::trf("{} areas or tags: at most {}", list->size(), kMaxFilters);
    for (const auto& v : *list)
      if (!text_ok(v, kMaxFilterBytes)) return i18n::tr("an area or tag is too long, not UTF-8 or holds a control character");
  }
  if (s.key && !text_ok(*s.key, kMaxFilterBytes))
    return i18n::tr("\"key\" is too long, not UTF-8 or holds a control character");
  if (s.by && !text_ok(*s.by, kMaxFilterBytes)) return i18n::tr("\"by\" is too long, not UTF-8 or holds a control character");
  if (s.on_date) {
    if (!text_ok(s.on_date->column, kMaxNameBytes) || s.on_date->column.empty())
      return i18n::tr("\"on_date\": the column name is empty, too long or not UTF-8");
    const auto d = calendar::read_office_date(s.on_date->date);
    if (!d || calendar::iso(*d) != s.on_date->date) return i18n::tr("\"on_date\": the date must be a day written YYYY-MM-DD");
  }
  if (s.at_ms && (*s.at_ms < kEarliestAtMs || *s.at_ms >= kLatestAtMs))
    return i18n::tr("\"at\" (--at) is not between 2000 and 2200");
  return std::nullopt;
}

std::expected<JobSpec, std::string> parse_job_spec(const std::string& text, std::string_view timezone) {
  if (text.size() > kMaxEntryBytes)
    return std::unexpected(i18n::trf("the job is {} bytes: at most {}", text.size(), kMaxEntryBytes));
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    // Its message quotes the bytes it stopped at: shown escaped, never raw.
    return std::unexpected("not valid JSON: " + util::loggable(e.what(), 200));
  }
  if (!j.is_object()) return std::unexpected("the job must be a JSON object");
  JobSpec s;
  static const char* kKnown[] = {"template", "wards", "vars", "areas", "tags", "at", "urgent", "key", "by", "on_date"};
  for (const auto& [k, v] : j.items()) {
    bool known = false;
    for (const char* n : kKnown) known |= (k == n);
    if (!known) return std::unexpected("unknown field \"" + util::loggable(k, 64) + "\"");
  }
  auto strings = [&](const char* field, std::vector<std::string>& out) -> std::optional<std::string> {
    if (!j.contains(field) || j[field].is_null()) return std::nullopt;
    if (!j[field].is_array()) return i18n::trf("\"{}\" must be a list of strings", field);
    for (const auto& v : j[field]) {
      if (!v.is_string()) return i18n::trf("\"{}\" must be a list of strings", field);
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
      if (!v.is_string()) return std::unexpected("variable \"" + util::loggable(k, 64) + "\" must be a string");
      s.vars[k] = v.get<std::string>();
    }
  }
  if (j.contains("at") && !j["at"].is_null()) {
    if (!j["at"].is_string()) return std::unexpected("\"at\" must be a string");
    const std::string at = j["at"].get<std::string>();
    if (at.size() > kMaxFilterBytes || !text::valid_utf8(at)) return std::unexpected("\"at\" is too long or not UTF-8");
    auto ms = util::parse_time(at, timezone);
    if (!ms) return std::unexpected("\"at\" (--at): " + util::loggable(ms.error(), 200));
    s.at_ms = *ms;
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
  if (j.contains("by") && !j["by"].is_null()) {
    if (!j["by"].is_string() || j["by"].get<std::string>().empty())
      return std::unexpected("\"by\" must be a non-empty string or null");
    s.by = j["by"].get<std::string>();
  }
  if (j.contains("on_date") && !j["on_date"].is_null()) {
    const json& o = j["on_date"];
    if (!o.is_object() || !o.contains("column") || !o["column"].is_string() || !o.contains("date") || !o["date"].is_string() ||
        o.size() != 2)
      return std::unexpected("\"on_date\" must be {\"column\": \"...\", \"date\": \"YYYY-MM-DD\"}");
    s.on_date = JobSpec::OnDate{o["column"].get<std::string>(), o["date"].get<std::string>()};
  }
  if (auto e = check_bounds(s)) return std::unexpected(*e);
  return s;
}

// A text as a person means it: runs of spaces, tabs and line breaks as one space, none at
// either end ("Tiêm  phòng " is "Tiêm phòng"), in Unicode's composed form.
static std::string as_meant(const std::string& v) {
  std::string out;
  bool space = false;
  for (char c : text::nfc(v)) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

std::string fingerprint(const JobSpec& spec) {
  std::vector<std::string> wards = spec.wards, areas, tags;
  for (const auto& a : spec.areas) areas.push_back(as_meant(a));
  for (const auto& t : spec.tags) tags.push_back(as_meant(t));
  std::map<std::string, std::string> vars;
  for (const auto& [k, v] : spec.vars) vars[k] = as_meant(v);
  std::sort(wards.begin(), wards.end());
  std::sort(areas.begin(), areas.end());
  std::sort(tags.begin(), tags.end());
  json j{{"template", spec.template_name}, {"wards", wards}, {"vars", vars}, {"areas", areas}, {"tags", tags}};
  if (spec.on_date) j["on_date"] = {{"column", spec.on_date->column}, {"date", spec.on_date->date}};
  return util::sha256_hex(j.dump(-1, ' ', false, json::error_handler_t::replace));
}

std::string to_json(const JobSpec& s) {
  json j;
  j["template"] = s.template_name;
  j["wards"] = s.wards;
  j["vars"] = s.vars;
  j["areas"] = s.areas;
  j["tags"] = s.tags;
  if (s.at_ms) {
    // "YYYY-MM-DD HH:MM:SS" (check_bounds keeps the instant in years ICU writes so).
    const std::string utc = util::format_local(*s.at_ms, "UTC");
    j["at"] = utc.size() >= 19 ? json(utc.substr(0, 10) + "T" + utc.substr(11) + "Z") : json(nullptr);
  } else {
    j["at"] = nullptr;
  }
  j["urgent"] = s.urgent;
  j["key"] = s.key ? json(*s.key) : json(nullptr);
  if (s.by) j["by"] = *s.by;
  if (s.on_date) j["on_date"] = {{"column", s.on_date->column}, {"date", s.on_date->date}};
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace loa::jobs
