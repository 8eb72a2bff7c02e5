// The daemon's hardened HTTP server on libmicrohttpd, with a whole-request deadline and
// eviction of idle connections near the limit on top of its own limits.
#include "daemon/http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <vector>

#include <fmt/format.h>
#include <microhttpd.h>
#include <spdlog/spdlog.h>

#include "core/util/strings.h"
#include "core/util/time.h"

namespace loa::daemon {

struct HttpServer::Request {
  enum class Stage { Head, Body, Refused };
  std::string uri;  ///< as the client sent it, query included
  std::string body;
  Stage stage = Stage::Head;  ///< Refused: answered (early or at the end); the rest is dropped
};

namespace {



MHD_Result queue(MHD_Connection* c, unsigned status, std::string_view body, const char* type = "text/plain",
                 const std::vector<std::pair<std::string, std::string>>& headers = {}) {
  MHD_Response* r = MHD_create_response_from_buffer(body.size(), const_cast<char*>(body.data()), MHD_RESPMEM_MUST_COPY);
  if (!r) return MHD_NO;
  MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
  for (const auto& [k, v] : headers) MHD_add_response_header(r, k.c_str(), v.c_str());
  MHD_Result ok = MHD_queue_response(c, status, r);
  MHD_destroy_response(r);
  return ok;
}


MHD_Result collect_header(void* cls, MHD_ValueKind, const char* key, const char* value) {
  static_cast<std::multimap<std::string, std::string>*>(cls)->emplace(key, value ? value : "");
  return MHD_YES;
}

// ---------------------------------------------------------------- libmicrohttpd callbacks

void on_connection(void* cls, MHD_Connection* c, void**, MHD_ConnectionNotificationCode what) {
  auto* self = static_cast<HttpServer*>(cls);
  if (what == MHD_CONNECTION_NOTIFY_STARTED) self->opened(c);  // runs the on_open hook
  else self->closed(c);
}

void* on_uri(void*, const char* uri, MHD_Connection*) {
  auto* req = new HttpServer::Request;
  req->uri = uri ? uri : "";
  return req;
}

void on_completed(void* cls, MHD_Connection* c, void** con_cls, MHD_RequestTerminationCode) {
  delete static_cast<HttpServer::Request*>(*con_cls);
  *con_cls = nullptr;
  static_cast<HttpServer*>(cls)->answered(c);
}

MHD_Result on_request(void* cls, MHD_Connection* c, const char*, const char* method, const char*,
                      const char* upload, size_t* upload_size, void** con_cls) {
  if (!*con_cls) *con_cls = new HttpServer::Request;  // (the URI callback normally made it)
  auto* req = static_cast<HttpServer::Request*>(*con_cls);
  return static_cast<MHD_Result>(static_cast<HttpServer*>(cls)->handle(c, *req, method, upload, upload_size));
}

void on_mhd_log(void* cls, const char* fmt, va_list ap) {
  char line[512];
  std::vsnprintf(line, sizeof line, fmt, ap);
  spdlog::debug("{}: {}", static_cast<HttpServer*>(cls)->name(), util::loggable(line, 400));
}

}  // namespace

HttpServer::HttpServer(std::string name, std::string host, int port, config::WebhookLimits limits, Handler handler,
                       std::function<void(const char*)> on_dropped, unsigned threads)
    : name_(std::move(name)),
      host_(std::move(host)),
      port_(port),
      limits_(std::move(limits)),
      threads_(threads),
      handler_(std::move(handler)),
      on_dropped_(std::move(on_dropped)) {}

HttpServer::~HttpServer() {
  stop();
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

std::expected<int, std::string> HttpServer::bind() {
  const std::string& host = host_;
  const int port = port_;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (int e = ::getaddrinfo(host == "*" ? nullptr : host.c_str(), service.c_str(), &hints, &found); e != 0)
    return std::unexpected(fmt::format("cannot listen on {}:{}: {}", host, port, gai_strerror(e)));
  std::string why = "no address";
  for (addrinfo* a = found; a; a = a->ai_next) {
    int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, a->ai_addr, a->ai_addrlen) == 0 && ::listen(fd, 4096) == 0) {
      listen_fd_ = fd;
      break;
    }
    why = std::strerror(errno);
    ::close(fd);
  }
  ::freeaddrinfo(found);
  if (listen_fd_ < 0) return std::unexpected(fmt::format("cannot listen on {}:{} ({})", host, port, why));
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&bound), &len);
  if (bound.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port);
  return ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
}

void HttpServer::use_tls(std::string cert_pem, std::string key_pem) {
  tls_cert_ = std::move(cert_pem);
  tls_key_ = std::move(key_pem);
}

