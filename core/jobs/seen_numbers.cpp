// The repeat table.
#include "core/jobs/seen_numbers.h"

#include <algorithm>
#include <charconv>

namespace loa::jobs {

namespace {
// A 32-bit mix (Murmur3's finaliser): numbers of one block differ in their last digits.
std::uint32_t mix(std::uint32_t h) {
  h ^= h >> 16;
  h *= 0x85ebca6bU;
  h ^= h >> 13;
  h *= 0xc2b2ae35U;
  h ^= h >> 16;
  return h;
}
}  // namespace

std::optional<SeenNumbers::Where> SeenNumbers::insert(std::string_view digits, Where where) {
  if (digits.starts_with("84")) digits.remove_prefix(2);
  std::uint64_t number = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
  if (ec != std::errc() || end != digits.data() + digits.size() || number == 0 || number > 0xFFFFFFFFULL) {
    auto [at, fresh] = wide_.try_emplace(number, where);
    if (!fresh) return at->second;
    ++size_;
    return std::nullopt;
  }
  const auto key = static_cast<std::uint32_t>(number);
  const std::uint32_t h = mix(key);
  Segment& seg = segments_[h >> (32 - kSegmentBits)];  // top bits: the segment; low bits: the slot
  if ((seg.size + 1) * 10 > seg.slots.size() * 7) grow(seg);
  const std::size_t mask = seg.slots.size() - 1;
  for (std::size_t i = h & mask;; i = (i + 1) & mask) {
    const std::uint64_t slot = seg.slots[i];
    if (slot == 0) {
      seg.slots[i] = pack(key, where);
      ++seg.size;
      ++size_;
      return std::nullopt;
    }
    if (static_cast<std::uint32_t>(slot >> 32) == key) return where_of(slot);
  }
}

void SeenNumbers::grow(Segment& s) {
  std::vector<std::uint64_t> old;
  old.swap(s.slots);
  s.slots.assign(old.empty() ? 64 : old.size() * 2, 0);
  const std::size_t mask = s.slots.size() - 1;
  for (std::uint64_t slot : old) {
    if (slot == 0) continue;
    std::size_t i = mix(static_cast<std::uint32_t>(slot >> 32)) & mask;
    while (s.slots[i] != 0) i = (i + 1) & mask;
    s.slots[i] = slot;
  }
}

std::size_t SeenNumbers::bytes() const {
  std::size_t n = 0;
  for (const auto& s : segments_) n += s.slots.capacity() * sizeof(std::uint64_t);
  return n;
}

std::size_t SeenNumbers::largest_segment_bytes() const {
  std::size_t n = 0;
  for (const auto& s : segments_) n = std::max(n, s.slots.capacity() * sizeof(std::uint64_t));
  return n;
}

}  // namespace loa::jobs
