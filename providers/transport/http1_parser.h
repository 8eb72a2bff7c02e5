// The HTTP/1.1 response parser of Loa's own client: a byte stream in, one response out,
// with limits on head and body; split from the client so it is tested and fuzzed alone
// (tests/providers/http1_parser_test.cpp, tests/fuzz/http1_fuzz.cpp).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace loa::transport {

/// One HTTP/1.1 response, parsed from bytes as they arrive (split anywhere).
class ResponseParser {
 public:
  static constexpr std::size_t kMaxHead = 64 * 1024;
  static constexpr std::size_t kMaxBody = 1024 * 1024;

  /// Takes the next bytes of the stream.
  void feed(std::string_view data);
  /// The peer closed the stream: ends a body that runs until then, else an error.
  void end_of_stream();
  bool done() const { return state_ == State::Done; }
  bool failed() const { return state_ == State::Failed; }
  /// Why it failed.
  const std::string& error() const { return error_; }
  /// Whether any byte has come.
  bool started() const { return started_; }

  long status = 0;
  std::string body;
  std::optional<std::int64_t> retry_after_ms;
  std::optional<std::int64_t> rate_limit_reset_ms;
  /// Whether the connection may carry another request after this answer.
  bool keep_alive = true;

 private:
  enum class State { Head, Length, ChunkSize, ChunkData, ChunkEnd, Trailers, UntilClose, Done, Failed };
  void run();
  bool step(std::size_t& used);
  bool body_bytes(std::string_view rest, std::size_t& used, State next);
  bool head(std::string_view head);
  void fail(std::string why);
  void append_body(std::string_view data);
  State state_ = State::Head;
  std::string buf_;      ///< bytes taken in and not yet used
  std::size_t left_ = 0; ///< body or chunk bytes still to come
  std::string error_;
  bool started_ = false;
};

/// Case-insensitive ASCII comparison (header names).
bool iequals(std::string_view a, std::string_view b);

}  // namespace loa::transport
