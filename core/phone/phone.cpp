// Phone normalisation over libphonenumber, with the 2018 conversion table from
// shared/docs/providers-and-sms-facts.md (the Debian package has no carrier mapper).
#include "core/phone/phone.h"

#include <array>
#include <optional>
#include <unordered_map>
#include <utility>

#include <phonenumbers/phonenumberutil.h>

namespace loa::phone {

namespace {

// Old eleven-digit prefix (without the leading 0) -> new ten-digit prefix.
constexpr std::array<std::pair<std::string_view, std::string_view>, 21> kRenumbered{{
    {"162", "32"}, {"163", "33"}, {"164", "34"}, {"165", "35"}, {"166", "36"}, {"167", "37"},
    {"168", "38"}, {"169", "39"}, {"120", "70"}, {"121", "79"}, {"122", "77"}, {"126", "76"},
    {"128", "78"}, {"123", "83"}, {"124", "84"}, {"125", "85"}, {"127", "81"}, {"129", "82"},
    {"186", "56"}, {"188", "58"}, {"199", "59"}}};

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
    case Problem::Landline: return "landline, cannot receive SMS";
  }
  return "invalid phone number";
}

std::string carrier_of(std::string_view local) {
  for (const auto& c : kCarriers)
    if (local.starts_with(c.prefix)) return std::string(c.carrier);
  return "";
}

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

std::expected<Phone, Problem> normalize_slow(std::string_view raw);

// What libphonenumber says of the ten-digit national numbers under one four-digit prefix
// after the 0: its Vietnamese patterns decide validity and type from the leading digits
// and the length, so one answer serves every number under it (its regular expressions
// were most of the cost of reading a list).
enum class Verdict : std::uint8_t { Unknown, Mobile, Invalid, Landline };

Verdict verdict_of(std::string_view national) {
  using i18n::phonenumbers::PhoneNumber;
  using i18n::phonenumbers::PhoneNumberUtil;
  PhoneNumber number;
  number.set_country_code(84);
  number.set_national_number(std::stoull(std::string(national.substr(1))));
  switch (PhoneNumberUtil::GetInstance()->GetNumberType(number)) {
    case PhoneNumberUtil::MOBILE:
    case PhoneNumberUtil::FIXED_LINE_OR_MOBILE: return Verdict::Mobile;
    case PhoneNumberUtil::FIXED_LINE: return Verdict::Landline;
    default: return Verdict::Invalid;
  }
}

std::string_view carrier_by_prefix(std::string_view national) {
  // Indexed by the two digits after the 0.
  static const auto table = [] {
    std::array<std::string_view, 100> t{};
    for (const auto& c : kCarriers) t[static_cast<size_t>((c.prefix[1] - '0') * 10 + (c.prefix[2] - '0'))] = c.carrier;
    return t;
  }();
  return table[static_cast<size_t>((national[1] - '0') * 10 + (national[2] - '0'))];
}

}  // namespace

std::expected<Phone, Problem> normalize(std::string_view raw) {
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
    } else if (c != ' ' && c != '.' && c != '-' && c != '(' && c != ')') {
      plain = false;
    }
  }
  if (n == 0) return std::unexpected(Problem::Missing);
  if (n > sizeof digits) return normalize_slow(raw);
  std::string_view d(digits, n);
  char national[10];
  bool quick = false;
  // A pre-2018 eleven-digit mobile (national, 84 or +84 form), whatever else is written.
  if (auto now = renumbered(d)) {
    now->copy(national, 10);
    quick = true;
  } else {
    if (!plain) return normalize_slow(raw);
    if (n == 10 && d[0] == '0' && d[1] != '0') {
      d.copy(national, 10);
      quick = true;
    } else if (n == 11 && d.starts_with("84") && d[2] != '0') {
      national[0] = '0';
      d.substr(2).copy(national + 1, 9);
      quick = true;
    } else if (n == 9 && d[0] != '0' && !plus) {
      national[0] = '0';
      d.copy(national + 1, 9);
      quick = true;
    }
  }
  if (!quick) return normalize_slow(raw);
  std::string_view local(national, 10);
  thread_local std::array<Verdict, 10000> verdicts{};
  auto& v = verdicts[static_cast<size_t>(std::stoi(std::string(local.substr(1, 4))))];
  if (v == Verdict::Unknown) v = verdict_of(local);
  if (v == Verdict::Landline) return std::unexpected(Problem::Landline);
  if (v == Verdict::Invalid) return std::unexpected(Problem::Invalid);
  return forms(local, carrier_by_prefix(local));
}

namespace {

std::expected<Phone, Problem> normalize_slow(std::string_view raw) {
  using i18n::phonenumbers::PhoneNumber;
  using i18n::phonenumbers::PhoneNumberUtil;
  const PhoneNumberUtil* util = PhoneNumberUtil::GetInstance();
  std::string text = renumber(raw);
  PhoneNumber number;
  if (util->Parse(text, "VN", &number) != PhoneNumberUtil::NO_PARSING_ERROR) return std::unexpected(Problem::Invalid);
  if (number.country_code() != 84 || !util->IsValidNumber(number)) return std::unexpected(Problem::Invalid);
  auto type = util->GetNumberType(number);
  if (type == PhoneNumberUtil::FIXED_LINE) return std::unexpected(Problem::Landline);
  if (type != PhoneNumberUtil::MOBILE && type != PhoneNumberUtil::FIXED_LINE_OR_MOBILE)
    return std::unexpected(Problem::Invalid);
  std::string e164;
  util->Format(number, PhoneNumberUtil::E164, &e164);
  std::string national = "0" + e164.substr(3);
  return forms(national, carrier_of(national));
}

}  // namespace

}  // namespace loa::phone
