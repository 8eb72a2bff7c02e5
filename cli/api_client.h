// `loa --server URL`: the officials' HTTP API (CONTRACT.md "HTTP API") as the command line
// reaches it, with an account's token, instead of Redis. The server decides what the
// account may do and audits it; `loa` only asks and prints. libcurl does HTTP and TLS
// (certificates always verified, no redirects: a token never follows one elsewhere).
#pragma once
#include <cstddef>
#include <expected>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cli/backend.h"

namespace loa::cli {

/// One answer of the API.
struct ApiAnswer {
  long status = 0;
  std::string body;
  std::string content_type;
  bool ok() const { return status >= 200 && status < 300; }
  /// What a 4xx or 5xx answer says went wrong: its "error", or each of its "errors", in the
  /// language the request asked for; the HTTP status when the body says nothing.
  std::vector<std::string> errors() const;
};

class ApiClient {
 public:
  /// Answers larger than this are refused (reports have their own bound).
  static constexpr std::size_t kMaxJsonBytes = 64u << 20;
  static constexpr std::size_t kMaxReportBytes = 1u << 30;

  /// A client of `server` (http:// or https://) with `token`; the error says what is wrong
  /// with either.
  static std::expected<std::unique_ptr<ApiClient>, std::string> open(const std::string& server,
                                                                     const std::string& token);
  ~ApiClient();
  ApiClient(const ApiClient&) = delete;
  ApiClient& operator=(const ApiClient&) = delete;

  /// `method` on `path` (below /api/v1/, with its query), with a JSON body for POST; the
  /// error is a transport failure (no answer), never an HTTP status.
  std::expected<ApiAnswer, std::string> call(std::string_view method, const std::string& path,
                                             const std::string& body = "", std::size_t max_bytes = kMaxJsonBytes);
  /// The status of the last answer (0 before one): 4xx means the server refused and changed
  /// nothing, which `loa` reports with exit code 2.
  long last_status() const { return last_status_; }
  const std::string& server() const { return server_; }

 private:
  ApiClient(std::string server, std::string token, void* curl, bool loopback);
  std::string server_, token_;
  bool loopback_ = false;  ///< the server is this machine: never through a proxy
  void* curl_;  // CURL*, one handle kept alive for the session's requests
  long last_status_ = 0;
};

/// The token of `loa --server`: $LOA_TOKEN, else the first line of
/// $XDG_CONFIG_HOME/loa/token (~/.config/loa/token); the error says where it looked.
std::expected<std::string, std::string> find_token();

/// A path segment (job id, number) escaped for a URL.
std::string url_segment(std::string_view raw);

/// The commands' backend through the API: jobs, their status, cancel, retry, approve,
/// reject and opt-out changes; what the API has no endpoint for is an error saying so.
std::unique_ptr<Backend> api_backend(ApiClient& api);

}  // namespace loa::cli
