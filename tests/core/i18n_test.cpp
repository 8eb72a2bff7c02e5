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

  TEST_CASE("tr_stored() translates a stored English text that one of the formats fills in") {
    using loa::i18n::tr_stored;
    loa::i18n::choose("vi");
    CHECK(tr_stored("6 fields, the header has 5", {"{} fields, the header has {}"}) == "6 ô, dòng tiêu đề có 5");
    // The first format that matches wins; an exact text is a format without holes.
    CHECK(tr_stored("not valid UTF-8", {"{} fields, the header has {}", "not valid UTF-8"}) == "không phải UTF-8 hợp lệ");
    CHECK(tr_stored("cell 3 holds \"9.12E+08\", which is not a number",
                    {"cell {} holds \"{}\", which is not a number"}) == "ô 3 chứa \"9.12E+08\", không phải là số");
    // Texts that only look alike stay as they are.
    CHECK(tr_stored("6 fields, the header has", {"{} fields, the header has {}"}) == "6 fields, the header has");
    CHECK(tr_stored("not valid UTF-8 at all", {"not valid UTF-8"}) == "not valid UTF-8 at all");
    CHECK(tr_stored("fields, the header has 5", {"{} fields, the header has {}"}) == "fields, the header has 5");
    loa::i18n::choose("en");
    CHECK(tr_stored("6 fields, the header has 5", {"{} fields, the header has {}"}) == "6 fields, the header has 5");
  }
}
