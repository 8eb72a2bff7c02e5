// TLS for Loa's own HTTP/1.1 client (http1_client.h), on OpenSSL directly: one context a
// transport (its CA store loaded once, not per connection), certificates always verified
// against the host name or address of the URL, the newest session of each origin kept and
// offered on its next connection (resumption). The client drives each connection's
// non-blocking handshake, reads and writes through the calls below.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

using SSL = struct ssl_st;
using SSL_CTX = struct ssl_ctx_st;
using SSL_SESSION = struct ssl_session_st;

namespace loa::transport {

/// What a TLS call asks of the loop: done, wait for the socket, or failed (with words).
enum class TlsWait { none, readable, writable, failed };

class TlsContext {
 public:
  /// Trusts `ca_file` (PEM), or the system's store when empty. A store that cannot be
  /// loaded leaves the context unusable: every connection then fails with the reason.
  explicit TlsContext(const std::string& ca_file);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  /// A client connection on `fd` for `host` (a name: SNI and name check; an address:
  /// address check), offering `session` when not null; nullptr with `error` set if none.
  SSL* connect(int fd, const std::string& host, SSL_SESSION* session, std::string& error) const;

 private:
  SSL_CTX* ctx_ = nullptr;
  std::string error_;  ///< why the store could not be loaded
};

/// Drives the handshake on; `error` holds the words on `failed` (kCertificateRefused or
/// kTlsFailed first: the operator's to mend).
TlsWait tls_handshake(SSL* ssl, std::string& error);

/// SSL_write/SSL_read over a non-blocking socket: bytes moved (> 0), or 0 with `wait`
/// saying why (`none` with 0 from read: the peer closed).
std::size_t tls_write(SSL* ssl, std::string_view bytes, TlsWait& wait, std::string& error);
std::size_t tls_read(SSL* ssl, char* buf, std::size_t size, TlsWait& wait, std::string& error);

/// The session to offer next time (a new reference; nullptr if not resumable).
SSL_SESSION* tls_session(SSL* ssl);
bool tls_resumed(SSL* ssl);
/// Bytes written to the socket so far (handshake included): whether any of a request went.
std::uint64_t tls_bytes_out(SSL* ssl);
/// Whether TLS holds bytes read and not yet taken (after a whole answer: stray ones).
bool tls_pending(SSL* ssl);
void tls_free(SSL* ssl);
void tls_free(SSL_SESSION* session);

}  // namespace loa::transport
