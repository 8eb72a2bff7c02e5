// Where a resident list's rows come from: a text file in one of the encodings Excel
// writes (text_file.h) or the first sheet of an .xlsx workbook (xlsx.h).
#pragma once
#include <expected>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/i18n.h"

namespace loa::wards {

/// Why a row is malformed (RowSource::next's `error` and the list's own checks). Stored in
/// English as part of a skip reason; row_fault_for_people() shows it translated.
namespace row_fault {
inline constexpr const char* kUnterminatedQuote = i18n::N_("unterminated quoted field");
inline constexpr const char* kTextAfterQuote = i18n::N_("text after a closing quote");
inline constexpr const char* kNotUtf8 = i18n::N_("not valid UTF-8");
inline constexpr const char* kFieldCount = i18n::N_("{} fields, the header has {}");
inline constexpr const char* kCellTooLong = i18n::N_("a cell longer than {} bytes");
inline constexpr const char* kTooManyColumns = i18n::N_("more than {} columns");
inline constexpr const char* kNoSharedString = i18n::N_("cell {} names shared string {}, which the workbook lacks");
inline constexpr const char* kNotANumber = i18n::N_("cell {} holds \"{}\", which is not a number");
}  // namespace row_fault

/// A row fault in the chosen language.
std::string row_fault_for_people(std::string_view fault);

class RowSource {
 public:
  virtual ~RowSource() = default;

  /// Reads the next non-blank row into `fields` (UTF-8 cells); false at the end, or on a
  /// fault that ends the file early (then `fault()` says what). `line` gets the row's line
  /// in the file, or its row number in the sheet; `error` is set, with the fields still
  /// returned, when only this row is malformed.
  virtual bool next(std::vector<std::string>& fields, int& line, std::string& error) = 0;

  /// Why reading stopped before the end of the file; empty when it reached the end.
  virtual const std::string& fault() const = 0;

  /// What was read: "UTF-8", "UTF-8 with BOM", "UTF-16LE", "Windows-1258", "xlsx, sheet Danh sách", ...
  virtual const std::string& form() const = 0;
};

/// Opens a list: `.xlsx` as a workbook, anything else as text. Errors name the file,
/// and for an encoding problem its first bad line.
std::expected<std::unique_ptr<RowSource>, std::string> open_rows(const std::string& path);

}  // namespace loa::wards
