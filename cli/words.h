// Words for people: the report's (core/reports/words.h) and the command line's own.
#pragma once
#include <string>

#include "core/config/config.h"
#include "core/reports/words.h"

namespace loa::cli {

using reports::reason_for_people;
using reports::time_for_people;
using reports::vi_reason;
using reports::vi_state;

/// Pads UTF-8 text to `width` characters (printf pads bytes, which misaligns Vietnamese).
std::string pad(const std::string& v, std::size_t width);

}  // namespace loa::cli
