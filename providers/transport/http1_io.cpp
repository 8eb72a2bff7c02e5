// The own HTTP/1.1 client's bytes on a connection: the TLS handshake, writing a request,
// reading and parsing its answer (http1_client.cpp opens, reuses and closes connections).
#include "providers/transport/http1_client.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include <fmt/format.h>

#include "core/util/time.h"
#include "providers/transport/http1_connection.h"

namespace loa::transport {

// The TCP connection is up: the request goes, or first the TLS handshake (offering the
// origin's newest session). Its time still counts as the connect's.
void Http1Client::connected(Connection* c) {
  ++counts_.connections;
  c->slow_setup = util::steady_ms() - c->opened_at > kSlowSetupMs;
  if (!c->req.tls) {
    c->connecting = false;
    watch(c, false);
    write(c);
    return;
  }
  if (!tls_) tls_ = std::make_unique<TlsContext>(ca_file_);
  auto s = sessions_.find(c->key);
  std::string error;
  c->ssl = tls_->connect(c->fd, c->req.host, s == sessions_.end() ? nullptr : s->second, error);
  if (!c->ssl) return fail(c, error);
  handshake(c);
}

void Http1Client::handshake(Connection* c) {
  std::string error;
  switch (tls_handshake(c->ssl, error)) {
    case TlsWait::readable: return watch(c, false);
    case TlsWait::writable: return watch(c, true);
    case TlsWait::failed: return fail(c, error);  // nothing of the request went
    case TlsWait::none: break;
  }
  ++(tls_resumed(c->ssl) ? counts_.tls_resumed : counts_.tls_full);
  c->slow_setup = util::steady_ms() - c->opened_at > kSlowSetupMs;
  c->tls_out_base = tls_bytes_out(c->ssl);
  c->connecting = false;
  watch(c, false);
  write(c);
}

void Http1Client::assign(Connection* c, Request req) {
  c->req = std::move(req);
  c->has_request = true;
  c->written = 0;
  c->write_begun = false;
  c->parser = ResponseParser{};
  if (c->ssl) c->tls_out_base = tls_bytes_out(c->ssl);
  write(c);
}

// (A system call only when the events change: not once per answer.)
void Http1Client::watch(Connection* c, bool writing) {
  if (c->writing == writing) return;
  c->writing = writing;
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP | (writing ? EPOLLOUT : 0u);
  ev.data.ptr = c;
  ::epoll_ctl(epoll_, EPOLL_CTL_MOD, c->fd, &ev);
}

void Http1Client::write(Connection* c) {
  const std::string& b = c->req.bytes;
  if (c->ssl) {
    while (c->written < b.size()) {
      TlsWait wait;
      std::string error;
      c->written += tls_write(c->ssl, std::string_view(b).substr(c->written), wait, error);
      // Part of a record may have gone with nothing counted yet as written: once any byte
      // reached the socket the request may be read, and is never sent again.
      c->write_begun = c->write_begun || tls_bytes_out(c->ssl) > c->tls_out_base;
      if (wait == TlsWait::failed) return fail(c, fmt::format("{} to {}", error, c->origin));
      if (wait != TlsWait::none) return watch(c, true);  // (a TLS write wanting to read: rare, retried on any event)
    }
    return;
  }
  while (c->written < b.size()) {
    ssize_t n = ::send(c->fd, b.data() + c->written, b.size() - c->written, MSG_NOSIGNAL);
    if (n > 0) {
      c->written += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      watch(c, true);
      return;
    }
    fail(c, fmt::format("send to {}: {}", c->origin, std::strerror(errno)));
    return;
  }
}

void Http1Client::read(Connection* c) {
  if (c->ssl) return read_tls(c);
  char buf[16384];
  for (;;) {
    ssize_t n = ::recv(c->fd, buf, sizeof buf, 0);
    if (n > 0) {
      c->parser.feed(std::string_view(buf, static_cast<std::size_t>(n)));
      if (c->parser.failed()) return fail(c, "malformed answer from " + c->origin + ": " + c->parser.error());
      if (c->parser.done()) return answered(c);
      if (static_cast<std::size_t>(n) < sizeof buf) return;  // drained for now
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n == 0) {
      c->parser.end_of_stream();
      if (c->parser.done()) return answered(c);
      return fail(c, c->parser.error());
    }
    return fail(c, fmt::format("receive from {}: {}", c->origin, std::strerror(errno)));
  }
}

void Http1Client::read_tls(Connection* c) {
  char buf[16384];
  for (;;) {
    TlsWait wait;
    std::string error;
    const std::size_t n = tls_read(c->ssl, buf, sizeof buf, wait, error);
    if (n > 0) {
      c->parser.feed(std::string_view(buf, n));
      if (c->parser.failed()) return fail(c, "malformed answer from " + c->origin + ": " + c->parser.error());
      if (c->parser.done()) return answered(c);
      continue;  // TLS may hold more than the socket shows: read until it wants more
    }
    if (wait == TlsWait::readable) return;
    if (wait == TlsWait::writable) return watch(c, true);
    if (wait == TlsWait::failed) return fail(c, fmt::format("{} from {}", error, c->origin));
    c->parser.end_of_stream();
    if (c->parser.done()) return answered(c);
    return fail(c, c->parser.error());
  }
}

void Http1Client::answered(Connection* c) {
  HttpResponse r;
  r.status = c->parser.status;
  r.body = std::move(c->parser.body);
  r.retry_after_ms = c->parser.retry_after_ms;
  r.rate_limit_reset_ms = c->parser.rate_limit_reset_ms;
  r.request_sent = true;
  // Bytes past the answer, read into TLS already, would be taken for the next answer.
  finish(c, std::move(r), c->parser.keep_alive && !(c->ssl && tls_pending(c->ssl)));
}

void Http1Client::finish(Connection* c, HttpResponse response, bool reusable) {
  complete(c->req.tag, std::move(response), !c->used && c->slow_setup);
  if (c->ssl && !c->used)
    if (SSL_SESSION* s = tls_session(c->ssl)) {
      // TLS 1.3 hands its tickets over after the handshake: by the first answer they came.
      auto [it, fresh] = sessions_.try_emplace(c->key, s);
      if (!fresh) {
        tls_free(it->second);
        it->second = s;
      }
    }
  c->has_request = false;
  c->req = Request{};
  if (!c->used) --unproven_;
  c->used = true;
  if (!reusable) {
    close(c);
  } else {
    c->idle_since = util::steady_ms();
    watch(c, false);
    idle_[c->key].push_back(c);
  }
  start_waiting();
}

}  // namespace loa::transport
