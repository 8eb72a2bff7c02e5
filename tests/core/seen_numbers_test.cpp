// The planner's repeat table: every number once, the first place kept, growth keeping all.
#include <doctest/doctest.h>

#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <string>
#include <unordered_map>

#include "core/jobs/seen_numbers.h"
#include "core/reports/words.h"
#include "core/util/i18n.h"

using loa::jobs::SeenNumbers;

TEST_SUITE("core/seen-numbers") {
  TEST_CASE("a repeat gives the first place it was seen, across growth, as a plain map would") {
    SeenNumbers seen;
    std::unordered_map<std::string, SeenNumbers::Where> model;
    // 300,000 numbers of a few blocks (neighbours differ in the last digits), each some
    // twice, the second time from another ward and row.
    for (std::uint32_t i = 0; i < 300000; ++i) {
      const std::string digits = "849" + std::to_string(10000000 + (i * 7919) % 90000000);
      const SeenNumbers::Where here{i % 64, i + 2};
      auto earlier = seen.insert(digits, here);
      auto [at, fresh] = model.try_emplace(digits, here);
      REQUIRE(earlier.has_value() == !fresh);
      if (earlier) {
        CHECK(earlier->ward == at->second.ward);
        CHECK(earlier->row == at->second.row);
      }
    }
    CHECK(seen.size() == model.size());
    // About 16 bytes a number at most (8-byte slots, at least 35% full after growing).
    CHECK(seen.bytes() <= 24 * model.size() + 4096 * 8);
    // Growing holds two copies of one segment at most, never of the whole table.
    CHECK(seen.largest_segment_bytes() * 16 <= seen.bytes());
  }

  TEST_CASE("numbers past 32 bits and odd forms are kept too") {
    SeenNumbers seen;
    CHECK_FALSE(seen.insert("84912345678", {1, 5}).has_value());
    CHECK_FALSE(seen.insert("8412345678901", {2, 6}).has_value());  // 11 national digits
    CHECK(seen.insert("8412345678901", {3, 7})->row == 6);
    CHECK(seen.insert("84912345678", {4, 9})->ward == 1);
    CHECK(seen.size() == 2);
  }

  TEST_CASE("past its memory budget the table moves to a file, and answers the same") {
    auto dir = std::filesystem::temp_directory_path() / ("loa-seen-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    for (const bool usable : {true, false}) {
      CAPTURE(usable);
      // A folder that does not exist: the table stays in memory (and grows there).
      SeenNumbers seen(usable ? dir.string() : (dir / "missing").string(), 64 * 1024);
      std::unordered_map<std::string, SeenNumbers::Where> model;
      for (std::uint32_t i = 0; i < 200000; ++i) {
        const std::string digits = "843" + std::to_string(20000000 + (i * 104729) % 150000);  // a quarter repeats
        const SeenNumbers::Where here{i % 64, i + 2};
        auto earlier = seen.insert(digits, here);
        auto [at, fresh] = model.try_emplace(digits, here);
        REQUIRE(earlier.has_value() == !fresh);
        if (earlier) CHECK(earlier->row == at->second.row);
      }
      CHECK(seen.fault().empty());
      CHECK(seen.size() == model.size());
      CHECK(seen.spilled() == usable);
      if (usable) CHECK(seen.bytes() <= 4 * seen.size());  // fingerprints: a byte a slot
      else CHECK(seen.bytes() > 64 * 1024);
      CHECK_FALSE(seen.insert("84912345678", {1, 1}).has_value());
      CHECK(seen.insert("84912345678", {2, 2})->row == 1);
    }
    // The file is unlinked: nothing is left in the folder.
    CHECK(std::filesystem::is_empty(dir));
    std::filesystem::remove_all(dir);
  }

  TEST_CASE("a file that fails later ends the check with a reason an official can read") {
    auto dir = std::filesystem::temp_directory_path() / ("loa-seen-fault-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    // Files of this process may not grow past 1 MiB (EFBIG instead of the signal): the
    // table spills at 64 KiB, then fails to grow its file.
    rlimit was{};
    REQUIRE(::getrlimit(RLIMIT_FSIZE, &was) == 0);
    auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
    rlimit small = was;
    small.rlim_cur = 1 << 20;
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
    SeenNumbers seen(dir.string(), 64 * 1024);
    std::uint32_t i = 0;
    for (; i < 1000000 && seen.fault().empty(); ++i) seen.insert("849" + std::to_string(10000000 + i), {0, i});
    ::setrlimit(RLIMIT_FSIZE, &was);
    std::signal(SIGXFSZ, old_handler);
    REQUIRE_FALSE(seen.fault().empty());
    CHECK(i < 1000000);
    CHECK(seen.fault().find(dir.string()) != std::string::npos);  // where, for the operator
    CHECK_FALSE(seen.insert("84911111111", {0, 1}).has_value());  // answers nothing any more
    loa::i18n::choose("vi");
    CHECK(loa::reports::reason_for_people(seen.fault()).starts_with("máy chủ không dùng được tệp tạm"));
    loa::i18n::choose("en");
    CHECK(loa::reports::reason_for_people(seen.fault()) == seen.fault());
    std::filesystem::remove_all(dir);
  }
}
