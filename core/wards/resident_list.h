// Resident lists (<wards_dir>/<ward-id>.csv or .xlsx): header aliases, NFC cells, phone checks.
#pragma once
#include <expected>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/phone/phone.h"
#include "core/wards/row_source.h"

namespace loa::wards {

struct Resident {
  int row = 0;  ///< line of the file the row starts on (the header is line 1)
  std::string name;
  std::string phone_raw;
  std::string area;
  std::vector<std::string> tags;
  std::vector<std::pair<std::string, std::string>> extra;  ///< other columns, snake_case names
  std::optional<phone::Phone> phone;  ///< set when the number is a valid mobile
  std::string problem;                ///< why the row cannot be sent to; empty when fine
};

/// Reads a resident list row by row, never holding the whole file. Not thread-safe.
class ResidentReader {
 public:
  /// Opens `path` (.xlsx, or text in any encoding open_rows() reads) and reads its
  /// header; numbers are checked against `carriers`, which must outlive the reader.
  /// Errors name the file (and line).
  static std::expected<std::unique_ptr<ResidentReader>, std::string> open(
      const std::string& path, const phone::Carriers& carriers = phone::Carriers::builtin());

  /// Reads the next row; false at the end, or when the file cannot be read further (then
  /// fault() says why). Malformed rows come back with `problem` set.
  bool next(Resident& out);

  /// Why reading stopped before the end of the file; empty when it reached the end.
  const std::string& fault() const { return rows_->fault(); }
  /// The file's form: its encoding, or the workbook's sheet.
  const std::string& form() const { return rows_->form(); }

  /// Columns other than the four known ones, as template variable names.
  const std::vector<std::string>& extra_columns() const { return extra_names_; }
  /// The known columns this list has, by their template names (so_dien_thoai always;
  /// ho_ten, khom_ap, nhom when present).
  std::vector<std::string> row_names() const;
  /// The known columns a list may lack: ho_ten, khom_ap, nhom.
  static const std::vector<std::string>& optional_row_names();
  const std::string& path() const { return path_; }

 private:
  ResidentReader(std::string path, std::unique_ptr<RowSource> rows, const phone::Carriers& carriers)
      : path_(std::move(path)), rows_(std::move(rows)), carriers_(&carriers) {}
  std::string path_;
  std::unique_ptr<RowSource> rows_;
  const phone::Carriers* carriers_;
  int col_name_ = -1, col_phone_ = -1, col_area_ = -1, col_tags_ = -1;
  size_t columns_ = 0;
  std::vector<std::pair<int, std::string>> extra_;  ///< column index, variable name
  std::vector<std::string> extra_names_;
  std::vector<std::string> fields_;
};

/// The list file of a ward: <ward_id>.xlsx when only that exists, else <ward_id>.csv.
std::string ward_path(const std::string& wards_dir, const std::string& ward_id);

/// A ward's list file, refusing a ward with both a .csv and an .xlsx (which one the office
/// meant is not Loa's to guess) or with neither.
std::expected<std::string, std::string> find_list(const std::string& wards_dir, const std::string& ward_id);

/// Whether a file name is a resident list's: .csv or .xlsx.
bool list_extension(const std::string& extension);

/// Splits a tags cell ("a; b, c") into trimmed, non-empty tags.
std::vector<std::string> split_tags(const std::string& cell);

}  // namespace loa::wards
