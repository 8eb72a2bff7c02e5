// A small synchronous hiredis client: one connection, argv commands, pipelines and Lua
// scripts (EVALSHA with a reload on NOSCRIPT). One Redis object per thread.
#pragma once
#include <cstdint>
#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct redisContext;

namespace loa::store {

/// A reply, copied out of hiredis so it outlives the connection's buffers.
struct Reply {
  enum class Type { Nil, String, Integer, Array, Status, Error };
  Type type = Type::Nil;
  std::string str;  ///< String, Status and Error
  long long integer = 0;
  std::vector<Reply> elements;

  bool nil() const { return type == Type::Nil; }
  /// The string of a String or Status, the decimal of an Integer, "" otherwise.
  std::string text() const;
  /// An integer from an Integer or a numeric String; `fallback` otherwise.
  long long as_int(long long fallback = 0) const;
};

/// A Lua script and its SHA1 (computed locally, so EVALSHA needs no SCRIPT LOAD first).
/// Immutable; share freely between threads.
struct Script {
  explicit Script(std::string src);
  std::string source;
  std::string sha;
};


/// Where a Redis is, parsed once from its URL. The password is kept for AUTH alone: the
/// one text form of an address is `shown`, with the password masked, so that no error,
/// log line or answer made from a connection can carry it (docs/operations.md, "Logs").
struct RedisAddress {
  std::string host;  ///< TCP; empty for a unix socket
  int port = 6379;
  std::string path;  ///< unix socket
  std::string user, password, db;
  std::string shown;  ///< the URL, password masked

  /// redis://[[user]:password@]host[:port][/db] or unix://[[user]:password@]/path[?db=N];
  /// the error shows the URL masked.
  static std::expected<RedisAddress, std::string> parse(const std::string& url);
};

/// Whether `host` is this machine only (127.x, ::1, localhost).
/// For a TCP `url` to another machine: the address (without credentials) when that Redis
/// answers a client that gives no password, which anyone on the network could then be;
/// nullopt when it asks for one, cannot be reached, or is on loopback or a socket.
std::optional<std::string> open_to_network(const std::string& url);

/// The Redis URL a config names: `unix://<state_dir>/redis.sock` for "embedded".
std::string redis_url(const std::string& configured, const std::string& state_dir);

class Redis {
 public:
  /// Connects to redis://[[user]:password@]host:port[/db] or unix:///path[?db=N]; errors
  /// show the URL with the password masked.
  /// Errors say which address could not be reached and why.
  static std::expected<std::unique_ptr<Redis>, std::string> connect(const std::string& url, int timeout_ms = 5000);
  ~Redis();
  Redis(const Redis&) = delete;
  Redis& operator=(const Redis&) = delete;

  /// Runs one command. A Redis error reply is returned as an error string, as is a
  /// broken connection (after which the next call reconnects once).
  std::expected<Reply, std::string> command(const std::vector<std::string>& argv);

  /// Sends all commands, then reads all replies (one round trip).
  std::expected<std::vector<Reply>, std::string> pipeline(const std::vector<std::vector<std::string>>& cmds);

  /// EVALSHA; on NOSCRIPT (a restarted or flushed Redis) EVAL, which caches it again.
  std::expected<Reply, std::string> eval(const Script& script, const std::vector<std::string>& keys,
                                         const std::vector<std::string>& args);

  struct EvalCall {
    const Script* script;
    std::vector<std::string> keys;
    std::vector<std::string> args;
  };
  /// Several scripts in one round trip, run in order, in two halves so that the caller
  /// can work while Redis runs them: send_evals() writes them, receive_evals() reads their
  /// replies and fails on the first error reply. Nothing else may be sent on this
  /// connection in between.
  std::expected<void, std::string> send_evals(std::vector<EvalCall> calls);
  std::expected<std::vector<Reply>, std::string> receive_evals();
  /// Without waiting: reads what has arrived of the replies to send_evals(); true once all
  /// are here (receive_evals() then returns at once).
  std::expected<bool, std::string> evals_arrived();
  /// The connection's socket, for a caller's poll() while it waits (-1 when not connected).
  int fd() const;

  /// The address this connects to, password masked: the only form of it to show.
  const std::string& shown_url() const { return address_.shown; }

 private:
  Redis() = default;
  std::expected<void, std::string> reconnect();
  std::expected<void, std::string> append(const std::vector<std::vector<std::string>>& cmds);
  /// Queues commands already in the Redis protocol.
  std::expected<void, std::string> append_resp(const std::string& resp);
  std::expected<std::vector<Reply>, std::string> read_replies(std::size_t n);
  /// Drops a connection that failed and says why.
  std::string broken();
  RedisAddress address_;
  int timeout_ms_ = 5000;
  struct Free {
    void operator()(redisContext* c) const;
  };
  std::unique_ptr<redisContext, Free> ctx_;
  std::vector<EvalCall> sent_;  ///< sent by send_evals(), replies not read yet
  std::vector<Reply> arrived_;  ///< replies to sent_ read by evals_arrived() so far
};

}  // namespace loa::store
