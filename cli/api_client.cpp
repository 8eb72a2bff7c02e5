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
  bool loopback = false;
  if (CURLU* u = curl_url()) {
    char* host = nullptr;
    if (curl_url_set(u, CURLUPART_URL, base.c_str(), 0) == CURLUE_OK && curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK)
      loopback = store::loopback_host(host);
    curl_free(host);
    curl_url_cleanup(u);
  }
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

namespace {

// The commands' backend over the API. What has no endpoint says so; `loa` refuses those
// commands before it gets here, so these errors are a last guard.
class ApiBackend final : public Backend {
 public:
  explicit ApiBackend(ApiClient& api) : api_(api) {}

  // POST /preview, or /jobs (?dry_run=true for a check): the outcome, also of a refusal.
  std::expected<submit::Outcome, std::string> submit(const submit::Request& r) override {
    const std::string path = r.mode == submit::Mode::preview ? fmt::format("preview?limit={}", std::clamp(r.limit, 0, 100))
                             : r.mode == submit::Mode::check ? "jobs?dry_run=true"
                                                             : "jobs";
    auto a = api_.call("POST", path, submit::request_json(r).dump(-1, ' ', false, json::error_handler_t::replace));
    if (!a) return std::unexpected(a.error());
    auto j = json::parse(a->body, nullptr, false);
    if (auto o = submit::Outcome::from_json(j)) return std::move(*o);
    // Refused before the pipeline (a token, a right, a body that is no request).
    if (a->status >= 400 && a->status < 500) {
      submit::Outcome o;
      o.verdict = submit::Outcome::Verdict::refused;
      o.refusal = a->status == 403 ? submit::Outcome::Refusal::forbidden : submit::Outcome::Refusal::invalid;
      o.errors = a->errors();
      return o;
    }
    if (!a->ok()) return std::unexpected(util::join(a->errors(), "; "));
    return std::unexpected(std::string(i18n::tr("the server's answer is not the JSON object expected")));
  }

  std::expected<std::optional<store::JobStatus>, std::string> status(const std::string& job) override {
    auto a = api_.call("GET", "jobs/" + url_segment(job));
    if (!a) return std::unexpected(a.error());
    if (a->status == 404) return std::nullopt;
    auto j = object(*a);
    if (!j) return std::unexpected(j.error());
    auto st = store::job_from_json(*j);
    if (!st) return std::unexpected(st.error());
    return std::optional(std::move(*st));
  }

  std::expected<std::optional<std::int64_t>, std::string> gateway_idle_ms() override { return none(); }
  std::expected<std::optional<store::QueryStore::Pause>, std::string> paused(const std::string&) override { return none(); }

  std::expected<std::vector<store::JobStatus>, std::string> jobs(int limit, const std::string& ward) override {
    std::string path = fmt::format("jobs?limit={}", std::clamp(limit, 1, 1000));
    if (!ward.empty()) path += "&ward=" + url_segment(ward);
    auto a = api_.call("GET", path);
    if (!a) return std::unexpected(a.error());
    auto j = object(*a, true);
    if (!j) return std::unexpected(j.error());
    std::vector<store::JobStatus> out;
    for (const auto& one : *j) {
      auto st = store::job_from_json(one);
      if (!st) return std::unexpected(st.error());
      out.push_back(std::move(*st));
    }
    return out;
  }

  std::expected<void, std::string> messages(const std::string&, std::int64_t,
                                            const std::function<void(const store::MessageRecord&)>&) override {
    return none();
  }

  // GET /jobs/<id>/messages a page at a time, following "next".
  std::expected<void, std::string> message_objects(const std::string& job, std::int64_t, bool,
                                                   const std::function<void(const json&)>& fn) override {
    std::int64_t after = 0;
    for (;;) {
      auto a = api_.call("GET", fmt::format("jobs/{}/messages?after={}&limit=1000", url_segment(job), after));
      if (!a) return std::unexpected(a.error());
      auto j = object(*a);
      if (!j) return std::unexpected(j.error());
      auto page = j->find("messages");
      if (page == j->end() || !page->is_array())
        return std::unexpected(std::string(i18n::tr("the server's answer is not the JSON object expected")));
      for (const auto& m : *page) fn(m);
      auto next = j->find("next");
      if (next == j->end() || !next->is_number_integer() || next->get<std::int64_t>() <= after) return {};
      after = next->get<std::int64_t>();
    }
  }

