// Vietnamese mobile numbers: parsing every common form, the 2018 renumbering, carriers.
#pragma once
#include <expected>
#include <string>
#include <string_view>

namespace loa::phone {

struct Phone {
  std::string e164;     ///< "+84912345678"
  std::string digits;   ///< "84912345678" (international, no plus)
  std::string local;    ///< "0912345678"
  std::string carrier;  ///< "viettel", ... or "" when the prefix is unknown
};

enum class Problem { Missing, Invalid, Landline };

/// A short reason for reports: "missing", "invalid number", "landline".
std::string_view describe(Problem p);

/// Normalises a number as written in a resident list: any form libphonenumber parses for
/// region VN, plus pre-2018 eleven-digit mobiles (01621234567 -> 0321234567).
/// Thread-safe.
std::expected<Phone, Problem> normalize(std::string_view raw);

/// Every form of a valid national number "0xxxxxxxxx" (as normalize() stored it): the one
/// place that knows how Vietnamese numbers are written internationally.
Phone forms(std::string_view national, std::string_view carrier = "");

/// The carrier of a national number "0xx..." by its prefix (a hint: numbers are portable).
std::string carrier_of(std::string_view local);

}  // namespace loa::phone
