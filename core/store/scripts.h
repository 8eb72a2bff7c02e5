// Loa's Lua scripts (core/store/lua/*.lua, embedded at build time by cmake/embed_lua.cmake),
// each with the prelude in front, as Scripts ready for Redis::eval.
#pragma once
#include <string_view>

#include "core/store/redis.h"

namespace loa::store::scripts {

enum class Id {
  enqueue, admit, claim, expand_chunk, finish_expansion, reject, resume_mine,
  take, record, recover, promote_retries, apply_reports, cancel, requeue,
  account_add, account_revoke, audit_append, decide, purge, audit_trim, count_jobs,
};

/// The script, with the prelude; built (and hashed) once per process.
const Script& get(Id id);
/// The prelude alone, and any file by name (without .lua): for tests that run their own
/// script over the prelude.
std::string_view prelude();
std::string_view source(std::string_view name);

}  // namespace loa::store::scripts
