// Words for people reading reports: message states and the usual reasons in Vietnamese
// (the report's own language; `--json` and the stored values keep Loa's English names).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "core/config/config.h"
#include "core/jobs/states.h"

namespace loa::cli {

/// "Đã nhận", "Thất bại", ...
std::string_view vi_state(jobs::MessageState s);

/// A stored reason ("repeat of row 7", "landline, cannot receive SMS", a provider's
/// error...) in Vietnamese where Loa wrote it; a provider's own words are kept after it.
std::string vi_reason(std::string_view reason);

/// A reason in the language `loa` speaks (i18n::current()).
std::string reason_for_people(std::string_view reason);

/// A time in the language `loa` speaks: dd/mm/yyyy in Vietnamese, yyyy-mm-dd in English.
std::string time_for_people(std::int64_t ms, std::string_view timezone);

/// When quiet hours hold a bulk job now: "quiet hours (21:00-07:00): it waits and goes at
/// 07:00 (--urgent sends now)"; "" outside them, for an urgent job, or with none set. One
/// wording for `send` and for `status`.
std::string quiet_hours_note(const config::Config& cfg, bool urgent);

}  // namespace loa::cli
