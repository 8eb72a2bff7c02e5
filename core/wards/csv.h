// A streaming CSV record reader (RFC 4180 quoting, ',' ';' or tab, CRLF, UTF-8 BOM).
#pragma once
#include <istream>
#include <string>
#include <vector>

namespace loa::wards {

/// Reads one record at a time; a quoted field may span lines. Not thread-safe.
class CsvReader {
 public:
  /// `in` must outlive the reader. The separator is guessed from the first record.
  explicit CsvReader(std::istream& in);

  /// Reads the next non-blank record into `fields`; false at end of input.
  /// `line` gets the 1-based line the record starts on; `error` is set (and the
  /// record's fields are still returned) for an unterminated quote or stray text
  /// after a closing quote.
  bool next(std::vector<std::string>& fields, int& line, std::string& error);

  char separator() const { return sep_; }

 private:
  bool read_line(std::string& out);
  std::istream& in_;
  char sep_ = 0;
  int line_ = 0;
  bool first_ = true;
  std::string text_;  ///< the line being read, its buffer reused
};

}  // namespace loa::wards
