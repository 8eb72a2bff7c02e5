// Vietnamese mobile numbers: parsing every common form, the 2018 renumbering, carriers.
#pragma once
#include <array>
#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace loa::phone {

struct Phone {
  std::string e164;     ///< "+84912345678"
  std::string digits;   ///< "84912345678" (international, no plus)
  std::string local;    ///< "0912345678"
  std::string carrier;  ///< "viettel", ...
};

/// The mobile blocks carriers have been given: which ten-digit national numbers can reach
/// a handset, and whose network they started on (a hint: numbers are portable). Built in
/// from the published allocation (shared/docs/providers-and-sms-facts.md), and extended by
/// the config's `carrier_prefixes` when a carrier gets a new block: Debian's libphonenumber
/// metadata dates from 2020, so Loa decides mobile validity by this table, not by it.
class Carriers {
 public:
  /// The built-in table.
  Carriers();
  static const Carriers& builtin();

  /// Adds a block: `prefix` is "0" and 2 to 6 more digits ("086", "0868"); a longer prefix
  /// is more specific than a shorter one it starts with. An error names what is wrong.
  std::expected<void, std::string> add(std::string_view prefix, std::string_view carrier);

  /// The carrier of a ten-digit national number "0xxxxxxxxx"; empty when no carrier has
  /// its block.
  std::string_view of(std::string_view national) const;

  /// The carriers the table names, in the order first added.
  const std::vector<std::string>& names() const { return carriers_; }

 private:
  struct Block {
    std::string prefix;
    std::string carrier;
  };
  std::vector<Block> blocks_;  ///< longest prefix first
  /// By the two digits after the 0: the carrier of a three-digit block (index into
  /// carriers_ + 1, 0 for none), and whether a longer block starts there.
  std::array<std::uint8_t, 100> short_{};
  std::array<bool, 100> longer_{};
  std::vector<std::string> carriers_;
};

enum class Problem { Missing, Invalid, Letters, Scientific, Landline, Unallocated };

/// A short reason for reports: "missing phone number", "invalid phone number", ...
std::string_view describe(Problem p);

/// Normalises a number as written in a resident list: any form libphonenumber parses for
/// region VN, plus pre-2018 eleven-digit mobiles (01621234567 -> 0321234567). Unicode
/// digits (full-width, Arabic-Indic, ...) count as digits and Unicode spaces as spaces; a
/// letter anywhere makes it invalid (never keypad letters: "0912abc678" is not a number);
/// Excel's scientific form ("9.12E+08") has lost digits and is refused as such. A mobile
/// is valid when `carriers` has its block. Thread-safe.
std::expected<Phone, Problem> normalize(std::string_view raw, const Carriers& carriers = Carriers::builtin());

/// Every form of a valid national number "0xxxxxxxxx" (as normalize() stored it): the one
/// place that knows how Vietnamese numbers are written internationally.
Phone forms(std::string_view national, std::string_view carrier = "");

/// The carrier of a national number "0xx..." by the built-in table (a hint: numbers are
/// portable); empty when unknown.
std::string carrier_of(std::string_view local);

}  // namespace loa::phone
