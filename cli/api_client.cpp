// The API client (libcurl) and the commands' backend over it.
#include "cli/api_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/util/url.h"
#include "core/store/redis.h"
#include "core/util/i18n.h"
#include "core/util/strings.h"

namespace loa::cli {

namespace {

using nlohmann::json;

constexpr long kConnectMs = 10000;   // a server that does not answer the connection
constexpr long kTotalMs = 600000;    // a report of a province-wide job takes a while
constexpr std::size_t kMaxTokenBytes = 512;

struct Sink {
  std::string* out;
  std::size_t max;
  bool too_big = false;
};

std::size_t collect(char* data, std::size_t size, std::size_t n, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const std::size_t bytes = size * n;
  if (sink->out->size() + bytes > sink->max) {
    sink->too_big = true;
    return 0;  // libcurl stops the transfer
  }
  sink->out->append(data, bytes);
  return bytes;
}

CURL* handle(void* h) { return static_cast<CURL*>(h); }

}  // namespace

std::vector<std::string> ApiAnswer::errors() const {
  std::vector<std::string> out;
  auto j = json::parse(body, nullptr, false);
  if (j.is_object()) {
    if (auto e = j.find("error"); e != j.end() && e->is_string()) out.push_back(e->get<std::string>());
    if (auto e = j.find("errors"); e != j.end() && e->is_array())
      for (const auto& one : *e)
        if (one.is_string()) out.push_back(one.get<std::string>());
  }
  if (out.empty()) out.push_back(i18n::trf("the server answered HTTP {}", status));
  return out;
}

std::expected<std::unique_ptr<ApiClient>, std::string> ApiClient::open(const std::string& server,
                                                                       const std::string& token) {
  if (auto why = config::server_url_problem(server); !why.empty()) return std::unexpected(why);
  if (token.empty() || token.size() > kMaxTokenBytes || token.find_first_of(" \t\r\n") != std::string::npos)
    return std::unexpected(i18n::tr("the token is empty, too long or has spaces in it"));
  static std::once_flag global;
  std::call_once(global, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  CURL* curl = curl_easy_init();
  if (!curl) return std::unexpected(i18n::tr("cannot start an HTTP client (libcurl)"));
  std::string base = server;
  while (base.ends_with('/')) base.pop_back();
  // The server's host as libcurl reads the URL (an address parsed, not a prefix matched).
  const auto parsed = util::parse_http_url(base);
  const bool loopback = parsed && util::loopback_host(parsed->host);
  return std::unique_ptr<ApiClient>(new ApiClient(std::move(base), token, curl, loopback));
}

ApiClient::ApiClient(std::string server, std::string token, void* curl, bool loopback)
    : server_(std::move(server)), token_(std::move(token)), loopback_(loopback), curl_(curl) {}

ApiClient::~ApiClient() { curl_easy_cleanup(handle(curl_)); }

std::expected<ApiAnswer, std::string> ApiClient::call(std::string_view method, const std::string& path,
                                                      const std::string& body, std::size_t max_bytes) {
  CURL* c = handle(curl_);
  curl_easy_reset(c);  // keeps the connection and TLS session; forgets the last request's options
  const std::string url = server_ + "/api/v1/" + path;
  ApiAnswer answer;
  Sink sink{&answer.body, max_bytes};
  curl_slist* headers = nullptr;
  const std::string auth = "Authorization: Bearer " + token_;
  const std::string language =
      std::string("Accept-Language: ") + (i18n::current() == i18n::Language::English ? "en" : "vi");
  headers = curl_slist_append(headers, auth.c_str());
  headers = curl_slist_append(headers, language.c_str());
  if (method == "POST") headers = curl_slist_append(headers, "Content-Type: application/json");
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  // A server on this machine is asked directly: $http_proxy would be handed the token.
  if (loopback_) curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, kConnectMs);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, kTotalMs);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "loa");
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
  if (method == "POST") {
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(c, CURLOPT_COPYPOSTFIELDS, body.c_str());
  } else if (method != "GET") {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, std::string(method).c_str());
  }
  const CURLcode done = curl_easy_perform(c);
  curl_slist_free_all(headers);
  if (sink.too_big)
    return std::unexpected(i18n::trf("the answer of {} is larger than {} MiB; stopped", server_, max_bytes >> 20));
  if (done != CURLE_OK)
    return std::unexpected(i18n::trf("cannot reach the server {}: {}", server_, curl_easy_strerror(done)));
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &answer.status);
  const char* type = nullptr;
  if (curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &type) == CURLE_OK && type) answer.content_type = type;
  last_status_ = answer.status;
  return answer;
}

std::expected<std::string, std::string> find_token() {
  if (const char* env = std::getenv("LOA_TOKEN"); env && *env) return std::string(util::trimmed(env));
  std::filesystem::path dir;
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg) dir = xdg;
  else if (const char* home = std::getenv("HOME"); home && *home) dir = std::filesystem::path(home) / ".config";
  const auto file = dir / "loa" / "token";
  std::ifstream in(file);
  std::string line;
  if (dir.empty() || !in || !std::getline(in, line) || util::trimmed(line).empty())
    return std::unexpected(i18n::trf("--server needs an account's token: set LOA_TOKEN, or put it in {}",
                                     dir.empty() ? std::string("~/.config/loa/token") : file.string()));
  return std::string(util::trimmed(line));
}

std::string url_segment(std::string_view raw) {
  std::string out;
  for (unsigned char ch : raw) {
    if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~') out += static_cast<char>(ch);
    else out += fmt::format("%{:02X}", ch);
  }
  return out;
}

}  // namespace loa::cli
