// Words for people reading reports and statuses: message states and the usual reasons in
// Vietnamese (the report's own language; `--json` and the stored values keep Loa's English
// names), times as the office writes them.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "core/jobs/states.h"

namespace loa::reports {

/// "Đã nhận", "Thất bại", ...
std::string_view vi_state(jobs::MessageState s);

/// A stored reason ("repeat of row 7", "landline, cannot receive SMS", a provider's
/// error...) in Vietnamese where Loa wrote it; a provider's own words are kept after it.
std::string vi_reason(std::string_view reason);

/// A reason in the language chosen (i18n::current()).
std::string reason_for_people(std::string_view reason);

/// A time in the language chosen: dd/mm/yyyy in Vietnamese, yyyy-mm-dd in English.
std::string time_for_people(std::int64_t ms, std::string_view timezone);

}  // namespace loa::reports
