// Phone normalisation: every accepted written form, the 2018 renumbering, landlines.
#include <doctest/doctest.h>

#include "core/reports/report.h"
#include "core/util/log.h"

#include "core/phone/phone.h"

using loa::phone::normalize;
using loa::phone::Problem;
using loa::phone::describe;

TEST_SUITE("core/phone") {
  TEST_CASE("every written form of one mobile gives the same number") {
    for (const char* raw : {"0912345678", "0912 345 678", "0912.345.678", "+84912345678", "84912345678",
                            "(+84) 912-345-678", "912345678", " 0912-345-678 "}) {
      CAPTURE(raw);
      auto p = normalize(raw);
      REQUIRE(p.has_value());
      CHECK(p->e164 == "+84912345678");
      CHECK(p->digits == "84912345678");
      CHECK(p->local == "0912345678");
      CHECK(p->carrier == "vinaphone");
    }
  }

  TEST_CASE("pre-2018 eleven-digit mobiles are converted") {
    CHECK(normalize("01621234567")->local == "0321234567");   // Viettel 0162 -> 032
    CHECK(normalize("01691234567")->local == "0391234567");   // Viettel 0169 -> 039
    CHECK(normalize("0120 123 4567")->local == "0701234567"); // MobiFone 0120 -> 070
    CHECK(normalize("01211234567")->local == "0791234567");   // MobiFone 0121 -> 079
    CHECK(normalize("01231234567")->local == "0831234567");   // Vinaphone 0123 -> 083
    CHECK(normalize("841621234567")->local == "0321234567");
    CHECK(normalize("+841281234567")->local == "0781234567");
    CHECK(normalize("01861234567")->local == "0561234567");   // Vietnamobile
    CHECK(normalize("01621234567")->carrier == "viettel");
  }

  TEST_CASE("landlines, invalid and missing numbers are told apart") {
    CHECK(normalize("0290 3831 234").error() == Problem::Landline);  // Cà Mau
    CHECK(normalize("02439424242").error() == Problem::Landline);    // Hà Nội
    CHECK(normalize("0912 345").error() == Problem::Invalid);
    CHECK(normalize("09123456789").error() == Problem::Invalid);
    CHECK(normalize("+1 202 555 0100").error() == Problem::Invalid);  // not Vietnamese
    CHECK(normalize("abc").error() == Problem::Letters);
    CHECK(normalize("-").error() == Problem::Missing);
    CHECK(normalize("").error() == Problem::Missing);
  }

  TEST_CASE("carriers by prefix") {
    CHECK(loa::phone::carrier_of("0981234567") == "viettel");
    CHECK(loa::phone::carrier_of("0901234567") == "mobifone");
    CHECK(loa::phone::carrier_of("0921234567") == "vietnamobile");
    CHECK(loa::phone::carrier_of("0871234567") == "itel");
    CHECK(loa::phone::carrier_of("0111234567").empty());
  }

  TEST_CASE("the quick path agrees with libphonenumber's full parse for every prefix") {
    // A '/' makes the text non-plain, so it goes through libphonenumber's own parser.
    for (int prefix = 1000; prefix < 10000; prefix += 7) {
      std::string local = "0" + std::to_string(prefix) + "23456";
      auto quick = normalize(local);
      auto full = normalize(local.substr(0, 4) + "/" + local.substr(4));
      REQUIRE_MESSAGE(quick.has_value() == full.has_value(), local);
      if (quick) {
        CHECK(quick->local == full->local);
        CHECK(quick->carrier == full->carrier);
        CHECK(quick->e164 == full->e164);
      } else {
        CHECK_MESSAGE(quick.error() == full.error(), local);
      }
    }
  }

  TEST_CASE("letters make a number invalid: never read as keypad letters") {
    for (const char* raw : {"0912abc678", "0912ABC678", "0912 345 67O", "ĐT 0912345678", "0912345678 (con)",
                            "1900 CALL NOW", "0912345678 ext 2", "０９１２ａｂｃ６７８"}) {
      CAPTURE(raw);
      CHECK(normalize(raw).error() == Problem::Letters);
    }
  }

  TEST_CASE("Unicode digits are digits, Unicode spaces and dashes are separators") {
    for (const char* raw : {"０９１２３４５６７８",              // full-width
                            "٠٩١٢٣٤٥٦٧٨",                      // Arabic-Indic
                            "0912\u00A0345\u00A0678",           // no-break spaces, as Excel copies them
                            "0912\u2013345\u2013678",           // en dashes
                            "＋８４ ９１２ ３４５ ６７８"}) {    // full-width plus
      CAPTURE(raw);
      auto p = normalize(raw);
      REQUIRE(p.has_value());
      CHECK(p->local == "0912345678");
    }
    CHECK(normalize("\xFF\xFE" "0912345678").error() == Problem::Letters);  // not UTF-8: never guessed at
  }

  TEST_CASE("Excel's scientific form has lost digits and says so") {
    for (const char* raw : {"9.12E+08", "9,12346E+08", "9.12345678E8", " 9.1E+08 ", "9E+08", "9.12e+08"}) {
      CAPTURE(raw);
      CHECK(normalize(raw).error() == Problem::Scientific);
    }
    CHECK(describe(Problem::Scientific).find("scientific") != std::string_view::npos);
  }

  TEST_CASE("unallocated mobile prefixes are refused; the table decides, and a config can extend it") {
    // 050, 053, 054, 057, 071-075, 080 are mobile ranges no carrier has been given.
    for (const char* raw : {"0501234567", "0531234567", "0541234567", "0571234567", "0711234567", "0801234567"}) {
      CAPTURE(raw);
      CHECK(normalize(raw).error() == Problem::Unallocated);
    }
    loa::phone::Carriers carriers;
    REQUIRE(carriers.add("0801", "newtel").has_value());
    REQUIRE(carriers.add("0868", "viettel").has_value());  // already Viettel's: a longer block is fine
    auto p = normalize("0801 234 567", carriers);
    REQUIRE(p.has_value());
    CHECK(p->carrier == "newtel");
    CHECK(normalize("0802234567", carriers).error() == Problem::Unallocated);  // only the block added
    CHECK(normalize("0868123456", carriers)->carrier == "viettel");
    CHECK(normalize("0801234567").error() == Problem::Unallocated);  // the built-in table is untouched
    // Every form reaches the table, the slow parser's as well.
    CHECK(normalize("(+84) 801-234-567", carriers)->local == "0801234567");
    CHECK_FALSE(carriers.add("0201", "x").has_value());    // fixed lines are not a mobile block
    CHECK_FALSE(carriers.add("86", "x").has_value());      // must start with 0
    CHECK_FALSE(carriers.add("08a1", "x").has_value());
    CHECK_FALSE(carriers.add("0801", "New Tel").has_value());
  }

  TEST_CASE("a provider's text: every number in it masked, ids kept (issue 29)") {
    using loa::util::mask_numbers;
    CHECK(mask_numbers("invalid destination 84912000000") == "invalid destination 8491***000");
    CHECK(mask_numbers("To: +84912345678, from 0912345678; 912345678.") == "To: +8491***678, from 0912***678; 9123***678.");
    CHECK(mask_numbers("HTTP 400: {\"Phone\":\"0987654321\"}") == "HTTP 400: {\"Phone\":\"0987***321\"}");
    // Loa's refs (a 13-digit millisecond id), numeric message ids, codes, amounts: kept.
    CHECK(mask_numbers("ref 1795893452014-0.3 id 2034072219640523072 code 103 for 50000 VND") ==
          "ref 1795893452014-0.3 id 2034072219640523072 code 103 for 50000 VND");
    CHECK(mask_numbers("") == "");
  }

  TEST_CASE("a report CSV cell that a spreadsheet would run as a formula is text (OWASP CSV injection)") {
    using loa::reports::csv_line;
    CHECK(csv_line({"=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "Nguyễn Văn A", ""}) ==
          "\"'=HYPERLINK(\"\"http://x\"\")\",'+1,'-2,'@SUM(A1),Nguyễn Văn A,\r\n");
    CHECK(csv_line({"\tcmd"}) == "'\tcmd\r\n");
    CHECK(csv_line({"0912***678", "a=b"}) == "0912***678,a=b\r\n");
  }
}
