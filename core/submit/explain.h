// What a job is waiting for, and what an approver is asked to approve, in words: the same
// for `loa status` on Redis and through the API (whose GET /jobs/<id> carries them), since
// both come from here. They fill JobStatus::details, which job_json() carries.
#pragma once
#include <cstdint>
#include <optional>

#include "core/store/query_store.h"
#include "core/submit/submission.h"

namespace loa::submit {

/// Fills `st.details["waiting"]` when the job is not moving for a reason of its own:
/// {"for": "gateway" | "approval" | "at" | "quiet_hours", "until": epoch ms or null,
/// "text": the words}. With `asked`, a job awaiting approval also gets `st.details["asked"]`:
/// {"text": the first recipient's message, "vars", "wards": [{"id", "name"}], "recipients",
/// "segments", "cost" (null without pricing), "currency"}, as the pipeline counts it now.
/// Redis (at.redis) tells how long the gateways have been away; without it that is not said.
void explain(const Place& at, store::JobStatus& st, bool asked, std::int64_t now_ms);

}  // namespace loa::submit
