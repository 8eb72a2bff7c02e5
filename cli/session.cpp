// The command session.
#include "cli/session.h"

#include "core/util/url.h"
#include "core/jobs/planner.h"

#include "core/store/redis.h"
#include "core/util/i18n.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

namespace loa::cli {

int fail(int code, const std::string& message) {
  std::fprintf(stderr, "loa: %s\n", message.c_str());
  return code;
}

int fail_all(const std::vector<std::string>& errors) {
  for (const auto& e : errors) fail(kUsage, e);
  return kUsage;
}

namespace {

// The host of an http(s) URL: "127.0.0.1" of http://127.0.0.1:8090/x, "[::1]" of http://[::1]:80.
std::string host_of(const std::string& url) {
  auto parsed = util::parse_http_url(url);
  return parsed ? parsed->host : "";
}

}  // namespace

std::string local_actor() {
  const uid_t uid = ::geteuid();
  passwd entry{}, *found = nullptr;
  std::vector<char> buffer(16384);
  if (::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) == 0 && found && found->pw_name)
    return std::string("local:") + found->pw_name;
  return "local:" + std::to_string(uid);
}

int Session::audited(int done_code, const std::string& action, const std::string& job, nlohmann::json summary) {
  if (remote()) return done_code;
  auto reached = try_backend();
  if (!reached) return fail(kRuntime, i18n::trf("{} was done, but the audit trail could not record it: {}", action, reached.error()));
  Backend* b = *reached;
  store::AuditEntry e{.actor = local_actor(), .source = local_source(), .action = action, .job = job,
                      .summary = std::move(summary)};
  if (auto r = b->audit_append(e); !r)
    return fail(kRuntime, i18n::trf("{} was done, but the audit trail could not record it: {}", action, r.error()));
  return done_code;
}

// Read once: every command asks remote() several times, and the config file is YAML.
const std::string& Session::server_url() {
  if (!server_) {
    server_ = server_flag_.empty()
                  ? config::peek_client(config::resolve_config_path(config_flag_.empty() ? std::nullopt
                                                                                         : std::optional(config_flag_)))
                        .server
                  : server_flag_;
  }
  return *server_;
}

bool Session::remote() { return !server_url().empty(); }

ApiClient* Session::api() {
  if (api_) return api_.get();
  const std::string server = server_url();
  if (server.empty()) return nullptr;
  unavailable_ = kUsage;  // what is missing is the official's to give
  auto token = find_token();
  if (!token) {
    fail(kUsage, token.error());
    return nullptr;
  }
  auto client = ApiClient::open(server, *token);
  if (!client) {
    fail(kUsage, client.error());
    return nullptr;
  }
  // A proxy from the environment is handed the token too: said, unless the server is this
  // machine (then no proxy is used; api_client.cpp).
  const bool local = util::loopback_host(host_of(server));
  static const std::vector<const char*> kHttpsProxies{"https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"};
  static const std::vector<const char*> kHttpProxies{"http_proxy", "all_proxy", "ALL_PROXY"};
  for (const char* var : server.starts_with("https://") ? kHttpsProxies : kHttpProxies)
    if (const char* proxy = std::getenv(var); !local && proxy && *proxy) {
      std::fprintf(stderr, "loa: %s\n",
                   i18n::trf("warning: ${} is set: the token goes through that proxy ({}) to {} (no_proxy lists "
                             "hosts to reach directly)",
                             var, util::masked_url(proxy), server)
                       .c_str());
      break;
    }
  // A token in clear text is anyone's on the way: only to this machine.
  if (server.starts_with("http://") && !local)
    std::fprintf(stderr, "loa: %s\n",
                 i18n::trf("warning: {} is plain HTTP: the token and the residents' data cross the network "
                           "unencrypted (use https://)",
                           server)
                     .c_str());
  api_ = std::move(*client);
  unavailable_ = kRuntime;
  return api_.get();
}

