// Language choice and catalog lookup over glibc's gettext.
#include "core/util/i18n.h"

#include <libintl.h>
#include <clocale>
#include <cstdlib>
#include <filesystem>

namespace loa::i18n {

namespace {

Language chosen = Language::English;

bool english_locale(const char* value) { return value && value[0] == 'e' && value[1] == 'n'; }

// Where the compiled catalogs are: $LOA_LOCALEDIR, the installed ones, or the build tree's
// (running from a build folder, as the tests and the demo do).
std::string catalog_dir() {
  if (const char* dir = std::getenv("LOA_LOCALEDIR"); dir && *dir) return dir;
  std::error_code ec;
  if (std::filesystem::exists(std::string(LOA_LOCALEDIR) + "/vi/LC_MESSAGES/loa.mo", ec)) return LOA_LOCALEDIR;
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
  // gettext picks the catalog by LANGUAGE, but ignores it in the "C" locale; C.UTF-8 is
  // always there (glibc 2.35+), so a machine with no Vietnamese locale generated still
  // gets the catalog. Only messages: numbers and dates keep the C conventions.
  ::setenv("LANGUAGE", "vi", 1);
  if (!std::setlocale(LC_MESSAGES, "vi_VN.UTF-8")) std::setlocale(LC_MESSAGES, "C.UTF-8");
  ::bindtextdomain("loa", catalog_dir().c_str());
  ::bind_textdomain_codeset("loa", "UTF-8");
}

Language current() { return chosen; }

const char* tr(const char* msgid) { return chosen == Language::English ? msgid : ::dgettext("loa", msgid); }

}  // namespace loa::i18n
