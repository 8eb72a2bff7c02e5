// What officials and the janitor change in a job: cancel, resend, approve or reject,
// purge by retention; and a provider's pause.
#include "core/store/control_store.h"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/util/strings.h"
#include "core/util/time.h"

namespace loa::store {

std::expected<void, std::string> ControlStore::pause(const std::string& provider, const std::string& reason, std::int64_t ms) {
  auto r = redis_.command({"SET", keys_.paused(provider), reason, "PX", std::to_string(ms)});
  if (!r) return std::unexpected(r.error());
  return {};
}

std::expected<std::optional<jobs::JobState>, std::string> ControlStore::cancel(const std::string& job) {
  std::optional<jobs::JobState> before;
  // The sweep runs in slices so Redis is never blocked for long; new rows written by a
  // racing expander see the job cancelled and are stored as cancelled.
  for (std::int64_t first = 0;; first += 1000) {
    auto st = QueryStore(redis_, p_).status(job);
    if (!st) return std::unexpected(st.error());
    if (!*st) return std::nullopt;
    auto r = run(scripts::Id::cancel, {keys_.job(job), keys_.due()},
                 {job, std::to_string(first), std::to_string(first + 1000)});
    if (!r) return std::unexpected(r.error());
    if (first == 0) before = jobs::job_state(r->text());
    if (!before) return std::unexpected("job " + job + " has an unreadable state: " + r->text());
    if (*before == jobs::JobState::done || *before == jobs::JobState::rejected || first + 1000 >= (*st)->total) break;
  }
  return before;
}

std::expected<ControlStore::Decided, std::string> ControlStore::decide(const std::string& job, bool approve,
                                                                   const std::string& actor, const std::string& reason) {
  auto r = run(scripts::Id::decide, {keys_.job(job), keys_.due(), keys_.approvals()},
               {job, approve ? "approve" : "reject", actor, reason});
  if (!r) return std::unexpected(r.error());
  const std::string answer = r->text();
  if (answer == "ok") return Decided{};
  if (answer == "self") return Decided{Decision::by_sender, std::nullopt};
  if (answer == "none") return Decided{Decision::no_job, std::nullopt};
  return Decided{Decision::not_waiting, jobs::job_state(answer)};
}

std::expected<ControlStore::Purged, std::string> ControlStore::purge(std::int64_t cutoff_ms, bool dry_run) {
  Purged out;
  // Every job, oldest first, a slice at a time (the script skips those not due).
  for (long long start = 0;; start += 500) {
    auto ids = redis_.command({"ZRANGE", keys_.index(), std::to_string(start), std::to_string(start + 499)});
    if (!ids) return std::unexpected(ids.error());
    for (const auto& id : ids->elements) {
      auto r = run(scripts::Id::purge, {keys_.job(id.text())}, {id.text(), std::to_string(cutoff_ms), dry_run ? "1" : "0"});
      if (!r) return std::unexpected(r.error());
      if (r->as_int() < 0) continue;
      ++out.jobs;
      out.messages += r->as_int();
    }
    if (ids->elements.size() < 500) return out;
  }
}

std::expected<std::vector<std::string>, std::string> ControlStore::approvals_before(std::int64_t before_ms) {
  auto r = redis_.command({"ZRANGE", keys_.approvals(), "-inf", "(" + std::to_string(before_ms), "BYSCORE"});
  if (!r) return std::unexpected(r.error());
  std::vector<std::string> out;
  for (const auto& id : r->elements) out.push_back(id.text());
  return out;
}

std::expected<long long, std::string> ControlStore::requeue(const std::string& job, jobs::MessageState state) {
  auto st = QueryStore(redis_, p_).status(job);
  if (!st) return std::unexpected(st.error());
  if (!*st) return std::unexpected("no job " + job);
  long long total = 0;
  for (std::int64_t first = 0; first < (*st)->total; first += 1000) {
    auto r = run(scripts::Id::requeue, {keys_.job(job)},
                 {job, std::string(jobs::name(state)), std::to_string(first), std::to_string(first + 1000)});
    if (!r) return std::unexpected(r.error());
    if (r->as_int() == -2)
      return std::unexpected("job " + job + " is " + std::string((*st)->state_name()) + "; nothing can be resent");
    total += std::max(0LL, r->as_int());
  }
  return total;
}

}  // namespace loa::store