  std::expected<std::optional<jobs::JobState>, std::string> cancel(const std::string& job) override {
    auto a = api_.call("POST", "jobs/" + url_segment(job) + "/cancel", "{}");
    if (!a) return std::unexpected(a.error());
    if (a->status == 404) return std::nullopt;
    auto j = object(*a);
    if (!j) return std::unexpected(j.error());
    auto was = j->find("was");
    const std::string before = was != j->end() && was->is_string() ? was->get<std::string>() : "";
    return std::optional(jobs::job_state(before).value_or(jobs::JobState::queued));
  }

  std::expected<long long, std::string> requeue(const std::string& job, jobs::MessageState state) override {
    auto a = api_.call("POST", fmt::format("jobs/{}/retry?which={}", url_segment(job), jobs::name(state)), "{}");
    if (!a) return std::unexpected(a.error());
    auto j = object(*a);
    if (!j) return std::unexpected(j.error());
    auto n = j->find("requeued");
    if (n == j->end() || !n->is_number_integer()) return std::unexpected(i18n::tr("the server's answer has no count"));
    return n->get<long long>();
  }

  std::expected<void, std::string> optout_add(const std::string& digits, const std::string& reason) override {
    auto a = api_.call("POST", "optouts", json{{"number", "+" + digits}, {"reason", reason}}.dump());
    if (!a) return std::unexpected(a.error());
    if (auto j = object(*a); !j) return std::unexpected(j.error());
    return {};
  }

  std::expected<bool, std::string> optout_remove(const std::string& digits) override {
    auto a = api_.call("DELETE", "optouts/" + url_segment("+" + digits));
    if (!a) return std::unexpected(a.error());
    if (a->status == 404) return false;
    if (auto j = object(*a); !j) return std::unexpected(j.error());
    return true;
  }

  std::expected<std::map<std::string, std::string>, std::string> optouts() override { return none(); }

  std::expected<store::QueryStore::Decided, std::string> decide(const std::string& job, bool approve,
                                                                const std::string&,
                                                                const std::string& reason) override {
    auto a = api_.call("POST", "jobs/" + url_segment(job) + (approve ? "/approve" : "/reject"),
                       json{{"reason", reason}}.dump());
    if (!a) return std::unexpected(a.error());
    if (a->status == 404) return store::QueryStore::Decided{.result = store::QueryStore::Decision::no_job};
    if (auto j = object(*a); !j) return std::unexpected(j.error());
    return store::QueryStore::Decided{};
  }

  std::expected<store::QueryStore::Purged, std::string> purge(std::int64_t, bool) override { return none(); }
  std::expected<long long, std::string> audit_trim(std::int64_t, const std::string&, const std::string&) override {
    return none();
  }
  std::expected<store::AccountStore::Added, std::string> account_add(const store::Account&,
                                                                     const std::string&) override {
    return none();
  }
  std::expected<std::vector<store::Account>, std::string> accounts() override { return none(); }
  std::expected<bool, std::string> account_revoke(const std::string&) override { return none(); }
  std::expected<store::AuditEntry, std::string> audit_append(const store::AuditEntry&) override { return none(); }
  std::expected<void, std::string> audit_read(const store::AuditStore::Filter&,
                                              const std::function<void(const store::AuditEntry&)>&) override {
    return none();
  }
  std::expected<store::AuditStore::Verdict, std::string> audit_verify(std::int64_t) override { return none(); }

 private:
  static std::unexpected<std::string> none() {
    return std::unexpected(std::string(i18n::tr("the officials' API has no endpoint for this")));
  }

  // A 2xx answer's JSON (an object, or an array when `list`); otherwise what the server said.
  static std::expected<json, std::string> object(const ApiAnswer& a, bool list = false) {
    if (!a.ok()) return std::unexpected(util::join(a.errors(), "; "));
    auto j = json::parse(a.body, nullptr, false);
    if (list ? !j.is_array() : !j.is_object())
      return std::unexpected(std::string(list ? i18n::tr("the server's answer is not the JSON list expected")
                                              : i18n::tr("the server's answer is not the JSON object expected")));
    return j;
  }

  ApiClient& api_;
};

}  // namespace

std::unique_ptr<Backend> api_backend(ApiClient& api) { return std::make_unique<ApiBackend>(api); }

}  // namespace loa::cli
