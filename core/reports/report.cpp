// The report's rows, CSV and workbook.
#include "core/reports/report.h"

#include <cstdlib>
#include <optional>

#include <fmt/format.h>
#include <xlsxwriter.h>

#include "core/phone/phone.h"
#include "core/reports/words.h"
#include "core/text/segments.h"
#include "core/util/log.h"
#include "core/util/strings.h"
#include "core/util/time.h"

namespace loa::reports {

const std::vector<std::string>& columns() {
  static const std::vector<std::string> kColumns{"STT",          "Dòng",   "Đơn vị",     "Khóm/Ấp",      "Họ tên",
                                                 "Số điện thoại", "Trạng thái", "Lý do",  "Nhà cung cấp", "Mã tin",
                                                 "Số lần gửi",   "Xếp hàng lúc", "Gửi lúc", "Kết thúc lúc"};
  return kColumns;
}

std::vector<std::string> row_of(const store::MessageRecord& m, const config::Config& cfg, bool full_numbers) {
  const auto& d = m.data;
  const auto& p = m.progress;
  // The office's dates: dd/mm/yyyy.
  auto day_first = [&](std::int64_t ms) { return ms == 0 ? std::string() : util::format_day_first(ms, cfg.timezone); };
  return {d.stt,
          d.row,
          cfg.ward_name(d.ward),
          d.area,
          d.name,
          full_numbers ? d.phone : util::mask_phone(d.phone),
          p.state ? std::string(vi_state(*p.state)) : "",
          // A provider's reason may quote the number (stored masked since issue 29; older ones too).
          full_numbers ? vi_reason(p.error) : util::mask_numbers(vi_reason(p.error)),
          p.provider,
          p.provider_id,
          std::to_string(p.attempts),
          day_first(d.queued_at),
          day_first(p.sent_at == 0 ? p.taken_at : p.sent_at),
          day_first(p.done_at)};
}

nlohmann::json message_json(const store::MessageRecord& m, const config::Config& cfg, bool full_numbers) {
  using nlohmann::json;
  const auto& d = m.data;
  const auto& p = m.progress;
  auto when = [&](std::int64_t ms) { return ms == 0 ? json(nullptr) : json(util::format_rfc3339(ms, cfg.timezone)); };
  char* end = nullptr;
  const long list_row = std::strtol(d.row.c_str(), &end, 10);
  return {{"row", m.index + 1},
          {"list_row", end && *end == 0 && !d.row.empty() ? json(list_row) : json(d.row)},
          {"ward", d.ward},
          {"area", d.area},
          {"name", d.name},
          {"phone", full_numbers ? d.phone : util::mask_phone(d.phone)},
          {"state", p.state ? json(jobs::name(*p.state)) : json(nullptr)},
          {"reason", full_numbers ? p.error : util::mask_numbers(p.error)},
          {"channel", "sms"},
          {"provider", p.provider},
          {"provider_id", p.provider_id},
          {"attempts", p.attempts},
          {"queued_at", when(d.queued_at)},
          {"sent_at", when(p.sent_at == 0 ? p.taken_at : p.sent_at)},
          {"finished_at", when(p.done_at)}};
}

std::string csv_line(const std::vector<std::string>& cells) {
  auto cell = [](const std::string& text) {
    // A cell a spreadsheet would take for a formula (=, +, -, @, or a tab or CR first) is
    // given a leading ' (OWASP, "CSV Injection"): a name or a provider's reason is text.
    const std::string v = !text.empty() && std::string_view("=+-@\t\r").find(text.front()) != std::string_view::npos
                              ? "'" + text
                              : text;
    if (v.find_first_of(",\"\n\r") == std::string::npos) return v;
    std::string out = "\"";
    for (char c : v) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
  };
  return util::join(cells, ",", cell) + "\r\n";
}

std::string csv_head() { return "\xEF\xBB\xBF" + util::join(columns(), ",") + "\r\n"; }

namespace {

// Totals over a job's messages for the summary: segments and estimated cost of those that
// were (or are to be) sent, and one text as the announcement's example.
struct ReportTotals {
  std::int64_t segments = 0, cost = 0;
  std::string example;
};

// The chairman's workbook: a summary sheet, then one row per recipient. Written with
// libxlsxwriter in constant-memory mode (a row at a time), so a city's job fits.
class ReportBook {
 public:
  explicit ReportBook(const std::string& path) {
    lxw_workbook_options options{};
    options.constant_memory = LXW_TRUE;
    book_ = workbook_new_opt(path.c_str(), &options);
    if (!book_) return;
    summary_ = workbook_add_worksheet(book_, "Tổng hợp");
    recipients_ = workbook_add_worksheet(book_, "Người nhận");
    bold_ = workbook_add_format(book_);
    format_set_bold(bold_);
    for (std::size_t c = 0; c < columns().size(); ++c)
      worksheet_write_string(recipients_, 0, static_cast<lxw_col_t>(c), columns()[c].c_str(), bold_);
    worksheet_set_column(recipients_, 4, 4, 24, nullptr);
    worksheet_set_column(recipients_, 7, 7, 40, nullptr);
  }
  ~ReportBook() {
    if (book_) workbook_close(book_);
  }
  bool ok() const { return book_ != nullptr; }
  void recipient(const std::vector<std::string>& cells) {
    ++row_;
    for (std::size_t c = 0; c < cells.size(); ++c)
      if (!cells[c].empty()) worksheet_write_string(recipients_, row_, static_cast<lxw_col_t>(c), cells[c].c_str(), nullptr);
  }
  void summary_line(const std::string& label, const std::string& value) {
    worksheet_write_string(summary_, summary_row_, 0, label.c_str(), bold_);
    worksheet_write_string(summary_, summary_row_, 1, value.c_str(), nullptr);
    ++summary_row_;
  }
  void summary_count(const std::string& label, std::int64_t n) {
    worksheet_write_string(summary_, summary_row_, 0, label.c_str(), nullptr);
    worksheet_write_number(summary_, summary_row_, 1, static_cast<double>(n), nullptr);
    ++summary_row_;
  }
  /// Closes the file; the error when it could not be written.
  std::optional<std::string> close() {
    worksheet_set_column(summary_, 0, 0, 28, nullptr);
    worksheet_set_column(summary_, 1, 1, 80, nullptr);
    lxw_error e = workbook_close(book_);
    book_ = nullptr;
    if (e != LXW_NO_ERROR) return std::string(lxw_strerror(e));
    return std::nullopt;
  }

