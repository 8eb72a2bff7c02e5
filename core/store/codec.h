// How a job's messages are stored, owned here for C++ and by core/store/lua/prelude.lua for
// the scripts; tests/integration/codec_test.cpp checks that both read every field alike.
// Laid out for Redis's compact encodings, so that a kept message costs well under 200 bytes
// (bench/scale.sh measures it):
//
//   md:<job>  <chunk>  the fixed data of messages 16*chunk ... 16*chunk+15, written once at
//     expansion: queued_at US ref, then each message's record, every item as a netstring
//     ("<length>:<bytes>"). ref is the first text of the chunk; a record is
//       ward US row US name US phone US unicode US route US area US stt US p US s US middle
//     and its text is ref's first p bytes, middle, and ref's last s bytes: residents of one
//     chunk get the same template and differ in a few words, so each stores only those.
//   ms:<job>:<bucket>  <index>  the progress of message `index` (bucket = index / 128:
//     small hashes, which Redis keeps as listpacks, without a hash-table entry per message),
//     rewritten at every state change, always all ten fields:
//       state US attempts US provider US lease US taken_at US sent_at US done_at US
//       provider_id US report_at US error
//     lease is the number of the take that holds a 'sending' message (empty otherwise).
//     Times are milliseconds since the job's epoch (its `epoch` field, set when expansion
//     starts), empty when not reached: a few digits where a Unix time takes thirteen.
//
// US is the unit separator (0x1F); a field that is not last never holds it (it becomes a
// space), the last (middle, error) may hold anything. unicode is 1 or 0; route lists
// providers in failover order.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/jobs/states.h"

namespace loa::store {

inline constexpr char kFieldSeparator = '\x1f';
/// Messages per data chunk (one field of md:<job>), and per progress bucket (one
/// ms:<job>:<bucket> hash: at most Redis's default hash-max-listpack-entries, 128).
inline constexpr std::int64_t kChunkSize = 16;
inline constexpr std::int64_t kBucketSize = 128;

enum class DataField { ward, row, name, phone, unicode, route, area, stt, prefix, suffix, middle };
inline constexpr std::array<std::string_view, 11> kDataFieldNames = {
    "ward", "row", "name", "phone", "unicode", "route", "area", "stt", "prefix", "suffix", "middle"};
enum class ProgressField { state, attempts, provider, lease, taken_at, sent_at, done_at, provider_id, report_at, error };
inline constexpr std::array<std::string_view, 10> kProgressFieldNames = {
    "state", "attempts", "provider", "lease", "taken_at", "sent_at", "done_at", "provider_id", "report_at", "error"};

/// A message's fixed data.
struct MessageData {
  std::string ward, row, name, phone;
  bool unicode = false;
  std::string route;
  std::int64_t queued_at = 0;
  std::string area;  ///< the row's khóm/ấp, for reports
  std::string stt;   ///< the list's own row number (an STT column), for reports
  std::string text;
};

/// Where a message stands. Times are Unix milliseconds (0: not reached).
struct MessageProgress {
  std::optional<jobs::MessageState> state;  ///< nullopt for a value that is missing or not a state
  int attempts = 0;
  std::string provider;
  std::string lease;  ///< the take holding it while 'sending'
  std::int64_t taken_at = 0, sent_at = 0, done_at = 0;
  std::string provider_id;
  std::int64_t report_at = 0;
  std::string error;
};

/// The chunk holding message `index`, and the bucket holding its progress.
constexpr std::int64_t chunk_of(std::int64_t index) { return index / kChunkSize; }
constexpr std::int64_t bucket_of(std::int64_t index) { return index / kBucketSize; }

/// The md:<job> value of consecutive messages (at most kChunkSize, the first at a multiple
/// of it), queued at `queued_at`.
std::string pack_chunk(std::int64_t queued_at, const MessageData* const* rows, std::size_t n);
/// The messages of a chunk value, in order; nullopt when it is malformed.
std::optional<std::vector<MessageData>> unpack_chunk(std::string_view v);

/// The send path's view of one message of a chunk: its record's fields, and its text
/// rebuilt into `text`. False when the chunk has no such message or is malformed.
struct ChunkReader {
  explicit ChunkReader(std::string_view v);
  bool ok() const { return ok_; }
  std::int64_t queued_at() const { return queued_at_; }
  std::size_t size() const { return records_.size(); }
  /// The record's fields (kDataFieldNames), nullopt when malformed.
  std::optional<std::array<std::string_view, kDataFieldNames.size()>> fields(std::size_t k) const;
  /// The text of a record's fields.
  std::string text(const std::array<std::string_view, kDataFieldNames.size()>& f) const;

 private:
  bool ok_ = false;
  std::int64_t queued_at_ = 0;
  std::string_view ref_;
  std::vector<std::string_view> records_;
};

/// Progress packed with times relative to `epoch`, and read back.
std::string pack(const MessageProgress& p, std::int64_t epoch);
/// The progress packed in `v`; a missing or malformed value reads as empty progress.
MessageProgress unpack_progress(std::string_view v, std::int64_t epoch);
/// A new message's progress: `state` and an error, nothing else yet.
std::string initial_progress(jobs::MessageState state, std::string_view error);

/// The N separated fields of a packed value (missing ones empty); `complete` says none was
/// missing. For codec tests and the readers above.
template <std::size_t N>
std::array<std::string_view, N> split_fields(std::string_view v, bool* complete = nullptr) {
  std::array<std::string_view, N> f{};
  std::size_t i = 0;
  for (; i + 1 < N; ++i) {
    auto end = v.find(kFieldSeparator);
    if (end == std::string_view::npos) break;
    f[i] = v.substr(0, end);
    v.remove_prefix(end + 1);
  }
  f[i] = v;
  if (complete) *complete = i + 1 == N;
  return f;
}

}  // namespace loa::store
