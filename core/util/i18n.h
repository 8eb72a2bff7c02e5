// The language Loa speaks to people: Vietnamese by default, English with `language: en` or
// an English locale. GNU gettext catalogs (po/<lang>.po, compiled by msgfmt at build time
// and installed under share/locale), the ecosystem's own way: translators work with the
// usual tools (Poedit, Weblate, msgmerge), xgettext finds new strings (scripts/po.sh), and
// glibc reads the catalogs, so there is no format or parser of Loa's own. English is the
// msgid, so an untranslated string still reads.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

namespace loa::i18n {

enum class Language { English, Vietnamese };

/// Chooses the language for this process: `configured` ("vi" or "en", the config's
/// `language`) when given; otherwise English when LC_ALL, LC_MESSAGES or LANG names an
/// English locale ("en_US.UTF-8"), else Vietnamese. Until it is called, English (the
/// daemon's logs stay English).
void choose(std::optional<std::string_view> configured);

Language current();

/// `msgid` in the chosen language (itself in English, or when the catalog lacks it).
const char* tr(const char* msgid);

/// tr(), then fmt::format with `args`. A catalog is checked by the tests to keep each
/// msgid's {} placeholders.
template <typename... Args>
std::string trf(const char* msgid, Args&&... args) {
  return fmt::format(fmt::runtime(tr(msgid)), std::forward<Args>(args)...);
}

}  // namespace loa::i18n
