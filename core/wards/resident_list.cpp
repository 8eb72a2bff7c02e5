// Resident list reading: header aliases matched ignoring case, diacritics and punctuation.
#include "core/wards/resident_list.h"

#include <filesystem>

#include <fmt/format.h>

#include "core/text/unicode.h"
#include "core/util/i18n.h"
#include "core/util/strings.h"
#include "core/wards/text_file.h"
#include "core/wards/xlsx.h"

namespace loa::wards {

namespace {
enum class Column { Name, Phone, Area, Tags, Other };

Column classify(const std::string& header) {
  std::string k = text::fold_key(header);
  if (k == "hoten" || k == "hovaten" || k == "name") return Column::Name;
  if (k == "sodienthoai" || k == "sdt" || k == "dienthoai" || k == "phone") return Column::Phone;
  if (k == "khomap" || k == "khom" || k == "ap" || k == "area") return Column::Area;
  if (k == "nhom" || k == "tags") return Column::Tags;
  return Column::Other;
}
}  // namespace

std::string ward_path(const std::string& wards_dir, const std::string& ward_id) {
  const auto dir = std::filesystem::path(wards_dir);
  auto csv = dir / (ward_id + ".csv"), xlsx = dir / (ward_id + ".xlsx");
  std::error_code ec;
  return (!std::filesystem::exists(csv, ec) && std::filesystem::exists(xlsx, ec) ? xlsx : csv).string();
}

std::expected<std::string, std::string> find_list(const std::string& wards_dir, const std::string& ward_id) {
  const auto dir = std::filesystem::path(wards_dir);
  auto csv = dir / (ward_id + ".csv"), xlsx = dir / (ward_id + ".xlsx");
  std::error_code ec;
  const bool has_csv = std::filesystem::exists(csv, ec), has_xlsx = std::filesystem::exists(xlsx, ec);
  if (has_csv && has_xlsx)
    return std::unexpected(i18n::trf("ward \"{}\" has two lists, {} and {}: remove the one that is not current",
                                       ward_id, csv.string(), xlsx.string()));
  if (!has_csv && !has_xlsx) return std::unexpected(i18n::trf("unknown ward \"{}\": no {} or {}", ward_id, csv.string(), xlsx.string()));
  return (has_xlsx ? xlsx : csv).string();
}

std::string row_fault_for_people(std::string_view fault) {
  using namespace row_fault;
  return i18n::tr_stored(fault, {kUnterminatedQuote, kTextAfterQuote, kNotUtf8, kFieldCount, kCellTooLong,
                                 kTooManyColumns, kNoSharedString, kNotANumber});
}

bool list_extension(const std::string& extension) { return extension == ".csv" || extension == ".xlsx"; }

std::expected<std::unique_ptr<RowSource>, std::string> open_rows(const std::string& path) {
  if (std::filesystem::path(path).extension() == ".xlsx") {
    auto x = XlsxRows::open(path);
    if (!x) return std::unexpected(x.error());
    return std::unique_ptr<RowSource>(std::move(*x));
  }
  auto t = TextRows::open(path);
  if (!t) return std::unexpected(t.error());
  return std::unique_ptr<RowSource>(std::move(*t));
}

std::vector<std::string> split_tags(const std::string& cell) {
  std::vector<std::string> out;
  for (auto tag : util::split(cell, ";,")) out.emplace_back(tag);
  return out;
}

std::expected<std::unique_ptr<ResidentReader>, std::string> ResidentReader::open(const std::string& path,
                                                                                 const phone::Carriers& carriers) {
  auto rows = open_rows(path);
  if (!rows) return std::unexpected(rows.error());
  std::unique_ptr<ResidentReader> r(new ResidentReader(path, std::move(*rows), carriers));
  int line = 0;
  std::string error;
  if (!r->rows_->next(r->fields_, line, error)) {
    if (!r->fault().empty()) return std::unexpected(r->fault());
    return std::unexpected(i18n::trf("{}:1: the file is empty (a header row is needed)", path));
  }
  if (!error.empty()) return std::unexpected(i18n::trf("{}:{}: header: {}", path, line, row_fault_for_people(error)));
  r->columns_ = r->fields_.size();
  std::set<std::string> seen;
  for (size_t i = 0; i < r->fields_.size(); ++i) {
    std::string header = text::nfc(util::trimmed(r->fields_[i]));
    int* slot = nullptr;
    switch (classify(header)) {
      case Column::Name: slot = &r->col_name_; break;
      case Column::Phone: slot = &r->col_phone_; break;
      case Column::Area: slot = &r->col_area_; break;
      case Column::Tags: slot = &r->col_tags_; break;
      case Column::Other: {
        std::string var = text::snake_case(header);
        if (var.empty()) continue;  // an unnamed column carries nothing a template can use
        if (!seen.insert(var).second)
          return std::unexpected(i18n::trf("{}:{}: column \"{}\" appears twice", path, line, header));
        r->extra_.emplace_back(static_cast<int>(i), var);
        r->extra_names_.push_back(var);
        continue;
      }
    }
    if (*slot >= 0) return std::unexpected(i18n::trf("{}:{}: column \"{}\" appears twice", path, line, header));
    *slot = static_cast<int>(i);
  }
  if (r->col_phone_ < 0)
  {
    // What was read, so a wrong encoding or separator shows itself.
    std::vector<std::string> shown;
    for (std::size_t i = 0; i < r->fields_.size() && i < 6; ++i) shown.push_back("\"" + r->fields_[i] + "\"");
    return std::unexpected(i18n::trf("{}:{}: no phone column (expected {}); read as {}, the header has {}", path, line,
                                     "so_dien_thoai, Số điện thoại, SĐT, Điện thoại, phone", r->form(),
                                     util::join(shown, ", ")));
  }
  return r;
}

std::vector<std::string> ResidentReader::row_names() const {
  std::vector<std::string> out{"so_dien_thoai"};
  if (col_name_ >= 0) out.emplace_back("ho_ten");
  if (col_area_ >= 0) out.emplace_back("khom_ap");
  if (col_tags_ >= 0) out.emplace_back("nhom");
  return out;
}

const std::vector<std::string>& ResidentReader::optional_row_names() {
  static const std::vector<std::string> names{"ho_ten", "khom_ap", "nhom"};
  return names;
}

bool ResidentReader::next(Resident& out) {
  int line = 0;
  std::string error;
  if (!rows_->next(fields_, line, error)) return false;
  // `out` is reused from row to row: its strings keep their buffers.
  out.row = line;
  out.problem.clear();
  out.phone.reset();
  auto malformed = [&](std::string problem) {
    out.name.clear();
    out.phone_raw.clear();
    out.area.clear();
    out.tags.clear();
    out.extra.clear();
    out.problem = "malformed row: " + problem;
    return true;
  };
  if (!error.empty()) return malformed(error);
  if (fields_.size() != columns_) return malformed(fmt::format(fmt::runtime(row_fault::kFieldCount), fields_.size(), columns_));
  for (auto& f : fields_) {
    if (!text::valid_utf8(f)) return malformed(row_fault::kNotUtf8);
    text::clean_cell(f);
  }
  auto cell = [&](int col, std::string& to) {
    if (col >= 0) to.assign(fields_[static_cast<size_t>(col)]);
    else to.clear();
  };
  cell(col_name_, out.name);
  cell(col_phone_, out.phone_raw);
  cell(col_area_, out.area);
  out.tags = col_tags_ >= 0 ? split_tags(fields_[static_cast<size_t>(col_tags_)]) : std::vector<std::string>{};
  out.extra.resize(extra_.size());
  for (size_t i = 0; i < extra_.size(); ++i) {
    out.extra[i].first.assign(extra_[i].second);
    out.extra[i].second.assign(fields_[static_cast<size_t>(extra_[i].first)]);
  }
  auto p = phone::normalize(out.phone_raw, *carriers_);
  if (p) out.phone = std::move(*p);
  else out.problem = std::string(phone::describe(p.error()));
  return true;
}

}  // namespace loa::wards
