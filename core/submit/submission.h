// The one road every announcement takes, whoever sends it: `loa send` and `loa preview` on
// Redis directly, the officials' API (and so `loa --server` and the console), and the
// gateway's reminders. Given a request and who asks, submit() checks everything (bounds,
// template, wards and the asker's rights, lists and their columns, variables, areas, the
// 24-hour repeat guard, size and segment limits), works out what will happen (recipients,
// segments, cost, approval, when it goes and why), enqueues, and writes the audit entry.
// Its answer is one Outcome, the same structure on every road: the API sends it as JSON,
// `loa --server` reads it back, and lines() words it for people the same way for both.
#pragma once
#include <cstdint>
#include <expected>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/config/config.h"
#include "core/jobs/job_spec.h"
#include "core/store/redis.h"
#include "core/text/message_template.h"

namespace loa::submit {

/// Who asks. Its name is the job's sender ("by") and the audit entry's actor: an account,
/// "local:<unix user>" (the local admin), or "remind:<name>".
struct Asker {
  std::string actor;
  std::string source;              ///< the audit entry's source: a client address, "local", "gateway"
  bool every_ward = false;         ///< an admin, the local admin, a reminder
  std::vector<std::string> wards;  ///< otherwise the wards it may use ("*": every one)
  bool may_use(const std::string& ward) const;
};

/// How far to go.
enum class Mode {
  preview,  ///< show what it would send; content problems (too long, nobody) are said, not refused
  check,    ///< every check of a send, nothing enqueued (`loa send --dry-run`)
  send,     ///< check, enqueue, audit
};

/// What is asked: the job (the stream's JSON, CONTRACT.md) and how.
struct Request {
  jobs::JobSpec spec;
  bool all_wards = false;  ///< every ward of the config the asker may use (`--all-wards`)
  bool again = false;      ///< past the 24-hour repeat guard (`--again`)
  Mode mode = Mode::send;
  int limit = 0;           ///< sample messages to keep (preview)
};

/// A request from JSON: the stream job's fields, and "all_wards" and "again" (booleans);
/// the error names the field. "at" is read in `timezone`. The sender ("by") is never
/// taken from it: submit() sets it to the asker.
std::expected<Request, std::string> parse_request(const std::string& json, std::string_view timezone);
/// The JSON parse_request reads (what `loa --server` sends).
nlohmann::json request_json(const Request& r);

/// What came of a request.
struct Outcome {
  enum class Verdict {
    enqueued,     ///< a new job (`id`)
    key_repeat,   ///< its key was used before for the same announcement: `id` is the first job
    checked,      ///< preview or check: nothing enqueued
    refused,      ///< nothing enqueued: `errors` say why
    unavailable,  ///< Redis could not be asked: `errors` say why (for the log, not a stranger)
  };
  /// Why a request was refused, for a program (the words are in `errors`).
  enum class Refusal { none, invalid, forbidden, repeat, key_conflict, empty, too_long };

  Verdict verdict = Verdict::checked;
  Refusal refusal = Refusal::none;
  std::vector<std::string> errors;    ///< in the asker's language, each a sentence
  std::string id;                     ///< the job; for `repeat`, the earlier job
  std::string key;                    ///< its idempotency key, when it has one
  std::vector<std::string> wards;     ///< the wards it goes to (after --all-wards)
  nlohmann::json preview;             ///< jobs::preview_json(): template, totals, samples, skipped
  std::optional<std::string> approval;  ///< why it waits for a second person (the asker's language)
  std::optional<std::int64_t> at_ms;    ///< its --at
  std::string at_local;                 ///< its --at in the config's time zone, "DD/MM/YYYY HH:MM"
  std::optional<std::string> quiet_hours;  ///< it waits for the end of quiet hours: the words
  std::optional<std::int64_t> gateway_idle_ms;  ///< no gateway reads the queue: -1 never, else how long
  std::vector<std::string> warnings;    ///< what the asker should know (words)
  std::string audit_error;              ///< done, but not recorded in the audit trail (words)

  /// The HTTP status the API answers with: 202 enqueued, 200 key repeat or checked, 400
  /// invalid, 403 forbidden, 409 repeat or key conflict, 503 unavailable.
  unsigned http_status() const;
  /// `loa`'s exit code: 0, 2 when refused, 1 when unavailable or not audited.
  int exit_code() const;

  /// The JSON the API answers: the preview's fields, then "outcome", "refusal", "errors",
  /// "id", "state", "recipients", "segments", "cost", "currency", "approval", "at",
  /// "at_local", "quiet_hours", "gateway_idle_s", "warnings", "audit" (docs/api.md, "API").
  nlohmann::json to_json() const;
  /// Read back by `loa --server` without trusting its shape: a missing or mistyped field is
  /// left empty; nullopt when it is not an outcome at all.
  static std::optional<Outcome> from_json(const nlohmann::json& j);
};

/// The words of an outcome, in the current language: `out` for standard output (the totals,
/// when it goes, approval, the id last), `err` for standard error (each error and warning).
struct Lines {
  std::vector<std::string> out, err;
};
/// "about 12.345 VND" from a preview's totals ("cost not estimated ..." without pricing).
std::string cost_words(const nlohmann::json& totals);
/// The totals line of a preview: rows, messages, skipped, segments, cost, encoding.
std::string totals_words(const nlohmann::json& preview);

/// `head`: the totals and what will happen (printed before a confirmation); `tail`: the
/// rest (the id, warnings). An outcome is printed whole as head then tail.
Lines head_lines(const Outcome& o);
Lines tail_lines(const Outcome& o);

/// Where a request is submitted: the config, the templates when already loaded (the
/// daemon's, reloaded on SIGHUP; otherwise read from templates_dir), and Redis (may be
/// null for a preview, which then does not check opt-outs and says so).
struct Place {
  const config::Config& cfg;
  const std::map<std::string, std::shared_ptr<const text::MessageTemplate>>* templates = nullptr;
  store::Redis* redis = nullptr;
  std::string redis_unavailable;  ///< why `redis` is null
};

Outcome submit(const Place& at, const Asker& asker, Request request);

/// "quiet hours (21:00-07:00): it waits and goes at 07:00 (--urgent sends now)" when quiet
/// hours hold a bulk job at `now_ms`; nullopt outside them, for urgent work, or with none.
std::optional<std::string> quiet_hours_note(const config::Config& cfg, bool urgent, std::int64_t now_ms);

}  // namespace loa::submit
