// Words for people reading reports: message states and the usual reasons in Vietnamese
// (the report's own language; `--json` and the stored values keep Loa's English names).
#pragma once
#include <string>
#include <string_view>

#include "core/jobs/states.h"

namespace loa::cli {

/// "Đã nhận", "Thất bại", ...
std::string_view vi_state(jobs::MessageState s);

/// A stored reason ("repeat of row 7", "landline, cannot receive SMS", a provider's
/// error...) in Vietnamese where Loa wrote it; a provider's own words are kept after it.
std::string vi_reason(std::string_view reason);

}  // namespace loa::cli
