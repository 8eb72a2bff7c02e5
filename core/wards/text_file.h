// Resident lists saved as text by Excel and others: UTF-8 (with or without BOM), UTF-16
// with BOM ("Unicode Text"), or Windows-1258 (plain "CSV" on a Vietnamese Windows),
// converted to UTF-8 with ICU as they are read, never held whole.
#pragma once
#include <cstdint>
#include <expected>
#include <fstream>
#include <memory>
#include <streambuf>
#include <string>
#include <vector>

#include "core/wards/csv.h"
#include "core/wards/row_source.h"

struct UConverter;

namespace loa::wards {

enum class Encoding { Utf8, Utf8Bom, Utf16LE, Utf16BE, Windows1258 };

/// The encoding's name as `loa check` prints it.
const char* encoding_name(Encoding e);

/// Finds a file's encoding: a byte-order mark decides; without one, text that is all valid
/// UTF-8 is UTF-8, and text with bytes that are not (and no sign of broken UTF-8) is
/// Windows-1258. Refused, naming the problem and the first bad line: NUL bytes (UTF-16
/// without a byte-order mark, or not text at all), UTF-8 with some invalid bytes, and
/// bytes Windows-1258 does not define.
std::expected<Encoding, std::string> detect_encoding(const std::string& path);

/// Bytes in one encoding in, UTF-8 out, chunk by chunk (ICU's ucnv_convertEx).
class DecodingBuf final : public std::streambuf {
 public:
  DecodingBuf(std::streambuf& source, const char* charset);
  ~DecodingBuf() override;
  DecodingBuf(const DecodingBuf&) = delete;
  DecodingBuf& operator=(const DecodingBuf&) = delete;
  bool ok() const { return from_ != nullptr && to_ != nullptr; }
  /// The ICU error that stopped the conversion early; empty while none has.
  const std::string& error() const { return error_; }

 protected:
  int_type underflow() override;

 private:
  std::streambuf& source_;
  UConverter* from_ = nullptr;
  UConverter* to_ = nullptr;
  std::vector<char> in_, out_;
  std::vector<char16_t> pivot_;
  const char* in_next_ = nullptr;
  const char* in_end_ = nullptr;
  char16_t* pivot_source_ = nullptr;
  char16_t* pivot_target_ = nullptr;
  bool reset_ = true, eof_ = false;
  std::string error_;
};

/// A text list: decoded, then read as CSV (comma, semicolon or tab).
class TextRows final : public RowSource {
 public:
  static std::expected<std::unique_ptr<TextRows>, std::string> open(const std::string& path);
  bool next(std::vector<std::string>& fields, int& line, std::string& error) override;
  const std::string& fault() const override { return fault_; }
  const std::string& form() const override { return form_; }

 private:
  explicit TextRows(const std::string& path) : file_(path, std::ios::binary) {}
  std::ifstream file_;
  std::unique_ptr<DecodingBuf> decoder_;
  std::unique_ptr<std::istream> decoded_;
  std::unique_ptr<CsvReader> csv_;
  std::string path_, fault_, form_;
};

}  // namespace loa::wards
