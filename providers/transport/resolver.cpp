// Lookups on threads of their own, results kept and refreshed.
#include "providers/transport/resolver.h"

#include <netdb.h>

#include <cstring>
#include <thread>

#include "core/util/time.h"

namespace loa::transport {

std::shared_ptr<Resolver::Lookup> Resolver::start(const std::string& host, std::uint16_t port) {
  auto lookup = std::make_shared<Lookup>();
  // Detached: a lookup stuck in a dead DNS server must not hold up a dispatcher's stop.
  std::thread([lookup, host, port] {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_ADDRCONFIG | AI_NUMERICSERV;
    addrinfo* list = nullptr;
    const int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &list);
    if (rc != 0) {
      lookup->error = "cannot find " + host + ": " + ::gai_strerror(rc);
    } else {
      for (addrinfo* a = list; a; a = a->ai_next) {
        if (a->ai_addrlen > sizeof(sockaddr_storage)) continue;
        Address out;
        std::memcpy(&out.addr, a->ai_addr, a->ai_addrlen);
        out.len = a->ai_addrlen;
        lookup->found.push_back(out);
      }
      ::freeaddrinfo(list);
      if (lookup->found.empty()) lookup->error = "cannot find " + host + ": no address";
    }
    lookup->done.store(true, std::memory_order_release);
  }).detach();
  return lookup;
}

Resolver::State Resolver::lookup(const std::string& host, std::uint16_t port, Address& out, std::string& error) {
  Name& n = names_[host + ":" + std::to_string(port)];
  const std::int64_t now = util::steady_ms();
  if (n.running && n.running->done.load(std::memory_order_acquire)) {
    if (n.running->error.empty()) {
      n.addresses = std::move(n.running->found);
      n.error.clear();
      n.next = 0;
    } else if (n.addresses.empty()) {
      n.error = std::move(n.running->error);
    }  // (a refresh that failed keeps the addresses it had)
    n.at = now;
    n.running.reset();
  }
  const bool stale = n.at == 0 || now - n.at >= (n.addresses.empty() ? kRetryFailedMs : kFreshMs);
  if (stale && !n.running) n.running = start(host, port);
  if (!n.addresses.empty()) {
    out = n.addresses[n.next++ % n.addresses.size()];
    out.of = n.addresses.size();
    return State::ready;
  }
  if (n.running && n.error.empty()) return State::pending;  // the first lookup
  error = n.error;
  return State::failed;
}

bool Resolver::waiting() const {
  for (const auto& [key, n] : names_)
    if (n.running && n.addresses.empty() && !n.running->done.load(std::memory_order_acquire)) return true;
  return false;
}

}  // namespace loa::transport
