// Parsing an HTTP/1.1 response as its bytes arrive.
#include "providers/transport/http1_parser.h"
#include "core/util/strings.h"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "core/util/time.h"
#include "providers/transport/transport.h"

namespace loa::transport {

// Header names and tokens are ASCII: folded without the locale (std::tolower takes no
// negative char, which a peer's bytes over 0x7F would give it).
bool iequals(std::string_view a, std::string_view b) {
  constexpr auto fold = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [&](char x, char y) { return fold(x) == fold(y); });
}

namespace {
bool contains_token(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    auto comma = list.find(',');
    if (iequals(util::trimmed(list.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}
}  // namespace

void ResponseParser::feed(std::string_view data) {
  if (data.empty() || done() || failed()) return;
  started_ = true;
  buf_.append(data);
  run();
}

void ResponseParser::end_of_stream() {
  if (state_ == State::UntilClose) {
    append_body(buf_);
    buf_.clear();
    if (!failed()) state_ = State::Done;
  } else if (!done() && !failed()) {
    fail(started_ ? "connection closed in the middle of the answer" : "connection closed before any answer");
  }
}

void ResponseParser::fail(std::string why) {
  state_ = State::Failed;
  error_ = std::move(why);
  keep_alive = false;
}

void ResponseParser::append_body(std::string_view data) {
  if (body.size() + data.size() > kMaxBody) return fail("answer's body over 1 MiB");
  body.append(data);
}

// Parses the status line and headers (without the blank line); false when it failed.
bool ResponseParser::head(std::string_view head) {
  auto eol = head.find('\n');
  std::string_view line = head.substr(0, eol);
  if (line.ends_with('\r')) line.remove_suffix(1);
  // "HTTP/1.1 200 OK"
  if (line.size() < 12 || !line.starts_with("HTTP/1.") || line[8] != ' ') {
    fail(fmt::format("not an HTTP/1.x status line: \"{}\"", line.substr(0, 40)));
    return false;
  }
  const bool http10 = line[7] == '0';
  auto [ptr, ec] = std::from_chars(line.data() + 9, line.data() + 12, status);
  if (ec != std::errc() || ptr != line.data() + 12 || status < 100 || status > 999) {
    fail(fmt::format("bad status in \"{}\"", line.substr(0, 40)));
    return false;
  }
  keep_alive = !http10;
  retry_after_ms.reset();
  rate_limit_reset_ms.reset();
  std::optional<std::size_t> length;
  bool chunked = false;
  while (eol != std::string_view::npos) {
    head.remove_prefix(eol + 1);
    eol = head.find('\n');
    line = head.substr(0, eol);
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (line.empty()) continue;
    auto colon = line.find(':');
    if (colon == std::string_view::npos) {
      fail(fmt::format("header line without a colon: \"{}\"", line.substr(0, 40)));
      return false;
    }
    std::string_view name = line.substr(0, colon), value = util::trimmed(line.substr(colon + 1));
    if (iequals(name, "Content-Length")) {
      std::size_t n = 0;
      auto [p, e] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (e != std::errc() || p != value.data() + value.size() || (length && *length != n)) {
        fail(fmt::format("bad Content-Length \"{}\"", value.substr(0, 40)));
        return false;
      }
      length = n;
    } else if (iequals(name, "Transfer-Encoding")) {
      chunked = contains_token(value, "chunked");
    } else if (iequals(name, "Connection")) {
      if (contains_token(value, "close")) keep_alive = false;
      else if (contains_token(value, "keep-alive")) keep_alive = true;
    } else if (iequals(name, "Retry-After")) {
      retry_after_ms = transport::retry_after_ms(value);
    } else if (iequals(name, "X-Rate-Limit-Reset")) {
      rate_limit_reset_ms = transport::rate_limit_reset_ms(value, util::now_ms() / 1000);
    }
  }
  if (status < 200 || status == 204 || status == 304) {
    state_ = status < 200 ? State::Head : State::Done;  // 1xx: the real answer follows
  } else if (chunked) {
    state_ = State::ChunkSize;
  } else if (length) {
    if (*length > kMaxBody) {
      fail("answer's body over 1 MiB");
      return false;
    }
    left_ = *length;
    state_ = left_ ? State::Length : State::Done;
  } else {
    keep_alive = false;  // the body runs until the connection closes
    state_ = State::UntilClose;
  }
  return true;
}

void ResponseParser::run() {
  std::size_t used = 0;
  while (step(used)) {
  }
  buf_.erase(0, used);
}

// Body or chunk bytes: up to left_ of them, then on to `next`.
bool ResponseParser::body_bytes(std::string_view rest, std::size_t& used, State next) {
  const std::size_t n = std::min(left_, rest.size());
  append_body(rest.substr(0, n));
  used += n;
  left_ -= n;
  if (failed() || left_ > 0) return false;
  state_ = next;
  return true;
}

// One step over the bytes from `used`; false when it needs more, has finished or failed.
bool ResponseParser::step(std::size_t& used) {
  const std::string_view rest = std::string_view(buf_).substr(used);
  switch (state_) {
    case State::Head: {
      auto end = rest.find("\r\n\r\n");
      std::size_t skip = 4;
      if (end == std::string_view::npos) {
        end = rest.find("\n\n");
        skip = 2;
      }
      if (end == std::string_view::npos ? rest.size() > kMaxHead : end > kMaxHead) {
        fail("answer's headers over 64 KiB");
        return false;
      }
      if (end == std::string_view::npos) return false;
      used += end + skip;
      return head(rest.substr(0, end));
    }
    case State::Length:
      return body_bytes(rest, used, State::Done);
    case State::ChunkSize: {
      auto eol = rest.find('\n');
      if (eol == std::string_view::npos) {
        if (rest.size() > 1024) fail("chunk size line over 1 KiB");
        return false;
      }
      std::string_view line = rest.substr(0, eol);
      std::size_t n = 0;
      auto [p, e] = std::from_chars(line.data(), line.data() + line.size(), n, 16);
      if (e != std::errc() || (p != line.data() + line.size() && *p != ';' && *p != '\r' && *p != ' ')) {
        fail(fmt::format("bad chunk size \"{}\"", line.substr(0, 20)));
        return false;
      }
      used += eol + 1;
      left_ = n;
      state_ = n ? State::ChunkData : State::Trailers;
      return true;
    }
    case State::ChunkData:
      return body_bytes(rest, used, State::ChunkEnd);
    case State::ChunkEnd:
      if (rest.starts_with("\r\n")) used += 2;
      else if (rest.starts_with("\n")) used += 1;
      else if (rest.empty() || rest == "\r") return false;
      else {
        fail("chunk not followed by CRLF");
        return false;
      }
      state_ = State::ChunkSize;
      return true;
    case State::Trailers: {
      auto eol = rest.find('\n');
      if (eol == std::string_view::npos) return false;
      used += eol + 1;
      if (eol == 0 || rest.substr(0, eol) == "\r") state_ = State::Done;
      return true;
    }
    case State::UntilClose:
      append_body(rest);
      used = buf_.size();
      return false;
    case State::Done:
      if (!rest.empty()) keep_alive = false;  // bytes nobody asked for: do not reuse
      return false;
    case State::Failed:
      return false;
  }
  return false;
}

}  // namespace loa::transport
