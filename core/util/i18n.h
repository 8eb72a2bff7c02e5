// The language Loa speaks to people: Vietnamese by default, English with `language: en` or
// an English locale. GNU gettext catalogs (po/<lang>.po, compiled by msgfmt at build time
// and installed under share/locale), the ecosystem's own way: translators work with the
// usual tools (Poedit, Weblate, msgmerge), xgettext finds new strings (scripts/po.sh), and
// glibc reads the catalogs, so there is no format or parser of Loa's own. English is the
// msgid, so an untranslated string still reads.
#pragma once
#include <initializer_list>
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

/// The language spoken on this thread: its ThreadLanguage, else the process's choice.
Language current();

/// Binds the catalog without choosing a language for the process, so that threads may
/// speak one each (ThreadLanguage): the daemon's logs stay English while its API answers
/// each request in the language asked for. Call once, before threads start.
void prepare_catalog();

/// Speaks `language` on this thread until destroyed (an API request in the language its
/// client asked for); needs prepare_catalog() or choose() first for Vietnamese.
class ThreadLanguage {
 public:
  explicit ThreadLanguage(Language language);
  ~ThreadLanguage();
  ThreadLanguage(const ThreadLanguage&) = delete;
  ThreadLanguage& operator=(const ThreadLanguage&) = delete;

 private:
  void* locale_ = nullptr;    ///< this thread's locale while it speaks Vietnamese
  void* previous_ = nullptr;  ///< the locale before
  std::optional<Language> outer_;
};

/// `msgid` in the chosen language (itself in English, or when the catalog lacks it).
const char* tr(const char* msgid);

/// tr(), then fmt::format with `args`. A catalog is checked by the tests to keep each
/// msgid's {} placeholders.
template <typename... Args>
std::string trf(const char* msgid, Args&&... args) {
  return fmt::format(fmt::runtime(tr(msgid)), std::forward<Args>(args)...);
}

/// Marks a text for the catalog without translating it (gettext's N_): reasons Loa stores
/// stay English, so stored data and `--json` do not depend on who ran the command, and are
/// translated where a person reads them (tr_stored).
constexpr const char* N_(const char* msgid) { return msgid; }

/// `text` in the chosen language when it is one of `formats` (N_-marked, plain {}
/// placeholders) filled in: "6 fields, the header has 5" matches "{} fields, the header has
/// {}" and comes back as that msgid's translation filled with "6" and "5". Any other text
/// comes back unchanged.
std::string tr_stored(std::string_view text, std::initializer_list<const char*> formats);

}  // namespace loa::i18n
