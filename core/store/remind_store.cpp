// Reminders and their state as JSON in two hashes.
#include "core/store/remind_store.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace loa::store {

using nlohmann::json;

std::string to_json(const Reminder& r) {
  return json{{"template", r.template_name}, {"wards", r.wards}, {"all_wards", r.all_wards}, {"vars", r.vars},
              {"areas", r.areas},           {"tags", r.tags},   {"when", r.when},           {"by", r.by},
              {"created_at", r.created_at}}
      .dump();
}

std::optional<Reminder> reminder_from_json(const std::string& name, const std::string& text) {
  try {
    const json j = json::parse(text);
    Reminder r;
    r.name = name;
    r.template_name = j.at("template").get<std::string>();
    r.wards = j.value("wards", std::vector<std::string>{});
    r.all_wards = j.value("all_wards", false);
    r.vars = j.value("vars", std::map<std::string, std::string>{});
    r.areas = j.value("areas", std::vector<std::string>{});
    r.tags = j.value("tags", std::vector<std::string>{});
    r.when = j.at("when").get<std::string>();
    r.by = j.value("by", "");
    r.created_at = j.value("created_at", std::int64_t{0});
    return r;
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

std::expected<bool, std::string> RemindStore::add(const Reminder& r) {
  auto set = redis_.command({"HSETNX", keys_.reminders(), r.name, to_json(r)});
  if (!set) return std::unexpected(set.error());
  if (set->as_int() == 0) return false;
  // A name used before starts afresh.
  if (auto del = redis_.command({"HDEL", keys_.remind_state(), r.name}); !del) return std::unexpected(del.error());
  return true;
}

std::expected<bool, std::string> RemindStore::remove(const std::string& name) {
  auto r = redis_.command({"HDEL", keys_.reminders(), name});
  if (!r) return std::unexpected(r.error());
  if (auto del = redis_.command({"HDEL", keys_.remind_state(), name}); !del) return std::unexpected(del.error());
  return r->as_int() > 0;
}

std::expected<RemindStore::Listed, std::string> RemindStore::list() {
  auto r = redis_.command({"HGETALL", keys_.reminders()});
  if (!r) return std::unexpected(r.error());
  Listed out;
  for (std::size_t i = 0; i + 1 < r->elements.size(); i += 2) {
    const std::string name = r->elements[i].text();
    if (auto rem = reminder_from_json(name, r->elements[i + 1].text())) out.reminders.push_back(std::move(*rem));
    else out.unreadable.push_back(name);
  }
  std::sort(out.reminders.begin(), out.reminders.end(), [](const Reminder& a, const Reminder& b) { return a.name < b.name; });
  return out;
}

std::expected<ReminderState, std::string> RemindStore::state(const std::string& name) {
  auto r = redis_.command({"HGET", keys_.remind_state(), name});
  if (!r) return std::unexpected(r.error());
  ReminderState st;
  if (r->nil()) return st;
  try {
    const json j = json::parse(r->text());
    st.last = j.value("last", "");
    st.job = j.value("job", "");
    st.missed = j.value("missed", std::vector<std::string>{});
  } catch (const json::exception&) {
  }
  return st;
}

std::expected<void, std::string> RemindStore::handled(const std::string& name, const std::string& occurrence,
                                                      const std::string& job, bool nobody) {
  auto st = state(name);
  if (!st) return std::unexpected(st.error());
  // Occurrence names sort as times: an older one a slower gateway reports changes nothing.
  if (occurrence < st->last) return {};
  st->last = occurrence;
  if (job.empty() && !nobody) {
    if (std::find(st->missed.begin(), st->missed.end(), occurrence) == st->missed.end()) st->missed.push_back(occurrence);
    if (st->missed.size() > kMissedKept) st->missed.erase(st->missed.begin());
  } else if (!job.empty()) {
    st->job = job;
  }
  auto r = redis_.command({"HSET", keys_.remind_state(), name,
                           json{{"last", st->last}, {"job", st->job}, {"missed", st->missed}}.dump()});
  if (!r) return std::unexpected(r.error());
  return {};
}

}  // namespace loa::store
