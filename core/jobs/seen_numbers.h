// The numbers already given a message in one job, with where each was first seen: the
// planner's repeat check, for a million residents in little memory. An open-addressing
// table of 8-byte slots (the number without its country code, 32 bits: every Vietnamese
// number fits; and the ward and row it was first seen at), linear probing, grown by
// doubling at 70% full: about 16 bytes a number at most, against about 45 for a
// std::unordered_map node. The table is 64 segments (by the hash's top bits) that grow one
// at a time, so growing never holds two copies of the whole table (one table doubling from 8
// to 16 MiB held 24 at once at a million numbers). A number that does not fit in 32 bits
// goes to a small map.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace loa::jobs {

class SeenNumbers {
 public:
  struct Where {
    std::uint32_t ward = 0;  ///< index into the job's wards (< 64)
    std::uint32_t row = 0;   ///< the list's row (< 2^26)
  };
  /// Records `digits` (international, no plus: "84912345678") as seen at `where`; the
  /// first place it was seen when it was already there.
  std::optional<Where> insert(std::string_view digits, Where where);
  std::size_t size() const { return size_; }
  /// Bytes held by the table (for tests and benchmarks).
  std::size_t bytes() const;
  /// Bytes of the largest segment: the most that growing holds twice.
  std::size_t largest_segment_bytes() const;

 private:
  static std::uint64_t pack(std::uint32_t key, Where w) {
    return (static_cast<std::uint64_t>(key) << 32) | (static_cast<std::uint64_t>(w.ward & 0x3F) << 26) | (w.row & 0x3FFFFFF);
  }
  static Where where_of(std::uint64_t slot) {
    return {static_cast<std::uint32_t>((slot >> 26) & 0x3F), static_cast<std::uint32_t>(slot & 0x3FFFFFF)};
  }
  struct Segment {
    std::vector<std::uint64_t> slots;  // 0: empty (no number is 0)
    std::size_t size = 0;
  };
  static void grow(Segment& s);

  static constexpr int kSegmentBits = 6;
  std::vector<Segment> segments_ = std::vector<Segment>(1u << kSegmentBits);
  std::size_t size_ = 0;
  std::unordered_map<std::uint64_t, Where> wide_;  // numbers past 32 bits
};

}  // namespace loa::jobs
