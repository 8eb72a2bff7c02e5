// Packing and unpacking of message values (layout in codec.h).
#include "core/store/codec.h"

#include <algorithm>
#include <charconv>

namespace loa::store {

namespace {
/// A field that is not last must not hold the separator.
void append_field(std::string& out, std::string_view v) {
  for (char c : v) out.push_back(c == kFieldSeparator ? ' ' : c);
  out.push_back(kFieldSeparator);
}
void append_number(std::string& out, std::int64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}
/// A time relative to `epoch`, or nothing when not reached.
void append_time(std::string& out, std::int64_t ms, std::int64_t epoch) {
  if (ms != 0) append_number(out, ms - epoch);
  out.push_back(kFieldSeparator);
}
std::int64_t number(std::string_view s) {
  std::int64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}
/// A stored time (relative to `epoch`); 0, "not reached", when empty or out of range (a
/// damaged value must not overflow).
std::int64_t time_of(std::string_view s, std::int64_t epoch) {
  std::int64_t t = 0;
  if (s.empty() || __builtin_add_overflow(epoch, number(s), &t)) return 0;
  return t;
}
template <typename E>
std::string_view at(const auto& fields, E e) {
  return fields[static_cast<std::size_t>(e)];
}
/// "<length>:<bytes>".
void append_item(std::string& out, std::string_view item) {
  append_number(out, static_cast<std::int64_t>(item.size()));
  out.push_back(':');
  out += item;
}
/// The next netstring of `v` (advanced past it); nullopt when malformed.
std::optional<std::string_view> next_item(std::string_view& v) {
  auto colon = v.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 10) return std::nullopt;
  std::size_t n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + colon, n);
  if (ec != std::errc() || end != v.data() + colon || n > v.size() - colon - 1) return std::nullopt;
  auto item = v.substr(colon + 1, n);
  v.remove_prefix(colon + 1 + n);
  return item;
}
}  // namespace

std::string pack_chunk(std::int64_t queued_at, const MessageData* const* rows, std::size_t n) {
  // The reference: the chunk's first text (skipped rows have none).
  std::string_view ref;
  for (std::size_t i = 0; i < n && ref.empty(); ++i) ref = rows[i]->text;
  std::string out, record;
  append_number(out, queued_at);
  out.push_back(kFieldSeparator);
  append_item(out, ref);
  for (std::size_t i = 0; i < n; ++i) {
    const MessageData& d = *rows[i];
    record.clear();
    for (const std::string* f : {&d.ward, &d.row, &d.name, &d.phone}) append_field(record, *f);
    append_field(record, d.unicode ? "1" : "0");
    append_field(record, d.route);
    append_field(record, d.area);
    append_field(record, d.stt);
    // What the text shares with the reference at each end (never overlapping).
    std::string_view t(d.text);
    std::size_t p = std::mismatch(t.begin(), t.end(), ref.begin(), ref.end()).first - t.begin();
    std::size_t most = std::min(t.size(), ref.size()) - p, s = 0;
    while (s < most && t[t.size() - 1 - s] == ref[ref.size() - 1 - s]) ++s;
    append_number(record, static_cast<std::int64_t>(p));
    record.push_back(kFieldSeparator);
    append_number(record, static_cast<std::int64_t>(s));
    record.push_back(kFieldSeparator);
    record += t.substr(p, t.size() - p - s);
    append_item(out, record);
  }
  return out;
}

ChunkReader::ChunkReader(std::string_view v) {
  auto sep = v.find(kFieldSeparator);
  if (sep == std::string_view::npos) return;
  queued_at_ = number(v.substr(0, sep));
  v.remove_prefix(sep + 1);
  auto ref = next_item(v);
  if (!ref) return;
  ref_ = *ref;
  while (!v.empty()) {
    auto r = next_item(v);
    if (!r || records_.size() == static_cast<std::size_t>(kChunkSize)) return;
    records_.push_back(*r);
  }
  ok_ = true;
}

std::optional<std::array<std::string_view, kDataFieldNames.size()>> ChunkReader::fields(std::size_t k) const {
  if (!ok_ || k >= records_.size()) return std::nullopt;
  bool complete = false;
  auto f = split_fields<kDataFieldNames.size()>(records_[k], &complete);
  if (!complete) return std::nullopt;
  const auto p = static_cast<std::size_t>(number(at(f, DataField::prefix)));
  const auto s = static_cast<std::size_t>(number(at(f, DataField::suffix)));
  if (p > ref_.size() || s > ref_.size() - p) return std::nullopt;
  return f;
}

std::string ChunkReader::text(const std::array<std::string_view, kDataFieldNames.size()>& f) const {
  const auto p = static_cast<std::size_t>(number(at(f, DataField::prefix)));
  const auto s = static_cast<std::size_t>(number(at(f, DataField::suffix)));
  std::string out;
  const auto middle = at(f, DataField::middle);
  out.reserve(p + middle.size() + s);
  out.append(ref_.substr(0, p));
  out.append(middle);
  out.append(ref_.substr(ref_.size() - s));
  return out;
}

std::optional<std::vector<MessageData>> unpack_chunk(std::string_view v) {
  ChunkReader c(v);
  if (!c.ok()) return std::nullopt;
  std::vector<MessageData> out;
  out.reserve(c.size());
  for (std::size_t k = 0; k < c.size(); ++k) {
    auto f = c.fields(k);
    if (!f) return std::nullopt;
    using F = DataField;
    out.push_back(MessageData{std::string(at(*f, F::ward)), std::string(at(*f, F::row)), std::string(at(*f, F::name)),
                              std::string(at(*f, F::phone)), at(*f, F::unicode) == "1", std::string(at(*f, F::route)),
                              c.queued_at(), std::string(at(*f, F::area)), std::string(at(*f, F::stt)), c.text(*f)});
  }
  return out;
}

std::string pack(const MessageProgress& p, std::int64_t epoch) {
  std::string out;
  append_field(out, p.state ? jobs::name(*p.state) : "");
  append_field(out, std::to_string(p.attempts));
  append_field(out, p.provider);
  append_field(out, p.lease);
  for (auto t : {p.taken_at, p.sent_at, p.done_at}) append_time(out, t, epoch);
  append_field(out, p.provider_id);
  append_time(out, p.report_at, epoch);
  out += p.error;
  return out;
}

std::string initial_progress(jobs::MessageState state, std::string_view error) {
  std::string out(jobs::name(state));
  out.append(kProgressFieldNames.size() - 1, kFieldSeparator);
  out += error;
  return out;
}

MessageProgress unpack_progress(std::string_view v, std::int64_t epoch) {
  auto f = split_fields<kProgressFieldNames.size()>(v);
  using F = ProgressField;
  MessageProgress p;
  p.state = jobs::message_state(at(f, F::state));
  p.attempts = static_cast<int>(number(at(f, F::attempts)));
  p.provider = at(f, F::provider);
  p.lease = at(f, F::lease);
  p.taken_at = time_of(at(f, F::taken_at), epoch);
  p.sent_at = time_of(at(f, F::sent_at), epoch);
  p.done_at = time_of(at(f, F::done_at), epoch);
  p.provider_id = at(f, F::provider_id);
  p.report_at = time_of(at(f, F::report_at), epoch);
  p.error = at(f, F::error);
  return p;
}

}  // namespace loa::store