 private:
  lxw_workbook* book_ = nullptr;
  lxw_worksheet *summary_ = nullptr, *recipients_ = nullptr;
  lxw_format* bold_ = nullptr;
  lxw_row_t row_ = 0, summary_row_ = 0;
};

}  // namespace

std::expected<void, std::string> write_workbook(const std::string& path, const store::JobStatus& j,
                                                const config::Config& cfg, bool full_numbers, const MessageWalk& walk) {
  ReportBook book(path);
  if (!book.ok()) return std::unexpected(path + ": cannot create the workbook");
  ReportTotals totals;
  auto r = walk([&](const store::MessageRecord& m) {
    const auto& d = m.data;
    if (m.progress.state != jobs::MessageState::skipped && !d.text.empty()) {
      const auto seg = text::count_segments(d.text);
      totals.segments += seg.segments;
      totals.cost += seg.segments * cfg.pricing.per_segment(phone::carrier_of(d.phone), seg.unicode);
      if (totals.example.empty()) totals.example = d.text;
    }
    book.recipient(row_of(m, cfg, full_numbers));
  });
  if (!r) return std::unexpected(r.error());
  auto day_first = [&](std::int64_t ms) { return ms == 0 ? std::string() : util::format_day_first(ms, cfg.timezone); };
  std::vector<std::string> units;
  for (const auto& w : util::split(j.wards, ",")) units.push_back(cfg.ward_name(std::string(w)));
  book.summary_line("Báo cáo gửi tin nhắn", "");
  book.summary_line("Mã thông báo", j.id);
  book.summary_line("Mẫu tin", j.template_name);
  book.summary_line("Nội dung (tin đầu tiên)", totals.example);
  book.summary_line("Đơn vị", util::join(units, ", "));
  book.summary_line("Người gửi", j.by.empty() ? "không ghi nhận" : j.by);
  book.summary_line("Gửi lúc", day_first(j.created_ms));
  book.summary_line("Kết thúc lúc", day_first(j.finished_ms));
  book.summary_count("Tổng số người nhận", j.total);
  for (auto state : jobs::kMessageStates) book.summary_count(std::string(vi_state(state)), j.count(state));
  book.summary_count("Số SMS (phần tin)", totals.segments);
  book.summary_line("Chi phí ước tính", cfg.pricing.configured ? fmt::format("{} {}", totals.cost, cfg.pricing.currency)
                                                                : "chưa đặt giá (pricing: trong cấu hình)");
  if (auto e = book.close()) return std::unexpected(path + ": " + *e);
  return {};
}

}  // namespace loa::reports
