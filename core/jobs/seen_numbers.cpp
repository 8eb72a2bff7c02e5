// The repeat table.
#include "core/jobs/seen_numbers.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>

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

SeenNumbers::SeenNumbers(std::string spill_dir, std::size_t ram_bytes)
    : spill_dir_(std::move(spill_dir)), ram_bytes_(ram_bytes) {}

SeenNumbers::~SeenNumbers() {
  if (fd_ >= 0) ::close(fd_);
}

std::optional<SeenNumbers::Where> SeenNumbers::insert(std::string_view digits, Where where) {
  if (!fault_.empty()) return std::nullopt;
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
  if (fd_ >= 0) return file_insert(key, where);
  const std::uint32_t h = mix(key);
  Segment& seg = segments_[h >> (32 - kSegmentBits)];  // top bits: the segment; low bits: the slot
  if ((seg.size + 1) * 10 > seg.slots.size() * 7) {
    if (!spill_dir_.empty() && bytes() + seg.slots.size() * sizeof(std::uint64_t) > ram_bytes_ && spill())
      return file_insert(key, where);
    grow(seg);
  }
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

bool SeenNumbers::fail(const char* what) {
  const int err = errno;
  fault_ = fmt::format(fmt::runtime(kSpillFault), fmt::format("{} {}: {}", what, spill_dir_, std::strerror(err)));
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  return false;
}

namespace {
/// An unlinked file in `dir` (gone when closed, whatever happens to the process).
int unlinked_file(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != ENOENT)) return fd;
  std::string path = dir + "/loa-seen-XXXXXX";  // file systems without O_TMPFILE
  fd = ::mkostemp(path.data(), O_CLOEXEC);
  if (fd >= 0) ::unlink(path.c_str());
  return fd;
}
/// A number's byte in the in-memory fingerprint of the file table: never 0 (empty).
std::uint8_t fingerprint(std::uint32_t key) {
  return static_cast<std::uint8_t>(1 + ((key * 0x9E3779B1U) >> 24) % 255);
}
}  // namespace

// Moves the memory table into a new file of four times as many slots as numbers. When the
// file cannot be made or written, the table stays in memory (and grows there): memory
// rather than a missed repeat.
bool SeenNumbers::spill() {
  auto stay = [&] {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    fault_.clear();
    spill_dir_.clear();  // no second try
    std::vector<std::uint8_t>().swap(prints_);
    return false;
  };
  fd_ = unlinked_file(spill_dir_);
  if (fd_ < 0) return stay();
  std::size_t slots = 1024;
  while (slots < size_ * 4) slots *= 2;
  if (::ftruncate(fd_, static_cast<off_t>(slots * sizeof(std::uint64_t))) != 0) return stay();
  file_slots_ = slots;
  prints_.assign(slots, 0);
  const std::size_t before = size_;
  size_ = wide_.size();
  for (const auto& seg : segments_)
    for (std::uint64_t slot : seg.slots)
      if (slot != 0) {
        (void)file_insert(static_cast<std::uint32_t>(slot >> 32), where_of(slot));
        if (!fault_.empty()) {
          size_ = before;
          return stay();
        }
      }
  for (auto& seg : segments_) {
    std::vector<std::uint64_t>().swap(seg.slots);  // the memory goes back
    seg.size = 0;
  }
  return true;
}

// Doubles the file table: a new file, every slot of the old one read in order and placed.
bool SeenNumbers::file_grow() {
  const int old = fd_;
  const std::size_t old_slots = file_slots_;
  fd_ = unlinked_file(spill_dir_);
  if (fd_ < 0) {
    fd_ = old;
    return fail("creating");
  }
  file_slots_ = old_slots * 2;
  prints_.assign(file_slots_, 0);
  if (::ftruncate(fd_, static_cast<off_t>(file_slots_ * sizeof(std::uint64_t))) != 0) {
    ::close(old);
    return fail("sizing");
  }
  const std::size_t before = size_;
  size_ -= before - wide_.size();
  std::vector<std::uint64_t> chunk(8192);
  for (std::size_t at = 0; at < old_slots; at += chunk.size()) {
    const std::size_t n = std::min(chunk.size(), old_slots - at);
    if (::pread(old, chunk.data(), n * sizeof(std::uint64_t), static_cast<off_t>(at * sizeof(std::uint64_t))) !=
        static_cast<ssize_t>(n * sizeof(std::uint64_t))) {
      ::close(old);
      return fail("reading");
    }
    for (std::size_t i = 0; i < n; ++i)
      if (chunk[i] != 0 && !file_insert(static_cast<std::uint32_t>(chunk[i] >> 32), where_of(chunk[i])) &&
          !fault_.empty()) {
        ::close(old);
        return false;
      }
  }
  ::close(old);
  return size_ == before || fail("growing");
}

std::optional<SeenNumbers::Where> SeenNumbers::file_insert(std::uint32_t key, Where where) {
  if ((size_ + 1) * 10 > file_slots_ * 7 && !file_grow()) return std::nullopt;
  const std::size_t mask = file_slots_ - 1;
  // The slots' fingerprints are in memory: a number is read back from the file only when its
  // fingerprint is met on its probe path (a repeat, or 1 in 255 by chance), and a new one
  // costs one write.
  const std::uint8_t print = fingerprint(key);
  std::size_t i = mix(key) & mask;
  for (; prints_[i] != 0; i = (i + 1) & mask) {
    if (prints_[i] != print) continue;
    std::uint64_t slot = 0;
    if (::pread(fd_, &slot, sizeof slot, static_cast<off_t>(i * sizeof slot)) != static_cast<ssize_t>(sizeof slot)) {
      fail("reading");
      return std::nullopt;
    }
    if (static_cast<std::uint32_t>(slot >> 32) == key) return where_of(slot);
  }
  const std::uint64_t slot = pack(key, where);
  if (::pwrite(fd_, &slot, sizeof slot, static_cast<off_t>(i * sizeof slot)) != static_cast<ssize_t>(sizeof slot)) {
    fail("writing");
    return std::nullopt;
  }
  prints_[i] = print;
  ++size_;
  return std::nullopt;
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
  std::size_t n = prints_.capacity();
  for (const auto& s : segments_) n += s.slots.capacity() * sizeof(std::uint64_t);
  return n;
}

std::size_t SeenNumbers::largest_segment_bytes() const {
  std::size_t n = 0;
  for (const auto& s : segments_) n = std::max(n, s.slots.capacity() * sizeof(std::uint64_t));
  return n;
}

}  // namespace loa::jobs