std::expected<void, std::string> HttpServer::start() {
  // libmicrohttpd gives each of its threads a share of the connection limit; it enforces
  // the per-address limit, the head size (its memory per connection) and an inactivity
  // timeout. The whole-request deadline and eviction are the sweeper's.
  // threads_ 0: a thread for each connection (poll), for a handler that sleeps (the fake
  // provider's simulated latency), which would hold a pool thread's other connections.
  const bool per_connection = threads_ == 0;
  const unsigned threads = per_connection ? 1 : threads_;
  const unsigned idle_s = static_cast<unsigned>((limits_.request_timeout_ms + 999) / 1000);
  const bool tls = !tls_cert_.empty();
  if (tls && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
    return std::unexpected(fmt::format("the {} server cannot serve HTTPS: this libmicrohttpd has no TLS", name_));
  MHD_OptionItem tls_options[] = {
      {tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, const_cast<char*>(tls_cert_.c_str())},
      {MHD_OPTION_HTTPS_MEM_KEY, 0, const_cast<char*>(tls_key_.c_str())},
      {MHD_OPTION_END, 0, nullptr},
  };
  daemon_ = MHD_start_daemon(
      (per_connection ? MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL_INTERNAL_THREAD : MHD_USE_EPOLL_INTERNAL_THREAD) |
          MHD_USE_ERROR_LOG | (tls ? MHD_USE_TLS : 0),
      0, nullptr, nullptr, &on_request, this,
      MHD_OPTION_EXTERNAL_LOGGER, &on_mhd_log, this,  // first, so that no message goes to stderr
      MHD_OPTION_LISTEN_SOCKET, listen_fd_, MHD_OPTION_THREAD_POOL_SIZE, threads,
      MHD_OPTION_CONNECTION_LIMIT, static_cast<unsigned>(limits_.max_connections),
      MHD_OPTION_PER_IP_CONNECTION_LIMIT, static_cast<unsigned>(limits_.max_connections_per_client),
      MHD_OPTION_CONNECTION_TIMEOUT, idle_s, MHD_OPTION_CONNECTION_MEMORY_LIMIT, kConnectionMemory,
      MHD_OPTION_NOTIFY_CONNECTION, &on_connection, this, MHD_OPTION_URI_LOG_CALLBACK, &on_uri, this,
      MHD_OPTION_NOTIFY_COMPLETED, &on_completed, this, MHD_OPTION_ARRAY, tls_options, MHD_OPTION_END);
  if (!daemon_) return std::unexpected(fmt::format("the {} server (libmicrohttpd) did not start", name_));
  listen_fd_ = -1;  // libmicrohttpd's now: it closes it
  sweeper_ = std::thread([this] { sweep_loop(); });
  return {};
}

void HttpServer::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (sweeper_.joinable()) sweeper_.join();
  if (daemon_) MHD_stop_daemon(daemon_);
  daemon_ = nullptr;
}

// ---------------------------------------------------------------- connections

void HttpServer::opened(MHD_Connection* c) {
  if (open_hook_) open_hook_();
  Tracked t;
  t.since = util::steady_ms();
  if (const MHD_ConnectionInfo* info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD))
    t.fd = ::fcntl(info->connect_fd, F_DUPFD_CLOEXEC, 0);  // -1 when out of fds: MHD's timeout still holds
  std::lock_guard lock(mu_);
  conns_[c] = t;
}

void HttpServer::closed(MHD_Connection* c) {
  std::lock_guard lock(mu_);
  auto it = conns_.find(c);
  if (it == conns_.end()) return;
  if (it->second.fd >= 0) ::close(it->second.fd);
  conns_.erase(it);
}

void HttpServer::answered(MHD_Connection* c) {
  std::lock_guard lock(mu_);
  if (auto it = conns_.find(c); it != conns_.end()) {
    it->second.since = util::steady_ms();
    it->second.in_handler = false;
  }
}

void HttpServer::sweep_loop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    wake_.wait_for(lock, std::chrono::milliseconds(100));
    if (!stopping_) sweep(util::steady_ms());
  }
}

