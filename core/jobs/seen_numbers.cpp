// The repeat table.
#include "core/jobs/seen_numbers.h"

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
  if ((size_ + 1) * 10 > slots_.size() * 7) grow();
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = mix(key) & mask;; i = (i + 1) & mask) {
    const std::uint64_t slot = slots_[i];
    if (slot == 0) {
      slots_[i] = pack(key, where);
      ++size_;
      return std::nullopt;
    }
    if (static_cast<std::uint32_t>(slot >> 32) == key) return where_of(slot);
  }
}

void SeenNumbers::grow() {
  std::vector<std::uint64_t> old;
  old.swap(slots_);
  slots_.assign(old.empty() ? 4096 : old.size() * 2, 0);
  const std::size_t mask = slots_.size() - 1;
  for (std::uint64_t slot : old) {
    if (slot == 0) continue;
    std::size_t i = mix(static_cast<std::uint32_t>(slot >> 32)) & mask;
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = slot;
  }
}

}  // namespace loa::jobs
