// Resident lists as Excel workbooks: the first sheet of an .xlsx file, read with libzip
// and expat as it streams (shared strings and styles are held; rows are not).
#pragma once
#include <cstdint>
#include <deque>
#include <expected>
#include <memory>
#include <string>
#include <vector>

#include "core/wards/row_source.h"

struct zip;
struct zip_file;
struct XML_ParserStruct;

namespace loa::wards {

/// How a style shows a number: as Excel's General does, as a date, or padded with zeros
/// to a width (a format like "0000000000", which offices use to keep a phone's 0).
struct NumberStyle {
  enum class Kind : std::uint8_t { General, Date, DateTime, Padded } kind = Kind::General;
  int width = 0;  ///< for Padded
};

/// A number cell's value as Excel shows it: integers without ".0" (912345678), dates as
/// dd/mm/yyyy, padded formats with their zeros; other numbers in their shortest exact form.
std::string show_number(double value, NumberStyle style);

/// What a number format code shows (for the styles of a workbook).
NumberStyle style_of_format(int id, const std::string& code);

/// Caps that keep a hostile workbook from taking the machine: bytes of XML read (a zip
/// bomb stops here), shared strings held, columns per row, characters per cell.
struct XlsxLimits {
  std::int64_t max_sheet_bytes = 2LL << 30;
  std::int64_t max_shared_bytes = 256LL << 20;
  int max_columns = 16384;  ///< Excel's own
  std::size_t max_cell_bytes = 32767 * 4;
};

class XlsxRows final : public RowSource {
 public:
  static std::expected<std::unique_ptr<XlsxRows>, std::string> open(const std::string& path, XlsxLimits limits = {});
  ~XlsxRows() override;
  bool next(std::vector<std::string>& fields, int& line, std::string& error) override;
  const std::string& fault() const override { return fault_; }
  const std::string& form() const override { return form_; }

  struct Parse;  ///< the sheet parser's state (expat callbacks)

 private:
  XlsxRows(std::string path, XlsxLimits limits);
  bool pump();  ///< parses the next chunk of the sheet; false at its end or on a fault
  std::string path_;
  XlsxLimits limits_;
  zip* archive_ = nullptr;
  zip_file* sheet_ = nullptr;
  XML_ParserStruct* parser_ = nullptr;
  std::unique_ptr<Parse> parse_;
  std::int64_t read_ = 0;
  bool done_ = false;
  std::string fault_, form_;
};

}  // namespace loa::wards
