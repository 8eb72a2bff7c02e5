// The numbers already given a message in one job, with where each was first seen: the
// planner's repeat check, for a million residents in little memory. An open-addressing
// table of 8-byte slots (the number without its country code, 32 bits: every Vietnamese
// number fits; and the ward and row it was first seen at), linear probing, grown by
// doubling at 70% full: about 16 bytes a number at most, against about 45 for a
// std::unordered_map node. The table is 64 segments (by the hash's top bits) that grow one
// at a time, so growing never holds two copies of the whole table (one table doubling from 8
// to 16 MiB held 24 at once at a million numbers). A number that does not fit in 32 bits
// goes to a small map.
//
// Memory stays flat whatever the job's size when a spill folder is given: past a budget of
// memory (4 MiB: some 300,000 numbers), the table moves to an unlinked file there (the page
// cache holds it, which the kernel can write out, rather than the daemon's own memory),
// with a byte of each slot's fingerprint kept in memory (about 2 bytes a number): a new
// number costs one pwrite, a repeat one pread. A folder where no file can be made keeps the
// table in memory; a file that fails later makes fault() say why, and the planner stops the
// job rather than miss a repeat.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/util/i18n.h"

namespace loa::jobs {

/// The job's reason when the repeat check's file fails (stored in English, shown to people
/// in their language: reports::reason_for_people).
inline constexpr const char* kSpillFault =
    i18n::N_("the server could not use its working file for the repeat check ({}): the job was stopped; tell the operator");

class SeenNumbers {
 public:
  /// `spill_dir`: where the table moves past `ram_bytes` (empty: it stays in memory).
  explicit SeenNumbers(std::string spill_dir = {}, std::size_t ram_bytes = std::size_t{4} << 20);
  ~SeenNumbers();
  SeenNumbers(const SeenNumbers&) = delete;
  SeenNumbers& operator=(const SeenNumbers&) = delete;

  struct Where {
    std::uint32_t ward = 0;  ///< index into the job's wards (< 64)
    std::uint32_t row = 0;   ///< the list's row (< 2^26)
  };
  /// Records `digits` (international, no plus: "84912345678") as seen at `where`; the
  /// first place it was seen when it was already there.
  std::optional<Where> insert(std::string_view digits, Where where);
  std::size_t size() const { return size_; }
  /// Bytes of memory held by the table (for tests and benchmarks).
  std::size_t bytes() const;
  /// Whether the table is in its spill file now.
  bool spilled() const { return fd_ >= 0; }
  /// Why the spill file failed (empty while all is well); insert() answers nothing then.
  const std::string& fault() const { return fault_; }
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
  // The file table: `file_slots_` 8-byte slots (a power of two), linear probing as above.
  bool spill();
  bool file_grow();
  std::optional<Where> file_insert(std::uint32_t key, Where where);
  bool fail(const char* what);

  static constexpr int kSegmentBits = 6;
  std::vector<Segment> segments_ = std::vector<Segment>(1u << kSegmentBits);
  std::size_t size_ = 0;
  std::unordered_map<std::uint64_t, Where> wide_;  // numbers past 32 bits
  std::string spill_dir_;
  std::size_t ram_bytes_;
  int fd_ = -1;
  std::size_t file_slots_ = 0;
  std::vector<std::uint8_t> prints_;  // per file slot: 0 empty, else the number's fingerprint
  std::string fault_;
};

}  // namespace loa::jobs
