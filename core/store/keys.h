// Every Redis key Loa uses, built in one place for C++; the Lua prelude's `K` builds the
// ones scripts make themselves (core/store/lua/prelude.lua), and codec_test checks that the
// two agree. Each key is `<prefix>:<name>[:<part>...]`. What each holds is drawn in
// docs/design.md (the key table); a new key goes here, in the prelude if a script builds it, in
// codec_test and in that table.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace loa::store {

class Keys {
 public:
  explicit Keys(std::string prefix) : p_(std::move(prefix)) {}
  const std::string& prefix() const { return p_; }

  // Jobs.
  std::string jobs() const { return k("jobs"); }              ///< stream: jobs as producers add them
  std::string job(std::string_view id) const { return k("job:", id); }  ///< hash: a job's state
  std::string index() const { return k("index"); }            ///< zset: every job by time
  std::string due() const { return k("due"); }                ///< zset: jobs to expand, by when
  std::string owner() const { return k("owner"); }            ///< hash: job -> the gateway expanding it
  std::string approvals() const { return k("approvals"); }    ///< zset: jobs awaiting approval
  std::string jobstates() const { return k("jobstates"); }    ///< hash: state -> how many jobs
  std::string recent(std::string_view fingerprint) const { return k("recent:", fingerprint); }  ///< the 24-hour repeat guard
  /// The idempotency key `key` of sender `by` (length-prefixed: no sender's key is another's).
  std::string idem(std::string_view by, std::string_view key) const {
    return k("idem:", std::to_string(by.size()) + ":" + std::string(by) + ":" + std::string(key));
  }
  std::string idem_none() const { return k("idem:"); }        ///< a placeholder when a job has no key

  // Messages.
  std::string md(std::string_view job) const { return k("md:", job); }  ///< hash: chunks of message data
  std::string ms(std::string_view job, std::int64_t bucket) const {     ///< hash: packed progress
    return k("ms:", std::string(job) + ":" + std::to_string(bucket));
  }
  std::string via(std::string_view job) const { return k("via:", job); }
  std::string round(std::string_view job) const { return k("round:", job); }
  std::string pin(std::string_view job) const { return k("pin:", job); }

  // Sending.
  std::string lane(std::string_view provider, std::string_view job) const {
    return k("lane:", std::string(provider) + ":" + std::string(job));
  }
  std::string active(std::string_view provider, std::string_view prio) const {
    return k("active:", std::string(provider) + ":" + std::string(prio));
  }
  std::string vt(std::string_view provider, std::string_view prio) const {
    return k("vt:", std::string(provider) + ":" + std::string(prio));
  }
  std::string rl(std::string_view provider) const { return k("rl:", provider); }
  std::string takes() const { return k("takes"); }
  std::string inflight() const { return k("inflight"); }
  std::string retry() const { return k("retry"); }
  std::string paused(std::string_view provider) const { return k("paused:", provider); }
  std::string dlr(std::string_view provider, std::int64_t day) const {
    return k("dlr:", std::string(provider) + ":" + std::to_string(day));
  }

  // People and their trail.
  std::string optout() const { return k("optout"); }
  std::string accounts() const { return k("accounts"); }
  std::string account(std::string_view name) const { return k("account:", name); }
  std::string token(std::string_view hash) const { return k("token:", hash); }
  std::string audit() const { return k("audit"); }
  std::string audit_head() const { return k("audit:head"); }
  std::string audit_base() const { return k("audit:base"); }
  std::string reminders() const { return k("reminders"); }
  std::string remind_state() const { return k("remind-state"); }
  std::string lock(std::string_view name) const { return k("lock:", name); }

 private:
  std::string k(std::string_view name, std::string_view part = {}) const {
    std::string out;
    out.reserve(p_.size() + 1 + name.size() + part.size());
    out.append(p_).append(":").append(name).append(part);
    return out;
  }
  std::string p_;
};

}  // namespace loa::store
