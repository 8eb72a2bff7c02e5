// Phone normalisation: every accepted written form, the 2018 renumbering, landlines.
#include <doctest/doctest.h>

#include "core/phone/phone.h"

using loa::phone::normalize;
using loa::phone::Problem;

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
    CHECK(normalize("abc").error() == Problem::Missing);
    CHECK(normalize("").error() == Problem::Missing);
  }

  TEST_CASE("carriers by prefix") {
    CHECK(loa::phone::carrier_of("0981234567") == "viettel");
    CHECK(loa::phone::carrier_of("0901234567") == "mobifone");
    CHECK(loa::phone::carrier_of("0921234567") == "vietnamobile");
    CHECK(loa::phone::carrier_of("0871234567") == "itel");
    CHECK(loa::phone::carrier_of("0111234567").empty());
  }

  TEST_CASE("the cached quick path agrees with libphonenumber's full parse for every prefix") {
    // "ĐT " makes the text non-plain, so it goes through libphonenumber's own parser.
    for (int prefix = 1000; prefix < 10000; prefix += 7) {
      std::string local = "0" + std::to_string(prefix) + "23456";
      auto quick = normalize(local);
      auto full = normalize("ĐT " + local);
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
}
