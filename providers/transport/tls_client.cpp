// TLS client connections on OpenSSL for the own HTTP/1.1 client.
#include "providers/transport/tls_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include "providers/transport/http.h"

namespace loa::transport {

namespace {

/// The newest OpenSSL error's words, or `otherwise`.
std::string openssl_error(std::string_view otherwise) {
  unsigned long e = ERR_get_error();
  if (e == 0) return std::string(otherwise);
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}

bool is_address(const std::string& host) {
  in6_addr a6;
  in_addr a4;
  return inet_pton(AF_INET, host.c_str(), &a4) == 1 || inet_pton(AF_INET6, host.c_str(), &a6) == 1;
}

/// What an I/O call's failure asks for, with words when it failed.
TlsWait wait_for(SSL* ssl, int ret, std::string_view doing, std::string& error) {
  const int saved = errno;
  switch (SSL_get_error(ssl, ret)) {
    case SSL_ERROR_WANT_READ: return TlsWait::readable;
    case SSL_ERROR_WANT_WRITE: return TlsWait::writable;
    case SSL_ERROR_SYSCALL:
      error = std::string(doing) + ": " + (saved ? std::strerror(saved) : "connection closed");
      ERR_clear_error();
      return TlsWait::failed;
    default: error = std::string(doing) + ": " + openssl_error("TLS error"); return TlsWait::failed;
  }
}

}  // namespace

TlsContext::TlsContext(const std::string& ca_file) {
  ctx_ = SSL_CTX_new(TLS_client_method());
  if (!ctx_) {
    error_ = openssl_error("no TLS context");
    return;
  }
  SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
  SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
  // Partial writes: `written` counts what TLS took. Buffers released while a connection
  // is idle: a thousand kept-alive connections must not hold 34 KiB each.
  SSL_CTX_set_mode(ctx_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
  // Read what the socket holds in one call, not a record's header and then its body: a
  // system call less an answer (what is read past an answer stays visible: tls_pending).
  SSL_CTX_set_read_ahead(ctx_, 1);
#ifdef SSL_OP_IGNORE_UNEXPECTED_EOF
  // A server that closes without close_notify ends the stream; the HTTP parser judges
  // whether the answer was complete (Content-Length, chunked), as over plain TCP.
  SSL_CTX_set_options(ctx_, SSL_OP_IGNORE_UNEXPECTED_EOF);
#endif
  const int loaded = ca_file.empty() ? SSL_CTX_set_default_verify_paths(ctx_)
                                     : SSL_CTX_load_verify_locations(ctx_, ca_file.c_str(), nullptr);
  if (loaded != 1) error_ = "CA certificates " + (ca_file.empty() ? "of the system" : ca_file) + " not loaded: " + openssl_error("unreadable");
}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

SSL* TlsContext::connect(int fd, const std::string& host, SSL_SESSION* session, std::string& error) const {
  if (!error_.empty() || !ctx_) {
    error = std::string(kTlsFailed) + error_;
    return nullptr;
  }
  ERR_clear_error();
  SSL* ssl = SSL_new(ctx_);
  if (!ssl || SSL_set_fd(ssl, fd) != 1) {
    error = std::string(kTlsFailed) + openssl_error("no TLS connection");
    SSL_free(ssl);
    return nullptr;
  }
  bool named = true;
  if (is_address(host)) {
    named = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str()) == 1;
  } else {
    named = SSL_set_tlsext_host_name(ssl, host.c_str()) == 1 && SSL_set1_host(ssl, host.c_str()) == 1;
  }
  if (!named) {
    error = std::string(kTlsFailed) + "host " + host + " not usable: " + openssl_error("bad name");
    SSL_free(ssl);
    return nullptr;
  }
  if (session) SSL_set_session(ssl, session);
  SSL_set_connect_state(ssl);
  return ssl;
}

TlsWait tls_handshake(SSL* ssl, std::string& error) {
  ERR_clear_error();
  const int r = SSL_do_handshake(ssl);
  if (r == 1) return TlsWait::none;
  const TlsWait w = wait_for(ssl, r, "TLS set-up", error);
  if (w != TlsWait::failed) return w;
  if (long v = SSL_get_verify_result(ssl); v != X509_V_OK)
    error = std::string(kCertificateRefused) + "SSL certificate problem: " + X509_verify_cert_error_string(v);
  else
    error = std::string(kTlsFailed) + error;
  return w;
}

std::size_t tls_write(SSL* ssl, std::string_view bytes, TlsWait& wait, std::string& error) {
  ERR_clear_error();
  const int n = SSL_write(ssl, bytes.data(), static_cast<int>(std::min<std::size_t>(bytes.size(), INT_MAX)));
  if (n > 0) {
    wait = TlsWait::none;
    return static_cast<std::size_t>(n);
  }
  wait = wait_for(ssl, n, "send", error);
  return 0;
}

std::size_t tls_read(SSL* ssl, char* buf, std::size_t size, TlsWait& wait, std::string& error) {
  ERR_clear_error();
  const int n = SSL_read(ssl, buf, static_cast<int>(std::min<std::size_t>(size, INT_MAX)));
  wait = TlsWait::none;
  if (n > 0) return static_cast<std::size_t>(n);
  const int e = SSL_get_error(ssl, n);
  if (e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL && errno == 0 && ERR_peek_error() == 0)) return 0;
  wait = wait_for(ssl, n, "receive", error);
  return 0;
}

SSL_SESSION* tls_session(SSL* ssl) {
  SSL_SESSION* s = SSL_get1_session(ssl);
  if (s && !SSL_SESSION_is_resumable(s)) {
    SSL_SESSION_free(s);
    return nullptr;
  }
  return s;
}

bool tls_resumed(SSL* ssl) { return SSL_session_reused(ssl) == 1; }
std::uint64_t tls_bytes_out(SSL* ssl) { return BIO_number_written(SSL_get_wbio(ssl)); }
bool tls_pending(SSL* ssl) { return SSL_has_pending(ssl) == 1; }
void tls_free(SSL* ssl) { SSL_free(ssl); }
void tls_free(SSL_SESSION* session) { SSL_SESSION_free(session); }

}  // namespace loa::transport
