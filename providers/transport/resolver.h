// Host names to addresses for the own HTTP/1.1 client, never blocking its thread: each
// lookup (getaddrinfo, so /etc/hosts and nsswitch as any program) runs on a thread of its
// own; what it found is kept for kFreshMs and then looked up again in the background while
// the old addresses still serve. A connection takes the addresses in turn.
#pragma once
#include <sys/socket.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace loa::transport {

class Resolver {
 public:
  static constexpr std::int64_t kFreshMs = 60'000;
  /// A failed lookup is tried again after this (meanwhile its requests fail at once).
  static constexpr std::int64_t kRetryFailedMs = 2'000;

  struct Address {
    sockaddr_storage addr{};
    socklen_t len = 0;
    std::size_t of = 1;  ///< how many addresses the name has
  };
  enum class State { ready, pending, failed };

  /// The next address of `host` (port `port`) in `out`; `pending` while the first lookup
  /// runs (poll again), `failed` with the words in `error`.
  State lookup(const std::string& host, std::uint16_t port, Address& out, std::string& error);
  /// Whether a first lookup is still running (the caller polls sooner meanwhile).
  bool waiting() const;

 private:
  struct Lookup {  ///< shared with its thread, which may outlive the resolver
    std::atomic<bool> done{false};
    std::vector<Address> found;
    std::string error;
  };
  struct Name {
    std::vector<Address> addresses;
    std::string error;
    std::int64_t at = 0;  ///< steady ms of the last lookup's end
    std::shared_ptr<Lookup> running;
    std::size_t next = 0;
  };
  static std::shared_ptr<Lookup> start(const std::string& host, std::uint16_t port);
  std::map<std::string, Name> names_;  ///< by "host:port"
};

}  // namespace loa::transport
