// The command session.
#include "cli/session.h"

#include "core/util/i18n.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdio>
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

std::string local_actor() {
  const uid_t uid = ::geteuid();
  passwd entry{}, *found = nullptr;
  std::vector<char> buffer(16384);
  if (::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) == 0 && found && found->pw_name)
    return std::string("local:") + found->pw_name;
  return "local:" + std::to_string(uid);
}

int Session::audited(int done_code, const std::string& action, const std::string& job, nlohmann::json summary) {
  Backend* b = backend();
  if (!b) return kRuntime;
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = 0;
  store::AuditEntry e{.actor = local_actor(), .source = std::string("cli@") + host, .action = action, .job = job,
                      .summary = std::move(summary)};
  if (auto r = b->audit_append(e); !r)
    return fail(kRuntime, i18n::trf("{} was done, but the audit trail could not record it: {}", action, r.error()));
  return done_code;
}

const config::Config* Session::config() {
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
    if (config_) fail(kRuntime, b.error());
    return nullptr;
  }
  return *b;
}

std::expected<store::JobStatus, int> Session::job(const std::string& id) {
  Backend* b = backend();
  if (!b) return std::unexpected(kRuntime);
  auto st = b->status(id);
  if (!st) return std::unexpected(fail(kRuntime, st.error()));
  if (!*st) return std::unexpected(fail(kUsage, i18n::trf("no job {}", id)));
  return std::move(**st);
}

}  // namespace loa::cli
