// The job one occurrence of a reminder makes (`loa remind`, the gateway's reminder loop).
#pragma once
#include "core/calendar/rules.h"
#include "core/config/config.h"
#include "core/jobs/job_spec.h"
#include "core/store/remind_store.h"
#include "core/text/message_template.h"

namespace loa::submit {

/// Its template and filters, its wards (every ward the config names, for all_wards), its
/// variables and — where the template uses them and the reminder does not set them — the
/// occurrence's dates (ngay, ngay_am, tu_ngay, den_ngay, ngay_lam_lai, nam); idempotency key
/// "remind:<name>:<occurrence>" (exactly one job per occurrence, whatever the gateways or
/// restarts), sent by "remind:<name>".
jobs::JobSpec reminder_job(const store::Reminder& r, const calendar::Occurrence& o, const config::Config& cfg,
                     const text::MessageTemplate* t);

}  // namespace loa::submit
