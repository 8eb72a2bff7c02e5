// Unicode helpers built on ICU (Normalizer2 and the Latin-ASCII transliterator).
#include "core/text/unicode.h"

#include "core/util/i18n.h"
#include "core/util/strings.h"

#include <memory>
#include <mutex>

#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/translit.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

namespace loa::text {

bool has_control(std::string_view s, bool newlines) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if ((c < 0x20 && !(newlines && c == '\n')) || c == 0x7f) return true;
    if (c == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
        static_cast<unsigned char>(s[i + 1]) <= 0x9f)
      return true;
  }
  return false;
}

std::string printable(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else if (c == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(s[i + 1]) <= 0x9f) {
      const auto d = static_cast<unsigned char>(s[++i]);
      out += "\\u00";
      out += kHex[d >> 4];
      out += kHex[d & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::optional<std::string> reason_problem(std::string_view reason) {
  if (reason.size() > 1000) return i18n::tr("the reason is over 1000 bytes");
  if (!valid_utf8(reason)) return i18n::tr("the reason is not valid UTF-8 text");
  if (has_control(reason)) return i18n::tr("the reason holds a control character (a line break, an escape)");
  return std::nullopt;
}

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  const int32_t n = static_cast<int32_t>(s.size());
  int32_t i = 0;
  while (i < n) {
    // A run that needs no escape is copied at once.
    int32_t run = i;
    while (run < n) {
      const auto c = static_cast<unsigned char>(s[static_cast<std::size_t>(run)]);
      if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80) break;
      ++run;
    }
    out.append(s.data() + i, static_cast<std::size_t>(run - i));
    i = run;
    if (i == n) break;
    const auto c = static_cast<unsigned char>(s[static_cast<std::size_t>(i)]);
    if (c >= 0x80) {
      const int32_t start = i;
      UChar32 cp;
      U8_NEXT(s.data(), i, n, cp);
      if (cp < 0) out += "\xEF\xBF\xBD";  // U+FFFD
      else out.append(s.data() + start, static_cast<std::size_t>(i - start));
      continue;
    }
    ++i;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 15];
    }
  }
  out += '"';
}

namespace {
bool is_ascii(std::string_view s) {
  bool ascii = true;
  for (char c : s) ascii &= static_cast<unsigned char>(c) < 0x80;
  return ascii;
}
}  // namespace

void to_nfc(std::string& s) {
  // Fast paths: ASCII, and text already in NFC (almost all of it), checked on UTF-8 directly.
  if (is_ascii(s)) return;
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* norm = icu::Normalizer2::getNFCInstance(status);
  icu::StringPiece piece(s.data(), static_cast<int32_t>(s.size()));
  if (U_FAILURE(status) || (norm->isNormalizedUTF8(piece, status) && U_SUCCESS(status))) return;
  status = U_ZERO_ERROR;
  std::string result;
  icu::StringByteSink<std::string> sink(&result);
  norm->normalizeUTF8(0, piece, sink, nullptr, status);
  if (U_SUCCESS(status)) s = std::move(result);
}

std::string nfc(std::string_view s) {
  std::string out(s);
  to_nfc(out);
  return out;
}

namespace {
// A Transliterator is not thread-safe; each thread keeps its own clone.
icu::Transliterator& latin_ascii() {
  static std::once_flag once;
  static std::unique_ptr<icu::Transliterator> proto;
  std::call_once(once, [] {
    UErrorCode status = U_ZERO_ERROR;
    proto.reset(icu::Transliterator::createInstance("Any-Latin; Latin-ASCII", UTRANS_FORWARD, status));
  });
  thread_local std::unique_ptr<icu::Transliterator> mine(proto->clone());
  return *mine;
}
}  // namespace

namespace {
// Latin text (Vietnamese above all) without the transliterator, whose start-up alone costs
// tens of milliseconds: decomposed (NFD), combining marks dropped, đ/Đ as d/D. False on
// any other character outside ASCII; such text goes through the transliterator.
bool latin_to_ascii(std::string_view s, std::string& out) {
  if (is_ascii(s)) {
    out.assign(s);
    return true;
  }
  out.clear();
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(status);
  if (U_FAILURE(status)) return false;
  std::string decomposed;
  icu::StringByteSink<std::string> sink(&decomposed);
  nfd->normalizeUTF8(0, icu::StringPiece(s.data(), static_cast<int32_t>(s.size())), sink, nullptr, status);
  if (U_FAILURE(status)) return false;
  int32_t i = 0, n = static_cast<int32_t>(decomposed.size());
  while (i < n) {
    UChar32 c;
    U8_NEXT(decomposed.data(), i, n, c);
    if (c >= 0 && c < 0x80) out += static_cast<char>(c);
    else if (c == 0x110) out += 'D';
    else if (c == 0x111) out += 'd';
    else if (c < 0x300 || c > 0x36F) return false;  // not a combining diacritical mark
  }
  return true;
}
}  // namespace

std::string transliterate_to_ascii(std::string_view s) {
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(icu::StringPiece(s.data(), static_cast<int32_t>(s.size())));
  latin_ascii().transliterate(u);
  // Whatever the transliterator could not map (symbols, emoji) becomes one '?'
  // per code point, so the result is pure ASCII.
  std::string out;
  out.reserve(static_cast<size_t>(u.length()));
  for (int32_t i = 0; i < u.length(); i = u.moveIndex32(i, 1)) {
    UChar32 c = u.char32At(i);
    out += c < 0x80 ? static_cast<char>(c) : '?';
  }
  return out;
}

std::string to_ascii(std::string_view s) {
  std::string out;
  if (latin_to_ascii(s, out)) return out;
  return transliterate_to_ascii(s);
}

std::string fold_key(std::string_view s) {
  std::string ascii = to_ascii(nfc(s));
  std::string out;
  for (char c : ascii) {
    if (c >= 'A' && c <= 'Z') out += static_cast<char>(c - 'A' + 'a');
    else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) out += c;
  }
  return out;
}

std::string snake_case(std::string_view s) {
  std::string ascii = to_ascii(nfc(s));
  std::string out;
  for (char c : ascii) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) out += c;
    else if (!out.empty() && out.back() != '_') out += '_';
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}


void clean_cell(std::string& s) {
  if (auto t = util::trimmed(s); t.size() != s.size()) s = std::string(t);
  to_nfc(s);
}

}  // namespace loa::text
