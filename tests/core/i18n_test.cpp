// The message catalog: every translation keeps its msgid's {} placeholders in order (a
// lost or extra one would throw at run time), and the compiled catalog is what tr() reads.
#include <doctest/doctest.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "core/util/i18n.h"

namespace {

// The msgid/msgstr pairs of a .po file (strings may continue on following lines).
std::vector<std::pair<std::string, std::string>> entries(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in);
  std::vector<std::pair<std::string, std::string>> out;
  std::string line, id, str, *into = nullptr;
  auto unquote = [](const std::string& s) {
    std::string v;
    for (std::size_t i = s.find('"') + 1; i + 1 < s.size(); ++i) {
      if (s[i] == '\\' && i + 2 < s.size()) {
        ++i;
        v += s[i] == 'n' ? '\n' : s[i];
      } else {
        v += s[i];
      }
    }
    return v;
  };
  auto flush = [&] {
    if (!id.empty()) out.emplace_back(id, str);
    id.clear();
    str.clear();
  };
  while (std::getline(in, line)) {
    if (line.rfind("msgid ", 0) == 0) {
      flush();
      id = unquote(line);
      into = &id;
    } else if (line.rfind("msgstr ", 0) == 0) {
      str = unquote(line);
      into = &str;
    } else if (!line.empty() && line[0] == '"' && into) {
      *into += unquote(line);
    }
  }
  flush();
  return out;
}

std::vector<std::string> placeholders(const std::string& s) {
  std::vector<std::string> out;
  static const std::regex re(R"(\{[^{}]*\})");
  // Literal braces ({{ and }}) are not placeholders.
  std::string t = std::regex_replace(std::regex_replace(s, std::regex(R"(\{\{)"), ""), std::regex(R"(\}\})"), "");
  for (auto it = std::sregex_iterator(t.begin(), t.end(), re); it != std::sregex_iterator(); ++it) out.push_back(it->str());
  return out;
}

}  // namespace

TEST_SUITE("core/i18n") {
  TEST_CASE("every Vietnamese translation keeps its placeholders, in order") {
    auto all = entries(std::string(LOA_SOURCE_DIR) + "/po/vi.po");
    CHECK(all.size() > 40);
    for (const auto& [id, str] : all) {
      CAPTURE(id);
      CHECK_FALSE(str.empty());
      CHECK(placeholders(id) == placeholders(str));
    }
  }

  TEST_CASE("tr() reads the compiled catalog in Vietnamese and gives the msgid in English") {
    loa::i18n::choose("vi");
    CHECK(std::string(loa::i18n::tr("dry run: nothing enqueued")) == "chạy thử: chưa gửi gì");
    CHECK(loa::i18n::trf("no job {}", "1-0") == "không có thông báo 1-0");
    CHECK(std::string(loa::i18n::tr("a string nobody translated")) == "a string nobody translated");
    loa::i18n::choose("en");
    CHECK(std::string(loa::i18n::tr("dry run: nothing enqueued")) == "dry run: nothing enqueued");
  }
}
