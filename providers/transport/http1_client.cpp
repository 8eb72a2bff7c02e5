// HTTP/1.1 over keep-alive connections on one epoll, plain or through TLS.
#include "providers/transport/http1_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>

#include <fmt/format.h>

#include "core/util/time.h"
#include "core/util/encoding.h"
#include "providers/transport/http1_connection.h"
#include "providers/transport/http1_target.h"

namespace loa::transport {

namespace {


/// How long a kept-alive connection sits idle before it is checked for a close by the
/// server before reuse. Servers close idle connections after seconds (nginx 75 s,
/// Apache 5 s); one that closes within this time costs at most an `unknown`, never a
/// second send.
constexpr std::int64_t kCheckIdleAfterMs = 500;

/// New connections that may be opening at once before any has carried an answer. The
/// allowance then grows with the connections that have (doubling each round trip, as TCP's
/// slow start), so a job's start never opens max_in_flight connections in one burst: a
/// burst overflows a server's listen backlog (cpp-httplib's is 5), and the requests
/// written on the connections it dropped wait unanswered past their timeout.
constexpr std::size_t kRampStart = 8;

/// Whether an idle kept-alive connection is still usable: nothing to read (no end of
/// stream, no error, no stray bytes).
bool still_open(int fd) {
  char byte;
  ssize_t n = ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

/// Where a URL's requests go: the address, the Host header, the request target.

}  // namespace


Http1Client::Http1Client(int max_connections, std::string ca_file)
    : epoll_(epoll_create1(EPOLL_CLOEXEC)),
      max_connections_(static_cast<std::size_t>(std::max(1, max_connections))),
      window_(std::min(kFirstWindow, max_connections_)),
      ca_file_(std::move(ca_file)) {}

Http1Client::~Http1Client() {
  for (const Connection& c : open_) {
    if (c.ssl) tls_free(c.ssl);
    ::close(c.fd);
  }
  for (auto& [key, session] : sessions_) tls_free(session);
  if (epoll_ >= 0) ::close(epoll_);
}

bool Http1Client::handles(std::string_view url) { return parse_url(url).has_value(); }

void Http1Client::add(std::uint64_t tag, const HttpRequest& req, int timeout_ms) {
  if (requests_ == 0 && util::steady_ms() - idle_since_ >= kIdleRestartMs) window_ = std::min(kFirstWindow, max_connections_);
  ++requests_;
  auto target = parse_url(req.url);
  if (!target) {
    HttpResponse r;
    r.transport_error = "not an HTTP(S) URL with a numeric address: " + req.url;
    complete(tag, std::move(r));
    return;
  }
  Request q;
  q.tag = tag;
  q.origin = target->origin;
  q.key = (target->tls ? "https://" : "http://") + target->origin;
  q.host = std::move(target->host);
  q.tls = target->tls;
  q.addr = target->addr;
  q.addr_len = target->addr_len;
  q.port = target->port;
  q.timeout_ms = timeout_ms;
  q.deadline = util::steady_ms() + timeout_ms;
  const bool get = req.method == "GET";
  std::string& b = q.bytes;
  b.reserve(160 + target->path.size() + req.body.size());
  b.append(get ? "GET " : "POST ").append(target->path).append(" HTTP/1.1\r\nHost: ").append(target->origin);
  b.append("\r\n");
  bool accept = false;
  for (const auto& [k, v] : req.headers) {
    b.append(k).append(": ").append(v).append("\r\n");
    accept |= iequals(k, "Accept");
  }
  if (!accept) b.append("Accept: */*\r\n");
  if (!req.basic_auth.empty()) b.append("Authorization: Basic ").append(util::base64(req.basic_auth)).append("\r\n");
  if (!get) b.append("Content-Length: ").append(std::to_string(req.body.size())).append("\r\n\r\n").append(req.body);
  else b.append("\r\n");
  start(std::move(q));
}

// On an idle connection to its origin, else a new one, else in the queue.
void Http1Client::start(Request req, bool again) {
  auto it = idle_.find(req.key);
  // An idle connection the server has closed since (or sent stray bytes on) is given up
  // before a request is written to it: once written, a request could not be sent again
  // and would come back `unknown`. poll() drops the ones it sees stir; the check here
  // (a syscall) is for connections idle long enough for a server's keep-alive timeout.
  const std::int64_t now = util::steady_ms();
  while (it != idle_.end() && !it->second.empty() && now - it->second.back()->idle_since >= kCheckIdleAfterMs &&
         !still_open(it->second.back()->fd)) {
    Connection* dead = it->second.back();
    it->second.pop_back();
    close(dead);
  }
  if (it != idle_.end() && !it->second.empty()) {
    Connection* c = it->second.back();
    it->second.pop_back();
    assign(c, std::move(req));
  } else if (may_open()) {
    open_for(std::move(req));
  } else if (connections_ >= max_connections_ && !idle_.empty() && unproven_ < ramp()) {
    // At the cap with idle connections to other origins: give one up.
    for (auto& [origin, list] : idle_)
      if (!list.empty()) {
        Connection* c = list.front();
        list.erase(list.begin());
        close(c);
        break;
      }
    if (may_open()) open_for(std::move(req));
    else wait(std::move(req), again);
  } else {
    wait(std::move(req), again);
  }
}

std::size_t Http1Client::ramp() const { return std::max(kRampStart, connections_ - unproven_); }

bool Http1Client::may_open() const { return connections_ < max_connections_ && unproven_ < ramp(); }

// A request that found nothing free waits its turn; one taken from the queue that still
// finds nothing goes back to where it was.
void Http1Client::wait(Request req, bool again) {
  if (again) waiting_.push_front(std::move(req));
  else waiting_.push_back(std::move(req));
}

void Http1Client::open_for(Request req) {
  if (req.addr_len == 0 || req.named) {
    // A host name: the next of its addresses, once found (the request waits meanwhile).
    req.named = true;
    Resolver::Address a;
    std::string error;
    switch (resolver_.lookup(req.host, req.port, a, error)) {
      case Resolver::State::pending: resolving_.push_back(std::move(req)); return;
      case Resolver::State::failed: {
        HttpResponse r;
        r.transport_error = error;
        complete(req.tag, std::move(r));
        return;
      }
      case Resolver::State::ready:
        req.addr = a.addr;
        req.addr_len = a.len;
        if (!req.looked_up) req.other_addresses = a.of - 1;
        req.looked_up = true;
        break;
    }
  }
  int fd = ::socket(req.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    HttpResponse r;
    r.transport_error = fmt::format("socket for {}: {}", req.origin, std::strerror(errno));
    complete(req.tag, std::move(r));
    return;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  ::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
  Connection* c = &open_.emplace_back();
  c->self = std::prev(open_.end());
  c->fd = fd;
  c->origin = req.origin;
  c->key = req.key;
  ++connections_;
  ++unproven_;
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP;
  ev.data.ptr = c;
  c->writing = true;
  ::epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev);
  c->req = std::move(req);
  c->has_request = true;
  // A connect gets at most 5 s of the request's time, as with libcurl.
  c->opened_at = util::steady_ms();
  c->connect_deadline = std::min(c->req.deadline, c->opened_at + std::min<std::int64_t>(c->req.timeout_ms, 5000));
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&c->req.addr), c->req.addr_len) == 0) {
    connected(c);
  } else if (errno != EINPROGRESS) {
    fail(c, fmt::format("connect to {}: {}", c->origin, std::strerror(errno)));
  }
}