// One turn (every 100 ms, under mu_): every connection that has not completed a request
// within request_timeout of its start or its previous answer is shut (slow senders, idle
// keep-alive); then, when the connections near the limit (90 %), the longest-idle ones
// not being served are shut until 75 % remain, so that a new client always finds room.
// shutdown() on our duplicate of the socket makes libmicrohttpd see the end of the stream
// and close the connection in its own thread.
void HttpServer::sweep(std::int64_t now) {
  std::size_t open = 0;
  std::vector<std::pair<std::int64_t, Tracked*>> idle;
  for (auto& [c, t] : conns_) {
    if (t.shut) continue;
    if (t.fd >= 0 && now - t.since > limits_.request_timeout_ms) {
      ::shutdown(t.fd, SHUT_RDWR);
      t.shut = true;
      on_dropped_("deadline");
      continue;
    }
    ++open;
    if (!t.in_handler && t.fd >= 0 && now - t.since >= 200) idle.emplace_back(t.since, &t);
  }
  const auto high = static_cast<std::size_t>(limits_.max_connections) * 9 / 10;
  if (open < high) return;
  const auto low = static_cast<std::size_t>(limits_.max_connections) * 3 / 4;
  std::sort(idle.begin(), idle.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [since, t] : idle) {
    if (open <= low) break;
    ::shutdown(t->fd, SHUT_RDWR);
    t->shut = true;
    --open;
    on_dropped_("evicted");
  }
}

// ---------------------------------------------------------------- requests

std::string HttpRequest::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (k.size() == name.size() && strncasecmp(k.data(), name.data(), k.size()) == 0) return v;
  return "";
}

int HttpServer::handle(MHD_Connection* c, Request& req, const char* method, const char* upload,
                       std::size_t* upload_size) {
  if (req.stage == Request::Stage::Refused) {  // answered already: what still comes is dropped
    *upload_size = 0;
    return MHD_YES;
  }
  auto refuse = [&](unsigned status, std::string_view why, const char* metric,
                    const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    req.stage = Request::Stage::Refused;
    *upload_size = 0;
    on_dropped_(metric);
    return queue(c, status, why, "text/plain", headers);
  };
  if (req.stage == Request::Stage::Head) {
    // The head is complete; the body (if any) has not been read.
    req.stage = Request::Stage::Body;
    {
      std::lock_guard lock(mu_);
      if (auto it = conns_.find(c); it != conns_.end()) it->second.in_handler = true;
    }
    if (MHD_get_connection_values(c, MHD_HEADER_KIND, nullptr, nullptr) > kMaxHeaders)
      return refuse(MHD_HTTP_REQUEST_HEADER_FIELDS_TOO_LARGE, "too many header fields\n", "headers");
    // Two Content-Length fields: a proxy in front that honours the other one would see
    // another request in this body (request smuggling). Refused, and the connection closed.
    int lengths = 0;
    MHD_get_connection_values(
        c, MHD_HEADER_KIND,
        [](void* cls, MHD_ValueKind, const char* key, const char*) -> MHD_Result {
          if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0) ++*static_cast<int*>(cls);
          return MHD_YES;
        },
        &lengths);
    if (lengths > 1)
      return refuse(MHD_HTTP_BAD_REQUEST, "more than one Content-Length\n", "malformed", {{"Connection", "close"}});
    const char* enc = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_ENCODING);
    if (enc && strcasecmp(enc, "identity") != 0)
      return refuse(MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, "compressed bodies are not accepted\n", "encoding");
    if (const char* length = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH)) {
      std::uint64_t n = 0;
      auto [end, ec] = std::from_chars(length, length + std::strlen(length), n);
      if (ec != std::errc() || *end != '\0' || n > max_body())
        return refuse(MHD_HTTP_CONTENT_TOO_LARGE, fmt::format("body over {} KiB\n", limits_.max_body_kib), "too_large");
    }
    return MHD_YES;
  }
  if (*upload_size > 0) {
    if (req.body.size() + *upload_size > max_body()) {
      // A chunked body past the limit (a Content-Length over it was refused with 413 at
      // the head): the connection is closed at once rather than read to an end that may
      // never come.
      on_dropped_("too_large");
      return MHD_NO;
    }
    req.body.append(upload, *upload_size);
    *upload_size = 0;
    return MHD_YES;
  }
  // The whole request is in.
  req.stage = Request::Stage::Refused;
  HttpRequest in;
  in.method = method;
  in.uri = req.uri;
  in.path = in.uri.substr(0, in.uri.find('?'));
  MHD_get_connection_values(c, MHD_HEADER_KIND, &collect_header, &in.headers);
  in.body = std::move(req.body);
  if (const MHD_ConnectionInfo* info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS)) {
    char text[INET6_ADDRSTRLEN] = {};
    const sockaddr* sa = info->client_addr;
    if (sa && sa->sa_family == AF_INET)
      ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, text, sizeof text);
    else if (sa && sa->sa_family == AF_INET6)
      ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, text, sizeof text);
    in.client = text;
  }
  HttpResponse out = handler_(in);
  return queue(c, out.status, out.body, out.content_type.c_str(), out.headers);
}

}  // namespace loa::daemon
