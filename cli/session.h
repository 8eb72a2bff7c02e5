// What every command needs: the config (loaded on first use), the backend (connected on
// first use), and one way to report a failure with the contract's exit codes.
#pragma once
#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/backend.h"
#include "core/config/config.h"

namespace CLI {
class App;
}

namespace loa::cli {

/// Exit codes of `loa` (CONTRACT.md): done; a runtime failure (Redis unreachable, I/O);
/// bad usage or a validation failure (nothing enqueued or changed).
inline constexpr int kOk = 0, kRuntime = 1, kUsage = 2;

/// Prints "loa: <message>" on stderr; returns `code`.
int fail(int code, const std::string& message);
/// Prints each as "loa: <error>"; returns kUsage.
int fail_all(const std::vector<std::string>& errors);

/// Who runs this command on Redis directly: "local:<unix user>" (CONTRACT.md, "Who may do
/// what"), the user's uid when it has no name.
std::string local_actor();

class Session {
 public:
  /// `config_flag`: --config as parsed ("" when not given); read when the config is first
  /// needed, after the command line is parsed.
  explicit Session(const std::string& config_flag) : config_flag_(config_flag) {}
  /// The config; nullptr after printing what is wrong with it.
  const config::Config* config();
  /// The backend; nullptr after printing why it cannot be reached.
  Backend* backend();
  /// The backend without printing (callers that go on without it); the error otherwise.
  std::expected<Backend*, std::string> try_backend();
  /// A job's status, or the exit code after printing "no job X" (2) or the error (1).
  std::expected<store::JobStatus, int> job(const std::string& id);
  /// Records an action done in the audit trail, as local:<unix user>; `done_code` when it
  /// is recorded, otherwise kRuntime after saying that the action was done but not recorded.
  int audited(int done_code, const std::string& action, const std::string& job, nlohmann::json summary);

 private:
  const std::string& config_flag_;
  std::optional<config::Config> config_;
  std::unique_ptr<Backend> backend_;
};

/// The families of commands, each in its own file; every command sets `exit_code`.
void add_sending_commands(CLI::App& app, Session& s, int& exit_code);    // send, preview, templates
void add_following_commands(CLI::App& app, Session& s, int& exit_code);  // status, jobs, report
void add_operating_commands(CLI::App& app, Session& s, int& exit_code);  // cancel, retry, optout, check
void add_trust_commands(CLI::App& app, Session& s, int& exit_code);      // approve, reject, account, audit

}  // namespace loa::cli
