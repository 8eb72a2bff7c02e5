// Phone normalisation over libphonenumber, with the 2018 conversion table from
// shared/docs/providers-and-sms-facts.md (the Debian package has no carrier mapper).
#include "core/phone/phone.h"

#include <algorithm>
#include <array>
#include <optional>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>
#include <phonenumbers/phonenumberutil.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include "core/util/i18n.h"
#include "core/util/strings.h"

namespace loa::phone {

namespace {

// Old eleven-digit prefix (without the leading 0) -> new ten-digit prefix.
constexpr std::array<std::pair<std::string_view, std::string_view>, 21> kRenumbered{{
    {"162", "32"}, {"163", "33"}, {"164", "34"}, {"165", "35"}, {"166", "36"}, {"167", "37"},
    {"168", "38"}, {"169", "39"}, {"120", "70"}, {"121", "79"}, {"122", "77"}, {"126", "76"},
    {"128", "78"}, {"123", "83"}, {"124", "84"}, {"125", "85"}, {"127", "81"}, {"129", "82"},
    {"186", "56"}, {"188", "58"}, {"199", "59"}}};

// The published allocation, by the two digits after the 0.
struct CarrierPrefix {
  std::string_view prefix;
  std::string_view carrier;
};
constexpr CarrierPrefix kCarriers[] = {
    {"032", "viettel"},   {"033", "viettel"},   {"034", "viettel"},   {"035", "viettel"},
    {"036", "viettel"},   {"037", "viettel"},   {"038", "viettel"},   {"039", "viettel"},
    {"086", "viettel"},   {"096", "viettel"},   {"097", "viettel"},   {"098", "viettel"},
    {"081", "vinaphone"}, {"082", "vinaphone"}, {"083", "vinaphone"}, {"084", "vinaphone"},
    {"085", "vinaphone"}, {"088", "vinaphone"}, {"091", "vinaphone"}, {"094", "vinaphone"},
    {"070", "mobifone"},  {"076", "mobifone"},  {"077", "mobifone"},  {"078", "mobifone"},
    {"079", "mobifone"},  {"089", "mobifone"},  {"090", "mobifone"},  {"093", "mobifone"},
    {"052", "vietnamobile"}, {"056", "vietnamobile"}, {"058", "vietnamobile"}, {"092", "vietnamobile"},
    {"059", "gmobile"},   {"099", "gmobile"},   {"087", "itel"},      {"055", "reddi"}};

// The 2018 renumbering, the one place it is applied: a pre-2018 eleven-digit mobile given
// as its digits in national (0...) or international (84...) form becomes its new ten-digit
// national number; anything else gives nothing.
std::optional<std::string> renumbered(std::string_view digits) {
  std::string_view rest;
  if (digits.size() == 11 && digits[0] == '0') rest = digits.substr(1);
  else if (digits.size() == 12 && digits.starts_with("84")) rest = digits.substr(2);
  else return std::nullopt;
  for (const auto& [old_prefix, new_prefix] : kRenumbered)
    if (rest.starts_with(old_prefix)) return "0" + std::string(new_prefix) + std::string(rest.substr(3));
  return std::nullopt;
}

// `raw` with a pre-2018 mobile rewritten (whatever separators it had), else as it came.
std::string renumber(std::string_view raw) {
  std::string digits;
  for (char c : raw)
    if (c >= '0' && c <= '9') digits += c;
  return renumbered(digits).value_or(std::string(raw));
}

}  // namespace

std::string_view describe(Problem p) {
  switch (p) {
    case Problem::Missing: return "missing phone number";
    case Problem::Invalid: return "invalid phone number";
    case Problem::Letters: return "letters in the phone number";
    case Problem::Scientific: return "phone number in Excel's scientific form (digits lost)";
    case Problem::Landline: return "landline, cannot receive SMS";
    case Problem::Unallocated: return "no carrier has this mobile prefix";
  }
  return "invalid phone number";
}

// ------------------------------------------------------------------------------ carriers

Carriers::Carriers() {
  for (const auto& c : kCarriers) (void)add(c.prefix, c.carrier);
}

const Carriers& Carriers::builtin() {
  static const Carriers table;
  return table;
}

namespace {
// The second digit of a national mobile number: 03x, 05x, 07x, 08x, 09x (02x are fixed
// lines; 01x were renumbered in 2018).
bool mobile_range(char c) { return c == '3' || c == '5' || c == '7' || c == '8' || c == '9'; }
}  // namespace

std::expected<void, std::string> Carriers::add(std::string_view prefix, std::string_view carrier) {
  if (prefix.size() < 3 || prefix.size() > 7 || prefix[0] != '0' ||
      prefix.find_first_not_of("0123456789") != std::string_view::npos)
    return std::unexpected(i18n::trf("prefix \"{}\" must be 0 and 2 to 6 more digits, as in 086 or 0868", prefix));
  if (!mobile_range(prefix[1]))
    return std::unexpected(i18n::trf("prefix \"{}\" is not a mobile range (03, 05, 07, 08, 09)", prefix));
  if (carrier.empty() || carrier.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string_view::npos)
    return std::unexpected(i18n::trf("carrier \"{}\" must be lower-case letters, digits and hyphens", carrier));
  auto it = std::find(carriers_.begin(), carriers_.end(), carrier);
  if (it == carriers_.end()) {
    if (carriers_.size() >= 250) return std::unexpected(std::string(i18n::tr("too many carriers")));
    carriers_.emplace_back(carrier);
    it = std::prev(carriers_.end());
  }
  const auto two = static_cast<std::size_t>((prefix[1] - '0') * 10 + (prefix[2] - '0'));
  if (prefix.size() == 3) short_[two] = static_cast<std::uint8_t>(it - carriers_.begin() + 1);
  else longer_[two] = true;
  std::erase_if(blocks_, [&](const Block& b) { return b.prefix == prefix; });
  blocks_.push_back({std::string(prefix), std::string(carrier)});
  std::stable_sort(blocks_.begin(), blocks_.end(),
                   [](const Block& a, const Block& b) { return a.prefix.size() > b.prefix.size(); });
  return {};
}

std::string_view Carriers::of(std::string_view national) const {
  if (national.size() < 3 || national[0] != '0' || national[1] < '0' || national[1] > '9' || national[2] < '0' ||
      national[2] > '9')
    return {};
  const auto two = static_cast<std::size_t>((national[1] - '0') * 10 + (national[2] - '0'));
  if (longer_[two])
    for (const auto& b : blocks_)
      if (national.starts_with(b.prefix)) return b.carrier;
  return short_[two] ? std::string_view(carriers_[short_[two] - 1u]) : std::string_view();
}

std::string carrier_of(std::string_view local) { return std::string(Carriers::builtin().of(local)); }

Phone forms(std::string_view national, std::string_view carrier) {
  Phone p;
  p.local = national;
  p.digits.reserve(national.size() + 1);
  p.digits.append("84").append(national.substr(national.empty() ? 0 : 1));
  p.e164.reserve(p.digits.size() + 1);
  p.e164.append("+").append(p.digits);
  p.carrier = carrier;
  return p;
}

namespace {

// What a national number is: a mobile when its block is allocated (by the table, whatever
// libphonenumber's older metadata says), else what libphonenumber makes of it.
std::expected<Phone, Problem> classify(std::string_view national, const Carriers& carriers) {
  if (national.size() == 10 && mobile_range(national[1])) {
    auto carrier = carriers.of(national);
    if (carrier.empty()) return std::unexpected(Problem::Unallocated);
    return forms(national, carrier);
  }
  using ::i18n::phonenumbers::PhoneNumber;
  using ::i18n::phonenumbers::PhoneNumberUtil;
  const PhoneNumberUtil* util = PhoneNumberUtil::GetInstance();
  PhoneNumber number;
  if (national.size() < 2 || national.size() > 16) return std::unexpected(Problem::Invalid);
  number.set_country_code(84);
  number.set_national_number(std::stoull(std::string(national.substr(1))));
  if (util->IsValidNumber(number) && util->GetNumberType(number) == PhoneNumberUtil::FIXED_LINE)
    return std::unexpected(Problem::Landline);
  return std::unexpected(Problem::Invalid);
}

// Excel's display of a long number it holds as a float: "9.12E+08", "9,12345E+8".
bool scientific(std::string_view raw) {
  raw = util::trimmed(raw);
  std::size_t i = 0;
  auto digits = [&] {
    const std::size_t from = i;
    while (i < raw.size() && raw[i] >= '0' && raw[i] <= '9') ++i;
    return i > from;
  };
  if (!digits()) return false;
  if (i < raw.size() && (raw[i] == '.' || raw[i] == ',')) {
    ++i;
    if (!digits()) return false;
  }
  if (i == raw.size() || (raw[i] != 'E' && raw[i] != 'e')) return false;
  ++i;
  if (i < raw.size() && raw[i] == '+') ++i;
  return digits() && i == raw.size();
}

// A number written with characters beyond ASCII, in ASCII: Unicode decimal digits become
// their digits, full-width punctuation its ASCII twin, spaces and dashes of every kind a
// space or '-'; nullopt when it holds a letter (or is not UTF-8).
std::optional<std::string> ascii_form(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  std::int32_t i = 0;
  const auto n = static_cast<std::int32_t>(raw.size());
  while (i < n) {
    UChar32 c;
    U8_NEXT(raw.data(), i, n, c);
    if (c < 0) return std::nullopt;
    if (c >= 0xFF01 && c <= 0xFF5E) c -= 0xFEE0;  // full-width ASCII
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if (u_charType(c) == U_DECIMAL_DIGIT_NUMBER) {
      out += static_cast<char>('0' + u_charDigitValue(c));
    } else if (u_isalpha(c)) {
      return std::nullopt;
    } else if (u_charType(c) == U_DASH_PUNCTUATION) {
      out += '-';
    } else {
      out += ' ';
    }
  }
  return out;
}

std::expected<Phone, Problem> normalize_slow(std::string_view raw, const Carriers& carriers);

}  // namespace

std::expected<Phone, Problem> normalize(std::string_view raw, const Carriers& carriers) {
  if (scientific(raw)) return std::unexpected(Problem::Scientific);
  // One pass: the digits, and whether the rest is only the usual separators.
  char digits[24];
  std::size_t n = 0;
  bool plain = true, plus = false;
  for (char c : raw) {
    if (c >= '0' && c <= '9') {
      if (n < sizeof digits) digits[n] = c;
      ++n;
    } else if (c == '+') {
      plus = true;
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      return std::unexpected(Problem::Letters);
    } else if (static_cast<unsigned char>(c) >= 0x80) {
      auto ascii = ascii_form(raw);
      if (!ascii) return std::unexpected(Problem::Letters);
      return normalize(*ascii, carriers);
    } else if (c != ' ' && c != '.' && c != '-' && c != '(' && c != ')') {
      plain = false;
    }
  }
  if (n == 0) return std::unexpected(Problem::Missing);
  if (n > sizeof digits) return normalize_slow(raw, carriers);
  std::string_view d(digits, n);
  char national[10];
  // A pre-2018 eleven-digit mobile (national, 84 or +84 form), whatever else is written.
  if (auto now = renumbered(d)) {
    now->copy(national, 10);
  } else if (!plain) {
    return normalize_slow(raw, carriers);
  } else if (n == 10 && d[0] == '0' && d[1] != '0') {
    d.copy(national, 10);
  } else if (n == 11 && d.starts_with("84") && d[2] != '0') {
    national[0] = '0';
    d.substr(2).copy(national + 1, 9);
  } else if (n == 9 && d[0] != '0' && !plus) {
    national[0] = '0';  // a list that lost the leading 0 (Excel)
    d.copy(national + 1, 9);
  } else {
    return normalize_slow(raw, carriers);
  }
  return classify(std::string_view(national, 10), carriers);
}

namespace {

// Forms the quick path does not know ("0084 ...", "(+84) ...", "+84 (0) 912 ..."):
// libphonenumber's parser reads the number, the table decides.
std::expected<Phone, Problem> normalize_slow(std::string_view raw, const Carriers& carriers) {
  using ::i18n::phonenumbers::PhoneNumber;
  using ::i18n::phonenumbers::PhoneNumberUtil;
  const PhoneNumberUtil* util = PhoneNumberUtil::GetInstance();
  std::string text = renumber(raw);
  PhoneNumber number;
  if (util->Parse(text, "VN", &number) != PhoneNumberUtil::NO_PARSING_ERROR) return std::unexpected(Problem::Invalid);
  if (number.country_code() != 84 || number.italian_leading_zero()) return std::unexpected(Problem::Invalid);
  return classify("0" + std::to_string(number.national_number()), carriers);
}

}  // namespace

}  // namespace loa::phone
