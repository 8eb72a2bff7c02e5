// Streaming CSV reader.
#include "core/wards/csv.h"

#include "core/wards/row_source.h"

namespace loa::wards {

CsvReader::CsvReader(std::istream& in) : in_(in) {}

bool CsvReader::read_line(std::string& out) {
  if (!std::getline(in_, out)) return false;
  ++line_;
  if (!out.empty() && out.back() == '\r') out.pop_back();
  if (first_) {
    first_ = false;
    if (out.rfind("\xEF\xBB\xBF", 0) == 0) out.erase(0, 3);
  }
  return true;
}

bool CsvReader::next(std::vector<std::string>& fields, int& line, std::string& error) {
  error.clear();
  std::string& text = text_;
  // Skip blank lines.
  do {
    if (!read_line(text)) return false;
  } while (text.find_first_not_of(" \t") == std::string::npos);
  line = line_;
  if (sep_ == 0) {
    // The header decides: whichever of ',', ';' and tab appears most often outside quotes
    // (a comma on a tie).
    int commas = 0, semis = 0, tabs = 0;
    bool q = false;
    for (char c : text) {
      if (c == '"') q = !q;
      else if (!q && c == ',') ++commas;
      else if (!q && c == ';') ++semis;
      else if (!q && c == '\t') ++tabs;
    }
    sep_ = tabs > commas && tabs > semis ? '\t' : semis > commas ? ';' : ',';
  }
  // Fields are written into the caller's strings, which keep their buffers from record
  // to record.
  size_t n = 0;
  auto start_field = [&]() -> std::string& {
    if (fields.size() <= n) fields.emplace_back();
    fields[n].clear();
    return fields[n];
  };
  std::string* field = &start_field();
  // One turn: take the next character of the record; a quoted field that reaches the
  // end of a line pulls in the next line (the newline is part of the field).
  bool quoted = false, was_quoted = false;
  size_t i = 0;
  for (;;) {
    if (i == text.size()) {
      if (quoted) {
        if (!read_line(text)) {
          error = row_fault::kUnterminatedQuote;
          break;
        }
        *field += '\n';
        i = 0;
        continue;
      }
      break;
    }
    char c = text[i++];
    if (quoted) {
      if (c == '"') {
        if (i < text.size() && text[i] == '"') {
          *field += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        *field += c;
      }
    } else if (c == sep_) {
      ++n;
      field = &start_field();
      was_quoted = false;
    } else if (c == '"' && !was_quoted && field->find_first_not_of(" \t") == std::string::npos) {
      field->clear();
      quoted = was_quoted = true;
    } else {
      if (was_quoted && c != ' ' && c != '\t' && error.empty()) error = row_fault::kTextAfterQuote;
      *field += c;
    }
  }
  fields.resize(n + 1);
  return true;
}

}  // namespace loa::wards
