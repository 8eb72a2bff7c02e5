// Language choice and catalog lookup over glibc's gettext.
#include "core/util/i18n.h"

#include <libintl.h>
#include <locale.h>
#include <clocale>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include <fmt/args.h>

namespace loa::i18n {

namespace {

Language chosen = Language::English;
thread_local std::optional<Language> spoken;  // a ThreadLanguage's, over `chosen`

bool english_locale(const char* value) { return value && value[0] == 'e' && value[1] == 'n'; }

// Where the compiled catalogs are: $LOA_LOCALEDIR; else beside the running binary as it is
// installed (<prefix>/bin/loa and <prefix>/share/locale, whatever the prefix: a package
// built from a tree configured for /usr/local installs to /usr); else the build tree's
// (running from a build folder, as the tests and the demo do).
std::string catalog_dir() {
  if (const char* dir = std::getenv("LOA_LOCALEDIR"); dir && *dir) return dir;
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const auto installed = exe.parent_path().parent_path() / "share" / "locale";
    if (std::filesystem::exists(installed / "vi" / "LC_MESSAGES" / "loa.mo", ec)) return installed.string();
  }
  return LOA_BUILD_LOCALEDIR;
}

}  // namespace

void choose(std::optional<std::string_view> configured) {
  if (configured) {
    chosen = *configured == "en" ? Language::English : Language::Vietnamese;
  } else {
    const char* set = nullptr;
    for (const char* var : {"LC_ALL", "LC_MESSAGES", "LANG"})
      if (const char* v = std::getenv(var); v && *v) {
        set = v;
        break;
      }
    chosen = english_locale(set) ? Language::English : Language::Vietnamese;
  }
  if (chosen == Language::English) return;
  prepare_catalog();
  // Only messages: numbers and dates keep the C conventions.
  if (!std::setlocale(LC_MESSAGES, "vi_VN.UTF-8")) std::setlocale(LC_MESSAGES, "C.UTF-8");
}

void prepare_catalog() {
  // gettext picks the catalog by LANGUAGE, but ignores it in the "C" locale, which stays the
  // process's until choose() or a ThreadLanguage sets another; C.UTF-8 is always there
  // (glibc 2.35+), so a machine with no Vietnamese locale generated still gets the catalog.
  ::setenv("LANGUAGE", "vi", 1);
  ::bindtextdomain("loa", catalog_dir().c_str());
  ::bind_textdomain_codeset("loa", "UTF-8");
}

ThreadLanguage::ThreadLanguage(Language language) : outer_(spoken) {
  spoken = language;
  if (language == Language::English) return;
  // gettext reads the thread's own locale (uselocale): messages in C.UTF-8 here only.
  locale_t here = ::newlocale(LC_MESSAGES_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
  if (!here) return;
  locale_ = here;
  previous_ = ::uselocale(here);
}

ThreadLanguage::~ThreadLanguage() {
  if (locale_) {
    ::uselocale(static_cast<locale_t>(previous_));
    ::freelocale(static_cast<locale_t>(locale_));
  }
  spoken = outer_;
}

Language current() { return spoken.value_or(chosen); }

const char* tr(const char* msgid) { return current() == Language::English ? msgid : ::dgettext("loa", msgid); }

namespace {

// The values that fill `format`'s {} to give `text`, or nullopt when it does not.
std::optional<std::vector<std::string>> fill_of(std::string_view text, std::string_view format) {
  std::vector<std::string_view> pieces;
  for (std::size_t at = 0;;) {
    std::size_t hole = format.find("{}", at);
    pieces.push_back(format.substr(at, hole == std::string_view::npos ? std::string_view::npos : hole - at));
    if (hole == std::string_view::npos) break;
    at = hole + 2;
  }
  if (!text.starts_with(pieces.front()) || !text.ends_with(pieces.back()) ||
      text.size() < pieces.front().size() + (pieces.size() > 1 ? pieces.back().size() : 0))
    return std::nullopt;
  std::vector<std::string> values;
  std::size_t at = pieces.front().size();
  for (std::size_t i = 1; i < pieces.size(); ++i) {
    // The last piece ends the text; the others are the first match after the value before.
    std::size_t next = i + 1 == pieces.size() ? text.size() - pieces[i].size() : text.find(pieces[i], at);
    if (next == std::string_view::npos || next < at) return std::nullopt;
    values.emplace_back(text.substr(at, next - at));
    at = next + pieces[i].size();
  }
  if (pieces.size() == 1 && text != format) return std::nullopt;
  return values;
}

}  // namespace

std::string tr_stored(std::string_view text, std::initializer_list<const char*> formats) {
  if (current() == Language::English) return std::string(text);
  for (const char* format : formats) {
    auto values = fill_of(text, format);
    if (!values) continue;
    fmt::dynamic_format_arg_store<fmt::format_context> args;
    for (const auto& v : *values) args.push_back(v);
    try {
      return fmt::vformat(tr(format), args);
    } catch (const fmt::format_error&) {
      return std::string(text);  // a catalog that lost a placeholder: the tests catch it
    }
  }
  return std::string(text);
}

}  // namespace loa::i18n