// The request on `c` failed. A kept-alive connection that took none of its bytes (the
// server had closed it) gets the request once more on a fresh connection. Once any byte
// was written the request may have been read and acted on, whatever the connection's
// history: the caller learns that it was written and never gets a silent second send.
void Http1Client::fail(Connection* c, const std::string& error, bool timed_out) {
  Request req = std::move(c->req);
  const bool written = c->written > 0 || c->write_begun;
  const bool stale = c->used && !written && !timed_out && !req.resent;
  // A name with more addresses whose connection was refused or unreachable (nothing of
  // the request went): the next address.
  const bool next_address = req.named && c->connecting && !c->ssl && !written && req.other_addresses > 0;
  c->has_request = false;
  close(c);
  if (next_address) {
    --req.other_addresses;
    open_for(std::move(req));
    return;
  }
  if (stale) {
    req.resent = true;
    if (may_open()) open_for(std::move(req));
    else start(std::move(req));
    return;
  }
  HttpResponse r;
  r.transport_error = error;
  r.request_sent = written;
  r.timed_out = timed_out;
  complete(req.tag, std::move(r));
  start_waiting();
}

// A connection came free, went, or carried its first answer (the ramp grew): the
// longest-waiting requests take what is free now. Not re-entered: a request failing at once
// comes back here from fail(), and the loop below carries on instead.
void Http1Client::start_waiting() {
  if (starting_waiting_) return;
  starting_waiting_ = true;
  while (!waiting_.empty()) {
    const std::size_t before = waiting_.size();
    Request next = std::move(waiting_.front());
    waiting_.pop_front();
    start(std::move(next), true);
    if (waiting_.size() >= before) break;  // it went back: nothing is free
  }
  starting_waiting_ = false;
}

// Deleted only at the end of poll(): an event for it may still be in hand, and a new
// connection must not take its address meanwhile.
void Http1Client::close(Connection* c) {
  ::epoll_ctl(epoll_, EPOLL_CTL_DEL, c->fd, nullptr);
  if (c->ssl) tls_free(c->ssl);
  c->ssl = nullptr;
  ::close(c->fd);
  c->fd = -1;
  closed_.splice(closed_.end(), open_, c->self);
  --connections_;
  if (!c->used) --unproven_;
}

