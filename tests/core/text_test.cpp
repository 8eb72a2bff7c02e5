// Text: NFC, ascii, templates and segment counting.
#include <doctest/doctest.h>

#include "core/util/strings.h"

#include <unicode/unistr.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <random>

#include "core/text/message_template.h"
#include "core/text/segments.h"
#include "core/text/unicode.h"

using loa::text::count_segments;
using loa::text::Encoding;
using loa::text::MessageTemplate;

namespace {
namespace fs = std::filesystem;
struct TempTemplates {
  fs::path dir;
  TempTemplates() {
    char tmpl[] = "/tmp/loa-tmpl-XXXXXX";
    dir = mkdtemp(tmpl);
  }
  ~TempTemplates() { fs::remove_all(dir); }
  void write(const std::string& name, const std::string& yaml) { std::ofstream(dir / (name + ".yaml")) << yaml; }
};
}  // namespace

TEST_SUITE("core/text") {
  TEST_CASE("text from outside in a log line: control characters and non-ASCII escaped, length bounded") {
    CHECK(loa::util::loggable("abc-1.2") == "abc-1.2");
    CHECK(loa::util::loggable("a\nb\r\x1b[31m") == "a\\x0ab\\x0d\\x1b[31m");
    CHECK(loa::util::loggable("back\\slash") == "back\\x5cslash");
    CHECK(loa::util::loggable("Ph\xc6\xb0\xe1\xbb\x9dng 6") == "Ph\xc6\xb0\xe1\xbb\x9dng 6");  // Vietnamese stays readable
    CHECK(loa::util::loggable("a\xc3\x28" "b\xe2\x80\xa8" "c\xc2\x85") == "a\\xc3(b\\xe2\\x80\\xa8" "c\\xc2\\x85");  // bad UTF-8, U+2028, C1
    CHECK(loa::util::loggable("\xe1\xbb\x9d\xe1\xbb\x9d", 4) == "\xe1\xbb\x9d...");  // never half a character
    CHECK(loa::util::loggable(std::string(500, 'x'), 10) == "xxxxxxxxxx...");
  }

  TEST_CASE("ascii strips Vietnamese diacritics, đ and Đ included") {
    CHECK(loa::text::to_ascii("Phường 6, Đầm Dơi, Cà Mau") == "Phuong 6, Dam Doi, Ca Mau");
    CHECK(loa::text::to_ascii("đường – ngõ") == "duong - ngo");
  }

  TEST_CASE("ascii: the short way for Latin text gives what the transliterator gives, for every Latin letter") {
    // Every code point of Latin-1 Supplement, Latin Extended-A/B and Latin Extended
    // Additional (all of Vietnamese), alone, decomposed, and inside a word.
    auto utf8 = [](char32_t c) {
      std::string out;
      icu::UnicodeString(static_cast<UChar32>(c)).toUTF8String(out);
      return out;
    };
    int compared = 0;
    for (char32_t c = 0xA0; c <= 0x24F; ++c) {
      for (const std::string& text : {utf8(c), "Ph" + utf8(c) + "ng " + utf8(c), loa::text::nfc(utf8(c))}) {
        CHECK_MESSAGE(loa::text::to_ascii(text) == loa::text::transliterate_to_ascii(text), "U+", std::hex, int(c));
        ++compared;
      }
    }
    for (char32_t c = 0x1E00; c <= 0x1EFF; ++c) {
      std::string word = "Ng" + utf8(c) + "y " + utf8(c);
      CHECK_MESSAGE(loa::text::to_ascii(word) == loa::text::transliterate_to_ascii(word), "U+", std::hex, int(c));
      ++compared;
    }
    const std::string decomposed = "Phu\xCC\x9B\xCC\x80o\xCC\x9Bng";  // ư + grave, ơ: combining marks
    CHECK(loa::text::to_ascii(decomposed) == "Phuong");
    CHECK(loa::text::to_ascii(decomposed) == loa::text::transliterate_to_ascii(decomposed));
    CHECK(compared > 1000);
  }

  TEST_CASE("header folding and snake case") {
    CHECK(loa::text::fold_key("Số điện thoại") == "sodienthoai");
    CHECK(loa::text::fold_key("Khóm/Ấp") == "khomap");
    CHECK(loa::text::snake_case("Ngày sinh") == "ngay_sinh");
    CHECK(loa::text::snake_case("  Số nhà (cũ) ") == "so_nha_cu");
  }

  TEST_CASE("GSM-7 boundaries: 160 is one segment, 161 is two of 153") {
    CHECK(count_segments(std::string(160, 'a')).segments == 1);
    CHECK(count_segments(std::string(161, 'a')).segments == 2);
    CHECK(count_segments(std::string(306, 'a')).segments == 2);
    CHECK(count_segments(std::string(307, 'a')).segments == 3);
    CHECK_FALSE(count_segments(std::string(161, 'a')).unicode);
    CHECK(count_segments("").segments == 0);
  }

  TEST_CASE("GSM-7 extension characters count two septets") {
    auto s = count_segments(std::string(159, 'a') + "€");
    CHECK_FALSE(s.unicode);
    CHECK(s.units == 161);
    CHECK(s.segments == 2);
    CHECK(count_segments(std::string(158, 'a') + "{").segments == 1);
    CHECK(count_segments("à è é ì ò ù É").unicode == false);  // the GSM-7 accented letters
  }

  TEST_CASE("a character of two units never straddles two parts") {
    // GSM-7: 152 letters leave one septet in part 1; € (ESC + code) needs two, so it opens
    // part 2, which then holds € and 151 letters; the last letter makes part 3. By total
    // septets (306 = 2 x 153) it would wrongly be two.
    const std::string gsm = std::string(152, 'a') + "€" + std::string(152, 'a');
    CHECK(count_segments(gsm).units == 306);
    CHECK(count_segments(gsm).segments == 3);
    CHECK(count_segments(std::string(151, 'a') + "€" + std::string(153, 'a')).segments == 2);  // fits exactly
    // UCS-2: 66 letters leave one unit in part 1; an emoji (a surrogate pair) opens part 2.
    std::string ucs2;
    for (int i = 0; i < 66; ++i) ucs2 += "ư";
    const std::string emoji = "\xF0\x9F\x98\x80";  // U+1F600
    CHECK(count_segments(ucs2 + emoji + ucs2).units == 134);
    CHECK(count_segments(ucs2 + emoji + ucs2).segments == 3);
    std::string sixty_five;
    for (int i = 0; i < 65; ++i) sixty_five += "ư";
    CHECK(count_segments(sixty_five + emoji + ucs2 + "ư").segments == 2);  // 67 + 67: fits exactly
  }

  TEST_CASE("UCS-2 boundaries: 70 is one segment, 71 is two of 67") {
    std::string seventy;
    for (int i = 0; i < 70; ++i) seventy += "ư";
    CHECK(count_segments(seventy).unicode);
    CHECK(count_segments(seventy).segments == 1);
    CHECK(count_segments(seventy + "ư").segments == 2);
    std::string one_three_four;
    for (int i = 0; i < 134; ++i) one_three_four += "ơ";
    CHECK(count_segments(one_three_four).segments == 2);
    CHECK(count_segments(one_three_four + "a").segments == 3);
  }

  TEST_CASE("a character outside the BMP counts two UTF-16 units") {
    std::string text(68, 'a');
    text += "😀";  // 68 + 2 = 70: still one segment
    auto s = count_segments(text);
    CHECK(s.unicode);
    CHECK(s.units == 70);
    CHECK(s.segments == 1);
    CHECK(count_segments(text + "a").segments == 2);
  }

  TEST_CASE("one typographic quote forces the whole message to UCS-2") {
    CHECK(count_segments("Xin chao “ban”").unicode);
  }

  TEST_CASE("rendering: no HTML escaping, NFC output from NFD input, ascii encoding") {
    auto t = MessageTemplate::from_body("t", "Chào {{ho_ten}} & <{{dip_le}}>");
    REQUIRE(t.has_value());
    CHECK(t->render({{"ho_ten", "Nguye\xCC\x82\xCC\x83n A"}, {"dip_le", "Tết \"2027\""}}) == "Chào Nguyễn A & <Tết \"2027\">");
    auto a = MessageTemplate::from_body("t", "Phường {{x}}", Encoding::Ascii);
    CHECK(a->render({{"x", "Đông"}}) == "Phuong Dong");
  }

  TEST_CASE("names used by a body") {
    auto names = loa::text::mustache_names("{{a}} {{{b}}} {{& c}} {{#d}}x{{/d}} {{^e}}y{{/e}} {{! note }}");
    REQUIRE(names.has_value());
    CHECK(*names == std::set<std::string>{"a", "b", "c", "d", "e"});
    CHECK_FALSE(loa::text::mustache_names("{{a").has_value());
    CHECK_FALSE(loa::text::mustache_names("{{=<% %>=}}").has_value());
  }

  TEST_CASE("loading: a name nothing provides is an error at load, with file:line") {
    TempTemplates d;
    d.write("ok", "description: x\nvariables: [dip_le]\nmax_segments: 2\nbody: \"{{ten_phuong}} {{ho_ten}} {{dip_le}} {{so_nha}}\"\n");
    auto ok = MessageTemplate::load(d.dir.string(), "ok", {"so_nha"});
    REQUIRE(ok.has_value());
    CHECK(ok->variables() == std::vector<std::string>{"dip_le"});
    CHECK(ok->max_segments() == 2);
    CHECK(ok->column_names() == std::set<std::string>{"so_nha"});

    auto missing = MessageTemplate::load(d.dir.string(), "ok", {});
    REQUIRE_FALSE(missing.has_value());
    CHECK(missing.error().at(0).find("ok.yaml:4: the body uses {{so_nha}}") != std::string::npos);

    d.write("typo", "description: x\nvariable: [a]\nbody: hi\n");
    auto typo = MessageTemplate::load(d.dir.string(), "typo");
    REQUIRE_FALSE(typo.has_value());
    CHECK(typo.error().at(0).find("typo.yaml:2: unknown key \"variable\"") != std::string::npos);

    d.write("broken", "body: \"{{#a}} never closed\"\n");
    auto broken = MessageTemplate::load(d.dir.string(), "broken");
    REQUIRE_FALSE(broken.has_value());
    CHECK(broken.error().at(0).find("broken template body") != std::string::npos);

    d.write("enc", "encoding: latin1\nbody: hi\n");
    CHECK_FALSE(MessageTemplate::load(d.dir.string(), "enc").has_value());
    CHECK_FALSE(MessageTemplate::load(d.dir.string(), "absent").has_value());
  }

  TEST_CASE("every shipped template loads and renders within its segment limit") {
    fs::path dir = fs::path(LOA_TEST_DATA).parent_path().parent_path() / "templates";
    int n = 0;
    for (const auto& e : fs::directory_iterator(dir)) {
      std::string name = e.path().stem().string();
      CAPTURE(name);
      auto t = MessageTemplate::load(dir.string(), name, {"so_nha"});
      REQUIRE(t.has_value());
      MessageTemplate::Vars vars{{"ten_phuong", "Phường Tân Xuyên"}, {"ho_ten", "Nguyễn Thị Ngọc Hạnh"},
                                 {"khom_ap", "Khóm 10"}, {"so_nha", "123/4"}};
      for (const auto& v : t->variables()) vars[v] = "15/01/2027";
      auto seg = count_segments(t->render(vars));
      CHECK(seg.segments <= t->max_segments());
      CHECK(seg.unicode == (t->encoding() == Encoding::Unicode));
      ++n;
    }
    CHECK(n >= 6);
  }
}

