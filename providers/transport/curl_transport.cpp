// libcurl multi driver.
#include "providers/transport/curl_transport.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include <curl/curl.h>
#include <openssl/ssl.h>

#include "core/util/time.h"

namespace loa::transport {

namespace {
void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t on_body(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}
}  // namespace

struct CurlMulti::Transfer {
  CURL* easy = curl_easy_init();
  curl_slist* headers = nullptr;
  std::uint64_t tag = 0;
  std::string request_body;
  HttpResponse response;
  // What the handle is set to now: a dispatcher's requests mostly differ only in their
  // body, so options are set once and changed only when a request differs.
  std::string url, method, basic_auth;
  std::vector<std::pair<std::string, std::string>> header_values;
  long timeout = -1;
  /// Times libcurl began this request on a connection: 2 means it tried to send it again.
  int starts = 0;
  /// libcurl wanted to send again a request it had already written, and was stopped.
  bool resend_refused = false;
  /// libcurl's own words on a failure ("SSL certificate problem: ..."), clearer than the code's.
  char error_words[CURL_ERROR_SIZE] = {};

  Transfer(CURLSH* share, const std::string& ca_file) {
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_SHARE, share);
    if (!ca_file.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, ca_file.c_str());
    curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &response.body);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, this);
    curl_easy_setopt(easy, CURLOPT_PRIVATE, this);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error_words);
    curl_easy_setopt(easy, CURLOPT_PREREQFUNCTION, on_start);
    curl_easy_setopt(easy, CURLOPT_PREREQDATA, this);
    static const bool direct = no_proxy_in_env();
    if (direct) curl_easy_setopt(easy, CURLOPT_PROXY, "");
  }
  ~Transfer() {
    curl_slist_free_all(headers);
    curl_easy_cleanup(easy);
  }
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;

  static size_t on_header(char* data, size_t size, size_t n, void* user) {
    auto* t = static_cast<Transfer*>(user);
    std::string_view line(data, size * n);
    if (line.size() > 12 && strncasecmp(line.data(), "Retry-After:", 12) == 0)
      t->response.retry_after_ms = retry_after_ms(line.substr(12));
    else if (line.size() > 19 && strncasecmp(line.data(), "X-Rate-Limit-Reset:", 19) == 0)
      t->response.rate_limit_reset_ms = rate_limit_reset_ms(line.substr(19), util::now_ms() / 1000);
    return size * n;
  }

  // libcurl sends a request again, on a fresh connection, when a reused connection died
  // before any answer came -- even when the request was written whole and the provider
  // may have acted on it (lib/transfer.c, Curl_retry_request). Called before each
  // attempt: a second attempt after bytes were written is stopped (the transfer ends
  // with CURLE_ABORTED_BY_CALLBACK and is reported as written); one after nothing was
  // written (the connection was found dead on sending) may go.
  static int on_start(void* user, char*, char*, int, int) {
    auto* t = static_cast<Transfer*>(user);
    if (++t->starts == 1) return CURL_PREREQFUNC_OK;
    long sent = 0;
    curl_easy_getinfo(t->easy, CURLINFO_REQUEST_SIZE, &sent);
    if (sent == 0) return CURL_PREREQFUNC_OK;
    t->resend_refused = true;
    return CURL_PREREQFUNC_ABORT;
  }

  void prepare(const HttpRequest& req, int timeout_ms) {
    response = HttpResponse{};
    starts = 0;
    resend_refused = false;
    error_words[0] = '\0';
    if (req.url != url) {
      url = req.url;
      curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
    }
    if (timeout_ms != timeout) {
      timeout = timeout_ms;
      curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ms));
      curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::min(timeout_ms, 5000)));
    }
    if (req.method == "GET") {
      if (method != "GET") curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
    } else {
      request_body = req.body;
      if (method != "POST") curl_easy_setopt(easy, CURLOPT_POST, 1L);
      curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request_body.c_str());
      curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, static_cast<long>(request_body.size()));
    }
    method = req.method == "GET" ? "GET" : "POST";
    if (req.headers != header_values || !headers) {
      header_values = req.headers;
      curl_slist_free_all(headers);
      headers = nullptr;
      for (const auto& [k, v] : req.headers) headers = curl_slist_append(headers, (k + ": " + v).c_str());
      headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
      curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
    }
    if (req.basic_auth != basic_auth) {
      basic_auth = req.basic_auth;
      curl_easy_setopt(easy, CURLOPT_HTTPAUTH, basic_auth.empty() ? CURLAUTH_NONE : CURLAUTH_BASIC);
      curl_easy_setopt(easy, CURLOPT_USERPWD, basic_auth.empty() ? nullptr : basic_auth.c_str());
    }
  }

  void finish(CURLcode code) {
    if (code == CURLE_OK) {
      curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &response.status);
      return;
    }
    if (resend_refused) {
      response.transport_error = "connection closed with no answer after the request was written";
      response.request_sent = true;
      return;
    }
    response.transport_error = error_words[0] ? error_words : curl_easy_strerror(code);
    // Words for the official reading the report (reports::vi_reason knows these starts):
    // a refused certificate or a failed TLS set-up is the operator's to mend, not a
    // provider's bad moment.
    if (code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CACERT_BADFILE || code == CURLE_SSL_CERTPROBLEM ||
        code == CURLE_SSL_PINNEDPUBKEYNOTMATCH)
      response.transport_error = std::string(kCertificateRefused) + response.transport_error;
    else if (code == CURLE_SSL_CONNECT_ERROR)
      response.transport_error = std::string(kTlsFailed) + response.transport_error;
    long sent = 0;
    curl_easy_getinfo(easy, CURLINFO_REQUEST_SIZE, &sent);
    response.request_sent = sent > 0 && code != CURLE_COULDNT_CONNECT && code != CURLE_COULDNT_RESOLVE_HOST;
    response.timed_out = code == CURLE_OPERATION_TIMEDOUT;
  }
};

