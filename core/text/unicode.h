// Unicode helpers for Vietnamese text: NFC, diacritic stripping, header-name folding.
#pragma once
#include "core/util/encoding.h"
#include <optional>
#include <string>
#include <string_view>

namespace loa::text {

/// True when `s` is well-formed UTF-8.
inline bool valid_utf8(std::string_view s) { return util::valid_utf8(s); }

/// Whether UTF-8 text holds a control character (C0, DEL, or C1: U+0080..U+009F), line
/// feeds aside when `newlines` allows them. Such characters forge lines and move a
/// terminal's cursor; names, keys and reasons never need them.
bool has_control(std::string_view s, bool newlines = false);

/// Text for a person's terminal: each control character (as has_control() counts them,
/// line feeds too) shown as \xHH or \u00HH, so nothing printed can forge a line or send
/// an escape sequence; everything else, Vietnamese included, as it is.
std::string printable(std::string_view s);

/// What is wrong with a reason a person typed (a rejection, an opt-out), nullopt when it
/// is fine: one line of UTF-8 text of at most 1000 bytes. Checked before anything is done
/// with it, by the API and `loa` alike.
std::optional<std::string> reason_problem(std::string_view reason);

/// Appends `s` to `out` as a JSON string, quotes included: '"', '\\' and control
/// characters escaped, other text as it is (UTF-8), each invalid UTF-8 sequence as U+FFFD.
/// The same text nlohmann::json(s).dump() gives for valid UTF-8, without building a value.
void append_json_string(std::string& out, std::string_view s);

/// NFC-normalises UTF-8 text (decomposed Vietnamese becomes precomposed).
/// Invalid UTF-8 sequences come out as U+FFFD. Thread-safe.
std::string nfc(std::string_view s);
/// nfc() in place: text that is ASCII or already NFC (almost all) is neither copied nor
/// moved.
void to_nfc(std::string& s);

/// Turns Vietnamese into unaccented ASCII with ICU's Latin-ASCII transliterator:
/// "Phường" -> "Phuong", "Đ" -> "D", en dash -> "-". Thread-safe.
std::string to_ascii(std::string_view s);
/// to_ascii() always through the transliterator (to_ascii() takes a shorter way for
/// Vietnamese and other Latin text, with the same result); for tests.
std::string transliterate_to_ascii(std::string_view s);

/// Folds a header name for matching: ASCII, lower case, letters and digits only
/// ("Số điện thoại" -> "sodienthoai", "Khóm/Ấp" -> "khomap").
std::string fold_key(std::string_view s);

/// A header as a template variable name: ASCII lower-case snake case
/// ("Ngày sinh" -> "ngay_sinh"). Empty when nothing is left.
std::string snake_case(std::string_view s);

/// A list cell as read: trimmed and NFC, in place.
void clean_cell(std::string& s);

}  // namespace loa::text