int Session::failed(const std::string& error) {
  const long status = api_ ? api_->last_status() : 0;
  return fail(status >= 400 && status < 500 ? kUsage : kRuntime, error);
}

int Session::local_only(const std::string& command) {
  return fail(kUsage, i18n::trf("loa {} works on the gateway's Redis, not through --server (the officials' API has "
                                "no endpoint for it): run it on the gateway's machine",
                                command));
}

const config::Config* Session::config() {
  if (!config_ && remote()) {
    const auto client = config::peek_client(
        config::resolve_config_path(config_flag_.empty() ? std::nullopt : std::optional(config_flag_)));
    config_.emplace();
    if (!client.timezone.empty()) config_->timezone = client.timezone;
    if (!client.language.empty()) config_->language = client.language;
    return &*config_;
  }
  if (!config_) {
    auto cfg = config::load_config(config::resolve_config_path(config_flag_.empty() ? std::nullopt : std::optional(config_flag_)));
    if (!cfg) {
      fail_all(cfg.error());
      return nullptr;
    }
    config_ = std::move(*cfg);
    if (config_->language) i18n::choose(*config_->language);
  }
  return &*config_;
}

std::expected<Backend*, std::string> Session::try_backend() {
  if (!backend_) {
    if (remote()) {
      ApiClient* a = api();
      if (!a) return std::unexpected("no server");
      backend_ = api_backend(*a);
      return backend_.get();
    }
    const config::Config* cfg = config();
    if (!cfg) return std::unexpected("no config");
    auto b = redis_backend(*cfg);
    if (!b) return std::unexpected(b.error());
    backend_ = std::move(*b);
  }
  return backend_.get();
}

Backend* Session::backend() {
  auto b = try_backend();
  if (!b) {
    if (config_ && !remote()) fail(kRuntime, b.error());
    return nullptr;
  }
  return *b;
}

std::string local_source() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = 0;
  return std::string("cli@") + host;
}

submit::Asker local_asker() { return {.actor = local_actor(), .source = local_source(), .every_ward = true}; }

std::expected<submit::Outcome, int> Session::submit(const submit::Request& r) {
  auto b = try_backend();
  if (!b) {
    if (r.mode == submit::Mode::preview && config_ && !remote())
      return submit::submit({.cfg = *config_, .redis_unavailable = b.error()}, local_asker(), r);
    if (config_ && !remote()) fail(kRuntime, b.error());
    return std::unexpected(unavailable());
  }
  auto out = (*b)->submit(r);
  if (!out) return std::unexpected(fail(kRuntime, out.error()));
  return std::move(*out);
}

std::expected<nlohmann::json, int> Session::templates() {
  const config::Config* cfg = config();
  if (!cfg) return std::unexpected(kUsage);
  if (!remote()) {  // the template files are here: no Redis needed
    auto loaded = jobs::load_templates(*cfg);
    if (!loaded) return std::unexpected(fail_all(loaded.error()));
    return jobs::templates_json(*loaded);
  }
  ApiClient* a = api();
  if (!a) return std::unexpected(unavailable());
  auto answer = a->call("GET", "templates");
  if (!answer) return std::unexpected(fail(kRuntime, answer.error()));
  if (!answer->ok()) {
    for (const auto& e : answer->errors()) fail(kUsage, e);
    return std::unexpected(answer->status < 500 ? kUsage : kRuntime);
  }
  auto j = nlohmann::json::parse(answer->body, nullptr, false);
  if (!j.is_array()) return std::unexpected(fail(kRuntime, i18n::tr("the server's answer is not the JSON list expected")));
  return j;
}

std::expected<store::JobStatus, int> Session::job(const std::string& id) {
  Backend* b = backend();
  if (!b) return std::unexpected(unavailable());
  auto st = b->status(id);
  if (!st) return std::unexpected(failed(st.error()));
  if (!*st) return std::unexpected(fail(kUsage, i18n::trf("no job {}", id)));
  return std::move(**st);
}

}  // namespace loa::cli
