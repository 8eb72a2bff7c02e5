// The packed values a message is stored as (one field of md:<job> and one of ms:<job>,
// under the message's index), owned here for C++ and by core/store/lua/prelude.lua for the
// scripts; tests/integration/codec_test.cpp checks that both read every field alike.
//
//   md:<job> <index>  data, written once at expansion:
//     ward US row US name US phone US unicode US route US queued_at US area US stt US text
//   ms:<job> <index>  progress, rewritten at every state change, always all ten fields:
//     state US attempts US provider US owner US taken_at US sent_at US done_at US
//     provider_id US report_at US error
//
// US is the unit separator (0x1F); a field that is not last never holds it (it becomes a
// space), the last (text, error) may hold anything. Times are Unix milliseconds, empty
// when not reached; unicode is 1 or 0; route lists providers in failover order.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/jobs/states.h"

namespace loa::store {

inline constexpr char kFieldSeparator = '\x1f';

enum class DataField { ward, row, name, phone, unicode, route, queued_at, area, stt, text };
inline constexpr std::array<std::string_view, 10> kDataFieldNames = {"ward",  "row",       "name", "phone", "unicode",
                                                                     "route", "queued_at", "area", "stt",   "text"};
enum class ProgressField { state, attempts, provider, owner, taken_at, sent_at, done_at, provider_id, report_at, error };
inline constexpr std::array<std::string_view, 10> kProgressFieldNames = {
    "state", "attempts", "provider", "owner", "taken_at", "sent_at", "done_at", "provider_id", "report_at", "error"};

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

/// Where a message stands.
struct MessageProgress {
  std::optional<jobs::MessageState> state;  ///< nullopt for a value that is missing or not a state
  int attempts = 0;
  std::string provider, owner;
  std::int64_t taken_at = 0, sent_at = 0, done_at = 0;
  std::string provider_id;
  std::int64_t report_at = 0;
  std::string error;
};

std::string pack(const MessageData& d);
/// The same with another queued-at time (expansion stamps it as it writes, without a copy).
std::string pack(const MessageData& d, std::int64_t queued_at);
std::string pack(const MessageProgress& p);
/// The data packed in `v`; nullopt when a field is missing.
std::optional<MessageData> unpack_data(std::string_view v);
/// The progress packed in `v`; a missing or malformed value reads as empty progress.
MessageProgress unpack_progress(std::string_view v);
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