TEST_CASE("append_json_string writes what nlohmann's dump writes, and valid JSON from any bytes") {
  auto quoted = [](std::string_view s) {
    std::string out = "x";
    loa::text::append_json_string(out, s);
    return out.substr(1);
  };
  const std::vector<std::string> texts = {
      "", "Phường 5", "UBND xã Tân Thành: \"Lễ chào cờ\" 7h00\n\tNgày 02/9", "a\\b/c", std::string("\0\x01\x1f\x7f", 4),
      "\b\f\r", "😀 ✓ ₫", "Đ đ Ơ ơ Ư ư", std::string(300, 'a') + "\"" + std::string(3, '\\')};
  for (const auto& t : texts) CHECK(quoted(t) == nlohmann::json(t).dump());
  // Every byte value alone and after text, and random mixtures of ASCII, Vietnamese and
  // control characters: the same as nlohmann for valid UTF-8.
  std::mt19937 rng(42);
  const std::vector<std::string> pieces = {"a", "ơ", "Ầ", "\"", "\\", "\n", "\x02", "€", "𝄞", " ", "/"};
  for (int round = 0; round < 2000; ++round) {
    std::string t;
    for (int k = static_cast<int>(rng() % 20); k > 0; --k) t += pieces[rng() % pieces.size()];
    CHECK(quoted(t) == nlohmann::json(t).dump());
  }
  // Invalid UTF-8 (a lone continuation byte, a cut sequence, an overlong form, a surrogate):
  // each comes out as U+FFFD and the whole stays a JSON string that parses back.
  for (const std::string bad : {"\x80", "ab\xC3", "\xC0\xAF", "\xED\xA0\x80 x", "\xF5\x80\x80\x80", "ok\xFF"}) {
    const std::string q = quoted(bad);
    auto back = nlohmann::json::parse(q, nullptr, false);
    REQUIRE(back.is_string());
    CHECK(back.get<std::string>().find("\xEF\xBF\xBD") != std::string::npos);
    CHECK(loa::text::valid_utf8(back.get<std::string>()));
  }
  for (int b = 0; b < 256; ++b) {
    const std::string t(1, static_cast<char>(b));
    CHECK(nlohmann::json::parse(quoted(t), nullptr, false).is_string());
  }
}
