// Recurring reminders (`loa remind`), shared by every gateway on the Redis: the reminders
// themselves (`<prefix>:reminders`, name -> JSON) and what became of their occurrences
// (`<prefix>:remind-state`, name -> JSON: the last occurrence handled, its job, the ones
// missed). Exactly one job per occurrence comes from the job stream's idempotency key
// "remind:<name>:<occurrence>", not from this state.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/store/store_base.h"

namespace loa::store {

struct Reminder {
  std::string name;
  std::string template_name;
  std::vector<std::string> wards;
  bool all_wards = false;  ///< every ward the config names when it goes
  std::map<std::string, std::string> vars;
  std::vector<std::string> areas, tags;
  std::string when;        ///< the rule as written (core/calendar/rules.h)
  std::string by;          ///< who made it
  std::int64_t created_at = 0;  ///< epoch ms: occurrences before it are not missed
};

struct ReminderState {
  std::string last;                 ///< the last occurrence handled ("2026-02-10 08:00")
  std::string job;                  ///< the job made for it ("" when it was missed)
  std::vector<std::string> missed;  ///< occurrences past the grace when first seen, newest last
};

class RemindStore : public StoreBase {
 public:
  using StoreBase::StoreBase;
  /// false in the result when the name is taken (nothing changes then).
  std::expected<bool, std::string> add(const Reminder& r);
  std::expected<bool, std::string> remove(const std::string& name);
  /// Every reminder, by name; one whose JSON cannot be read is left out with its error.
  struct Listed {
    std::vector<Reminder> reminders;
    std::vector<std::string> unreadable;
  };
  std::expected<Listed, std::string> list();
  std::expected<ReminderState, std::string> state(const std::string& name);
  /// Records `occurrence` handled: sent as `job`; or, `job` empty, missed — unless
  /// `nobody` (a day no resident's date falls on: nothing to send, nothing missed).
  std::expected<void, std::string> handled(const std::string& name, const std::string& occurrence, const std::string& job,
                                           bool nobody = false);

  static constexpr std::size_t kMissedKept = 20;
};

std::string to_json(const Reminder& r);
std::optional<Reminder> reminder_from_json(const std::string& name, const std::string& json);

}  // namespace loa::store