// Every request ends here, and moves the ramp: answered in time widens the window, anything
// else (refused, timed out, lost, set up slowly) narrows it.
void Http1Client::complete(std::uint64_t tag, HttpResponse response, bool slow_setup) {
  window_ = next_window(window_, max_connections_, response.status > 0, slow_setup);
  done_.emplace_back(tag, std::move(response));
}

std::vector<std::pair<std::uint64_t, HttpResponse>> Http1Client::poll(int timeout_ms, int also_fd) {
  if (!done_.empty()) timeout_ms = 0;
  const std::int64_t now = util::steady_ms();
  for (const Connection& c : open_)
    if (c.has_request) timeout_ms = static_cast<int>(std::clamp<std::int64_t>(c.deadline() - now, 0, timeout_ms));
  for (const Request& q : waiting_) timeout_ms = static_cast<int>(std::clamp<std::int64_t>(q.deadline - now, 0, timeout_ms));
  if (!resolving_.empty()) timeout_ms = std::min(timeout_ms, kResolvingPollMs);
  // The extra fd is watched only during this call: it may be closed and its number reused
  // before the next.
  if (also_fd >= 0) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = nullptr;
    ::epoll_ctl(epoll_, EPOLL_CTL_ADD, also_fd, &ev);
  }
  epoll_event events[128];
  int n = ::epoll_wait(epoll_, events, 128, timeout_ms);
  if (also_fd >= 0) ::epoll_ctl(epoll_, EPOLL_CTL_DEL, also_fd, nullptr);
  // A connection closed while handling one event may appear in a later one (closed ones
  // are freed only at the end of this call).
  for (int i = 0; i < n; ++i) {
    auto* c = static_cast<Connection*>(events[i].data.ptr);
    if (!c || c->fd < 0) continue;
    if (!c->has_request) {
      // An idle connection stirred: the server closed it (or sent what nobody asked for).
      std::erase(idle_[c->key], c);
      close(c);
      continue;
    }
    const auto ev = events[i].events;
    if (c->connecting && c->ssl) {
      handshake(c);
      continue;
    }
    if (c->connecting) {
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err) {
        fail(c, fmt::format("connect to {}: {}", c->origin, std::strerror(err)));
        continue;
      }
      if (!(ev & EPOLLOUT)) continue;
      connected(c);
      continue;
    }
    if (c->ssl) {
      // TLS: a write or read may want the other way; each event retries what is pending.
      if (c->written < c->req.bytes.size()) write(c);
      if (c->fd < 0 || c->written < c->req.bytes.size()) continue;
      if (ev & EPOLLOUT) watch(c, false);
      read(c);
      continue;
    }
    if (ev & EPOLLOUT) {
      if (c->written < c->req.bytes.size()) {
        write(c);
        if (c->fd < 0) continue;  // it failed and was closed
      }
      if (c->written == c->req.bytes.size()) watch(c, false);
    }
    if (ev & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) read(c);
  }
  // Requests out of time.
  const std::int64_t later = util::steady_ms();
  // (Collected first: failing one may open or close others.)
  std::vector<Connection*> late;
  for (Connection& c : open_)
    if (c.has_request && c.deadline() <= later) late.push_back(&c);
  for (Connection* c : late) {
    if (c->fd < 0 || !c->has_request) continue;
    // Its answer may be waiting unread: more sockets were ready than one wait returns, or
    // the caller was held up (a slow Redis call) past the deadline. Read it before calling
    // the request late (an answer completes it, and the connection may take the next one).
    if (!c->connecting && c->written == c->req.bytes.size()) {
      const std::uint64_t tag = c->req.tag;
      read(c);
      if (c->fd < 0 || !c->has_request || c->req.tag != tag) continue;
    }
    fail(c, c->connecting ? fmt::format("connect to {}: no answer in time", c->origin)
                          : fmt::format("no answer from {} in {} ms", c->origin, c->req.timeout_ms),
         !c->connecting);
  }
  // Requests whose host's first lookup has ended since go on (or fail with its words).
  if (!resolving_.empty() && !resolver_.waiting()) {
    std::deque<Request> found;
    found.swap(resolving_);
    for (Request& q : found) start(std::move(q));
  }
  for (auto* queue : {&waiting_, &resolving_}) {
    for (auto it = queue->begin(); it != queue->end();) {
      if (it->deadline > later) {
        ++it;
        continue;
      }
      HttpResponse r;
      r.transport_error = queue == &waiting_ ? "no connection free in time" : "cannot find " + it->host + ": no answer in time";
      complete(it->tag, std::move(r));
      it = queue->erase(it);
    }
  }
  closed_.clear();
  std::vector<std::pair<std::uint64_t, HttpResponse>> out;
  out.swap(done_);
  requests_ -= out.size();
  if (requests_ == 0 && !out.empty()) idle_since_ = util::steady_ms();
  return out;
}

}  // namespace loa::transport
