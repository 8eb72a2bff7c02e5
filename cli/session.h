// What every command needs: the config (loaded on first use), the backend (connected on
// first use), and one way to report a failure with the contract's exit codes.
#pragma once
#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/api_client.h"
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
/// Where a local command comes from, for the audit trail: "cli@<host name>".
std::string local_source();
/// The local admin as the submission pipeline knows it: local_actor(), every ward, local_source().
submit::Asker local_asker();

class Session {
 public:
  /// `config_flag`, `server_flag`: --config and --server as parsed ("" when not given);
  /// read when first needed, after the command line is parsed.
  Session(const std::string& config_flag, const std::string& server_flag)
      : config_flag_(config_flag), server_flag_(server_flag) {}
  /// The config; nullptr after printing what is wrong with it. Through the API (remote()),
  /// only what the client needs: the file's `language` and `timezone` over the defaults,
  /// the rest of it (if there is a file at all) is the server's business.
  const config::Config* config();
  /// Whether the commands work through the officials' API: --server, else the config
  /// file's `server:`.
  bool remote();
  /// The API client (remote() only); nullptr after printing why there is none.
  ApiClient* api();
  /// Prints `error` about a backend call; returns kUsage when the API refused it (4xx:
  /// nothing changed), kRuntime otherwise.
  int failed(const std::string& error);
  /// The exit code when backend() gave nullptr: 2 for a missing token or a bad --server,
  /// 1 for a Redis that cannot be reached.
  int unavailable() const { return unavailable_; }
  /// A command the API has no endpoint for, refused through it (exit 2).
  int local_only(const std::string& command);
  /// The backend; nullptr after printing why it cannot be reached.
  Backend* backend();
  /// The backend without printing (callers that go on without it); the error otherwise.
  std::expected<Backend*, std::string> try_backend();
  /// A preview, check or send through the backend (Backend::submit); a preview on this
  /// machine whose Redis cannot be reached still renders, without the opt-outs (and says so).
  /// The error: the exit code, after printing why the backend could not be asked.
  std::expected<submit::Outcome, int> submit(const submit::Request& r);
  /// The templates the sender may use (jobs::templates_json()); the exit code after
  /// printing why not.
  std::expected<nlohmann::json, int> templates();
  /// A job's status, or the exit code after printing "no job X" (2) or the error (1).
  std::expected<store::JobStatus, int> job(const std::string& id);
  /// Records an action done in the audit trail, as local:<unix user>; `done_code` when it
  /// is recorded, otherwise kRuntime after saying that the action was done but not recorded.
  /// Through the API the server records it, as the account.
  int audited(int done_code, const std::string& action, const std::string& job, nlohmann::json summary);

 private:
  const std::string& server_url();

  const std::string& config_flag_;
  const std::string& server_flag_;
  std::optional<config::Config> config_;
  std::unique_ptr<ApiClient> api_;
  std::optional<std::string> server_;  ///< server_url(), once read
  int unavailable_ = kRuntime;
  std::unique_ptr<Backend> backend_;
};

/// The families of commands, each in its own file; every command sets `exit_code`.
void add_sending_commands(CLI::App& app, Session& s, int& exit_code);    // send, preview, templates
void add_following_commands(CLI::App& app, Session& s, int& exit_code);  // status, jobs, report
void add_operating_commands(CLI::App& app, Session& s, int& exit_code);  // cancel, retry, optout, check
void add_trust_commands(CLI::App& app, Session& s, int& exit_code);      // approve, reject, account, audit
void add_calendar_commands(CLI::App& app, Session& s, int& exit_code);   // calendar, calendar override
void add_remind_commands(CLI::App& app, Session& s, int& exit_code);     // remind add/list/remove/run

}  // namespace loa::cli
