// Script lookup over the sources embedded at build time.
#include "core/store/scripts.h"

#include <array>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace loa::store::lua {
extern const std::pair<std::string_view, std::string_view> kSources[];
extern const int kSourceCount;
}  // namespace loa::store::lua

namespace loa::store::scripts {

namespace {
// In the order of Id.
constexpr std::array<std::string_view, 21> kFiles = {
    "enqueue", "admit",       "claim",          "expand_chunk", "finish_expansion", "reject",
    "resume_mine", "take",    "record",         "recover",      "promote_retries",  "apply_reports",
    "cancel",  "requeue",     "account_add",    "account_revoke", "audit_append", "decide", "purge", "audit_trim",
    "count_jobs"};
}  // namespace

std::string_view source(std::string_view name) {
  for (int i = 0; i < lua::kSourceCount; ++i)
    if (lua::kSources[i].first == name) return lua::kSources[i].second;
  // A missing file is a build mistake, caught by the first test that runs any script.
  throw std::logic_error("no Lua script " + std::string(name) + " embedded");
}

std::string_view prelude() { return source("prelude"); }

const Script& get(Id id) {
  static const auto all = [] {
    std::vector<Script> s;
    for (auto file : kFiles) s.emplace_back(std::string(prelude()) + std::string(source(file)));
    return s;
  }();
  return all.at(static_cast<std::size_t>(id));
}

}  // namespace loa::store::scripts