struct CurlMulti::Callbacks {
  // Each new TLS connection's context: count its handshake, full or resumed.
  static CURLcode ssl_ctx(CURL*, void* ctx, void* self) {
    auto* c = static_cast<SSL_CTX*>(ctx);
    SSL_CTX_set_ex_data(c, counts_index(), &static_cast<CurlMulti*>(self)->counts_);
    SSL_CTX_set_info_callback(c, handshake);
    return CURLE_OK;
  }
  static void handshake(const SSL* ssl, int where, int) {
    if (!(where & SSL_CB_HANDSHAKE_DONE)) return;
    auto* counts = static_cast<TransportCounts*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), counts_index()));
    if (!counts) return;
    if (SSL_session_reused(ssl)) ++counts->tls_resumed;
    else ++counts->tls_full;
  }
  static int counts_index() {
    static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
    return index;
  }
};

CurlMulti::CurlMulti(int max_connections, std::string ca_file)
    : ca_file_(std::move(ca_file)),
      max_window_(static_cast<std::size_t>(std::max(1, max_connections))),
      window_(std::min(kFirstWindow, max_window_)) {
  global_init();
  multi_ = curl_multi_init();
  // One dispatcher thread drives this multi and its handles: the share needs no locks.
  share_ = curl_share_init();
  curl_share_setopt(static_cast<CURLSH*>(share_), CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  curl_share_setopt(static_cast<CURLSH*>(share_), CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  curl_multi_setopt(multi_, CURLMOPT_MAX_HOST_CONNECTIONS, static_cast<long>(max_connections));
  curl_multi_setopt(multi_, CURLMOPT_MAX_TOTAL_CONNECTIONS, static_cast<long>(max_connections));
  curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS, static_cast<long>(max_connections));
}

CurlMulti::~CurlMulti() {
  for (auto& t : busy_)
    if (t) curl_multi_remove_handle(multi_, t->easy);
  busy_.clear();
  idle_.clear();
  curl_multi_cleanup(multi_);
  curl_share_cleanup(static_cast<CURLSH*>(share_));
}

void CurlMulti::add(std::uint64_t tag, const HttpRequest& req, int timeout_ms) {
  if (active_ == 0 && waiting_.empty() && util::steady_ms() - idle_since_ >= kIdleRestartMs)
    window_ = std::min(kFirstWindow, max_window_);
  if (active_ < window_) start(tag, req, timeout_ms);
  else waiting_.push_back({tag, req, timeout_ms});
}

void CurlMulti::start(std::uint64_t tag, const HttpRequest& req, int timeout_ms) {
  std::unique_ptr<Transfer> t;
  if (!idle_.empty()) {
    t = std::move(idle_.back());
    idle_.pop_back();
  } else {
    t = std::make_unique<Transfer>(static_cast<CURLSH*>(share_), ca_file_);
    curl_easy_setopt(t->easy, CURLOPT_SSL_CTX_FUNCTION, Callbacks::ssl_ctx);
    curl_easy_setopt(t->easy, CURLOPT_SSL_CTX_DATA, this);
  }
  t->tag = tag;
  t->prepare(req, timeout_ms);
  curl_multi_add_handle(multi_, t->easy);
  busy_.push_back(std::move(t));
  ++active_;
}

// Takes in the transfers libcurl has finished, and applies the ramp to each.
void CurlMulti::collect(std::vector<std::pair<std::uint64_t, HttpResponse>>& done) {
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
    if (msg->msg != CURLMSG_DONE) continue;
    Transfer* raw = nullptr;
    curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &raw);
    CURLcode code = msg->data.result;
    curl_multi_remove_handle(multi_, msg->easy_handle);
    raw->finish(code);
    long opened = 0;
    curl_easy_getinfo(raw->easy, CURLINFO_NUM_CONNECTS, &opened);
    counts_.connections += static_cast<std::uint64_t>(std::max(0L, opened));
    curl_off_t tcp_us = 0, tls_us = 0;
    curl_easy_getinfo(raw->easy, CURLINFO_CONNECT_TIME_T, &tcp_us);
    curl_easy_getinfo(raw->easy, CURLINFO_APPCONNECT_TIME_T, &tls_us);
    window_ = next_window(window_, max_window_, raw->response.status > 0, std::max(tcp_us, tls_us) > kSlowSetupUs);
    done.emplace_back(raw->tag, std::move(raw->response));
    auto it = std::find_if(busy_.begin(), busy_.end(), [&](const auto& p) { return p.get() == raw; });
    idle_.push_back(std::move(*it));
    *it = std::move(busy_.back());
    busy_.pop_back();
    if (--active_ == 0) idle_since_ = util::steady_ms();
  }
}

// curl_multi_perform and curl_multi_poll, which visit every connection each turn; measured
// against curl_multi_socket_action on an epoll (which visits only the busy ones) at 256
// connections over HTTPS, this costs ~10 % less CPU a message (libcurl checks each reused
// connection and reads after each write with a poll() of its own either way, and the epoll
// adds its own calls): bench/docs/design.md, "HTTPS to providers".
std::vector<std::pair<std::uint64_t, HttpResponse>> CurlMulti::poll(int timeout_ms, int also_fd) {
  std::vector<std::pair<std::uint64_t, HttpResponse>> done;
  int running = 0;
  curl_multi_perform(multi_, &running);
  if (!active_ || running == static_cast<int>(active_)) {
    curl_waitfd also{also_fd, CURL_WAIT_POLLIN, 0};
    curl_multi_poll(multi_, also_fd >= 0 ? &also : nullptr, also_fd >= 0 ? 1 : 0, timeout_ms, nullptr);
    curl_multi_perform(multi_, &running);
  }
  collect(done);
  while (active_ < window_ && !waiting_.empty()) {
    start(waiting_.front().tag, waiting_.front().req, waiting_.front().timeout_ms);
    waiting_.pop_front();
  }
  return done;
}

}  // namespace loa::transport
