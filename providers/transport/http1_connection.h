// The own HTTP/1.1 client's connection (private to http1_client.cpp, which opens, reuses
// and closes them, and http1_io.cpp, which moves their bytes).
#pragma once
#include <openssl/ssl.h>

#include <algorithm>
#include <cstdint>
#include <list>
#include <string>

#include "providers/transport/http1_client.h"
#include "providers/transport/http1_parser.h"

namespace loa::transport {

struct Http1Client::Connection {
  int fd = -1;
  std::string origin;
  std::string key;  ///< Request::key
  SSL* ssl = nullptr;  ///< over HTTPS
  bool connecting = true;  ///< TCP connect, then the TLS handshake
  bool writing = false;    ///< watched for EPOLLOUT as well as EPOLLIN
  bool write_begun = false;  ///< some of the request's TLS records reached the socket
  std::uint64_t tls_out_base = 0;  ///< bytes TLS had written before the request's first
  bool used = false;  ///< has carried a complete exchange before (keep-alive reuse)
  bool has_request = false;
  Request req;
  std::size_t written = 0;
  ResponseParser parser;
  std::int64_t connect_deadline = 0;  ///< steady ms
  std::int64_t opened_at = 0;         ///< steady ms
  bool slow_setup = false;            ///< its set-up took longer than kSlowSetupMs
  std::int64_t idle_since = 0;        ///< steady ms: when its last answer came
  std::list<Connection>::iterator self;  ///< its place in open_ (or closed_)
  /// When the request in hand runs out of time.
  std::int64_t deadline() const { return connecting ? std::min(connect_deadline, req.deadline) : req.deadline; }
};

}  // namespace loa::transport
