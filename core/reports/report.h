// A job's report for people: one row per recipient (the list's STT, row, unit, khóm/ấp,
// name, masked number, state and reason in Vietnamese, provider, times), as CSV for Excel
// and as the chairman's workbook (a summary sheet and a recipients sheet). Shared by
// `loa report` and the API's report.csv / report.xlsx.
#pragma once
#include <expected>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/config/config.h"
#include "core/store/query_store.h"

namespace loa::reports {

/// The columns, in Vietnamese (CSV header and the recipients sheet).
const std::vector<std::string>& columns();

/// One recipient's cells, in columns() order: the number masked unless `full_numbers`,
/// dates dd/mm/yyyy.
std::vector<std::string> row_of(const store::MessageRecord& m, const config::Config& cfg, bool full_numbers);

/// One recipient for programs (`loa report --json`, GET /api/v1/jobs/<id>/messages): "row"
/// (its 1-based place in the job, what paging goes by), "list_row" (its row in the list
/// file), "ward", "area", "name", "phone" (masked unless `full_numbers`), "state", "reason"
/// (English, as stored), "channel", "provider", "provider_id", "attempts", "queued_at",
/// "sent_at", "finished_at" (RFC 3339 with the config zone's offset; null when not yet).
nlohmann::json message_json(const store::MessageRecord& m, const config::Config& cfg, bool full_numbers);

/// A CSV line (RFC 4180 quoting), ending in CRLF as Excel expects.
std::string csv_line(const std::vector<std::string>& cells);
/// What a CSV report starts with: a UTF-8 BOM (so that Excel reads Vietnamese right) and the
/// header line.
std::string csv_head();

/// Walks a job's messages in order, calling `fn` for each (QueryStore::for_each_message or
/// the command line's backend).
using MessageWalk =
    std::function<std::expected<void, std::string>(const std::function<void(const store::MessageRecord&)>& fn)>;

/// Writes the workbook to `path` (libxlsxwriter, a row at a time: a city's job fits).
std::expected<void, std::string> write_workbook(const std::string& path, const store::JobStatus& job,
                                                const config::Config& cfg, bool full_numbers, const MessageWalk& walk);

}  // namespace loa::reports
