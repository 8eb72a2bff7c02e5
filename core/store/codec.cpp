// Packing and unpacking of message values (layout in codec.h).
#include "core/store/codec.h"

#include <charconv>

namespace loa::store {

namespace {
/// A field that is not last must not hold the separator.
void append_field(std::string& out, std::string_view v) {
  for (char c : v) out.push_back(c == kFieldSeparator ? ' ' : c);
  out.push_back(kFieldSeparator);
}
void append_time(std::string& out, std::int64_t ms) {
  if (ms != 0) out += std::to_string(ms);
  out.push_back(kFieldSeparator);
}
std::int64_t number(std::string_view s) {
  std::int64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}
template <typename E>
std::string_view at(const auto& fields, E e) {
  return fields[static_cast<std::size_t>(e)];
}
}  // namespace

std::string pack(const MessageData& d) { return pack(d, d.queued_at); }

std::string pack(const MessageData& d, std::int64_t queued_at) {
  std::string out;
  out.reserve(d.ward.size() + d.row.size() + d.name.size() + d.phone.size() + d.route.size() + d.area.size() +
              d.stt.size() + d.text.size() + 24);
  for (const std::string* f : {&d.ward, &d.row, &d.name, &d.phone}) append_field(out, *f);
  append_field(out, d.unicode ? "1" : "0");
  append_field(out, d.route);
  append_time(out, queued_at);
  append_field(out, d.area);
  append_field(out, d.stt);
  out += d.text;
  return out;
}

std::string pack(const MessageProgress& p) {
  std::string out;
  append_field(out, p.state ? jobs::name(*p.state) : "");
  append_field(out, std::to_string(p.attempts));
  append_field(out, p.provider);
  append_field(out, p.owner);
  for (auto t : {p.taken_at, p.sent_at, p.done_at}) append_time(out, t);
  append_field(out, p.provider_id);
  append_time(out, p.report_at);
  out += p.error;
  return out;
}

std::string initial_progress(jobs::MessageState state, std::string_view error) {
  std::string out(jobs::name(state));
  out.append(kProgressFieldNames.size() - 1, kFieldSeparator);
  out += error;
  return out;
}

std::optional<MessageData> unpack_data(std::string_view v) {
  bool complete = false;
  auto f = split_fields<kDataFieldNames.size()>(v, &complete);
  if (!complete) return std::nullopt;
  using F = DataField;
  return MessageData{std::string(at(f, F::ward)),  std::string(at(f, F::row)),   std::string(at(f, F::name)),
                     std::string(at(f, F::phone)), at(f, F::unicode) == "1",     std::string(at(f, F::route)),
                     number(at(f, F::queued_at)),  std::string(at(f, F::area)), std::string(at(f, F::stt)),
                     std::string(at(f, F::text))};
}

MessageProgress unpack_progress(std::string_view v) {
  auto f = split_fields<kProgressFieldNames.size()>(v);
  using F = ProgressField;
  MessageProgress p;
  p.state = jobs::message_state(at(f, F::state));
  p.attempts = static_cast<int>(number(at(f, F::attempts)));
  p.provider = at(f, F::provider);
  p.owner = at(f, F::owner);
  p.taken_at = number(at(f, F::taken_at));
  p.sent_at = number(at(f, F::sent_at));
  p.done_at = number(at(f, F::done_at));
  p.provider_id = at(f, F::provider_id);
  p.report_at = number(at(f, F::report_at));
  p.error = at(f, F::error);
  return p;
}

}  // namespace loa::store
