// Resident lists (<wards_dir>/<ward-id>.csv): header aliases, NFC cells, phone checks.
#pragma once
#include <expected>
#include <fstream>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/phone/phone.h"
#include "core/wards/csv.h"

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
  /// Opens `path` and reads its header. Errors name the file (and line).
  static std::expected<std::unique_ptr<ResidentReader>, std::string> open(const std::string& path);

  /// Reads the next row; false at the end. Malformed rows come back with `problem` set.
  bool next(Resident& out);

  /// Columns other than the four known ones, as template variable names.
  const std::vector<std::string>& extra_columns() const { return extra_names_; }
  const std::string& path() const { return path_; }

 private:
  ResidentReader(std::string path) : path_(std::move(path)), in_(path_, std::ios::binary), csv_(in_) {}
  std::string path_;
  std::ifstream in_;
  CsvReader csv_;
  int col_name_ = -1, col_phone_ = -1, col_area_ = -1, col_tags_ = -1;
  size_t columns_ = 0;
  std::vector<std::pair<int, std::string>> extra_;  ///< column index, variable name
  std::vector<std::string> extra_names_;
  std::vector<std::string> fields_;
};

/// The list file of a ward.
std::string ward_path(const std::string& wards_dir, const std::string& ward_id);

/// Splits a tags cell ("a; b, c") into trimmed, non-empty tags.
std::vector<std::string> split_tags(const std::string& cell);

}  // namespace loa::wards
