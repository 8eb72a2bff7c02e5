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

// Rewrites a pre-2018 eleven-digit mobile (in national, 84 or +84 form) to the new
// ten-digit national form; anything else is returned as it came.
std::string renumber(std::string_view raw) {
  std::string digits;
  for (char c : raw)
    if (c >= '0' && c <= '9') digits += c;
  std::string_view rest;
  if (digits.size() == 11 && digits[0] == '0') rest = std::string_view(digits).substr(1);
  else if (digits.size() == 12 && digits.starts_with("84")) rest = std::string_view(digits).substr(2);
  else return std::string(raw);
  for (const auto& [old_prefix, new_prefix] : kRenumbered)
    if (!old_prefix.empty() && rest.starts_with(old_prefix))
      return "0" + std::string(new_prefix) + std::string(rest.substr(3));
  return std::string(raw);
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

namespace {

// The ten-digit national form ("0912345678") of the common written forms, or "" when the
// text needs libphonenumber's full parser (letters, extensions, other lengths).
std::string quick_national(std::string_view raw) {
  std::string digits;
  for (char c : raw) {
    if (c >= '0' && c <= '9') digits += c;
    else if (c != ' ' && c != '.' && c != '-' && c != '(' && c != ')' && c != '+') return "";
  }
  if (digits.size() == 10 && digits[0] == '0' && digits[1] != '0') return digits;
  if (digits.size() == 11 && digits.starts_with("84") && digits[2] != '0') return "0" + digits.substr(2);
  if (digits.size() == 9 && digits[0] != '0' && raw.find('+') == std::string_view::npos) return "0" + digits;
  return "";
}

Phone make_phone(const std::string& national) {
  Phone p;
  p.local = national;
  p.digits = "84" + national.substr(1);
  p.e164 = "+" + p.digits;
  p.carrier = carrier_of(national);
  return p;
}

std::expected<Phone, Problem> normalize_slow(std::string_view raw);

}  // namespace

std::expected<Phone, Problem> normalize(std::string_view raw) {
  bool any_digit = false;
  for (char c : raw) any_digit |= (c >= '0' && c <= '9');
  if (!any_digit) return std::unexpected(Problem::Missing);
  std::string national = quick_national(renumber(raw));
  if (national.empty()) return normalize_slow(raw);
  // libphonenumber's Vietnamese patterns decide validity and type from the leading digits
  // and the length, so one answer per five-digit prefix of a ten-digit number serves every
  // number under it; its regular expressions were most of the cost of reading a list.
  thread_local std::unordered_map<std::string, std::optional<Problem>> by_prefix;
  std::string prefix = national.substr(0, 5);
  auto it = by_prefix.find(prefix);
  if (it == by_prefix.end()) {
    auto full = normalize_slow(national);
    it = by_prefix.emplace(prefix, full ? std::nullopt : std::optional<Problem>(full.error())).first;
  }
  if (it->second) return std::unexpected(*it->second);
  return make_phone(national);
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
  return make_phone("0" + e164.substr(3));
}

}  // namespace

}  // namespace loa::phone
