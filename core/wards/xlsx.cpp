// The first sheet of an .xlsx workbook, row by row: libzip opens the package, expat reads
// its XML (ECMA-376 Part 1, SpreadsheetML: workbook, relationships, shared strings,
// styles, sheet data).
#include "core/wards/xlsx.h"

#include <charconv>
#include <cmath>
#include <functional>
#include <map>
#include <optional>

#include <expat.h>
#include <fmt/format.h>
#include <zip.h>

#include "core/util/i18n.h"

namespace loa::wards {

namespace {

// An element's name without its namespace prefix ("x:row" -> "row").
std::string_view local(const XML_Char* name) {
  std::string_view n(name);
  auto colon = n.rfind(':');
  return colon == std::string_view::npos ? n : n.substr(colon + 1);
}

const char* attribute(const XML_Char** atts, std::string_view want) {
  for (int i = 0; atts[i]; i += 2)
    if (local(atts[i]) == want) return atts[i + 1];
  return nullptr;
}

template <typename T>
std::optional<T> number(std::string_view s) {
  T v{};
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// One small XML part read whole, with callbacks by element.
struct XmlHandlers {
  XML_Parser parser = nullptr;
  std::function<void(std::string_view, const XML_Char**)> start;
  std::function<void(std::string_view)> end;
  std::function<void(std::string_view)> text;
};

// OOXML parts have no document type; one that declares it is refused (no entities at all).
void XMLCALL refuse_doctype(void* u, const XML_Char*, const XML_Char*, const XML_Char*, int) {
  XML_StopParser(static_cast<XmlHandlers*>(u)->parser, XML_FALSE);
}

std::expected<void, std::string> parse_part(const std::string& xml, XmlHandlers& h) {
  XML_Parser p = XML_ParserCreate(nullptr);
  if (!p) return std::unexpected(std::string(i18n::tr("out of memory")));
  XML_SetUserData(p, &h);
  XML_SetStartElementHandler(p, [](void* u, const XML_Char* name, const XML_Char** atts) {
    auto* hh = static_cast<XmlHandlers*>(u);
    if (hh->start) hh->start(local(name), atts);
  });
  XML_SetEndElementHandler(p, [](void* u, const XML_Char* name) {
    auto* hh = static_cast<XmlHandlers*>(u);
    if (hh->end) hh->end(local(name));
  });
  XML_SetCharacterDataHandler(p, [](void* u, const XML_Char* s, int len) {
    auto* hh = static_cast<XmlHandlers*>(u);
    if (hh->text) hh->text(std::string_view(s, static_cast<std::size_t>(len)));
  });
  XML_SetStartDoctypeDeclHandler(p, refuse_doctype);
  h.parser = p;
  std::expected<void, std::string> out;
  if (XML_Parse(p, xml.data(), static_cast<int>(xml.size()), XML_TRUE) != XML_STATUS_OK)
    out = std::unexpected(i18n::trf("line {}: {}", XML_GetCurrentLineNumber(p), XML_ErrorString(XML_GetErrorCode(p))));
  XML_ParserFree(p);
  return out;
}

// A part of the package read whole, at most `cap` bytes; nullopt when it is absent.
std::expected<std::optional<std::string>, std::string> read_part(zip_t* archive, const char* name, std::int64_t cap) {
  zip_file_t* f = zip_fopen(archive, name, ZIP_FL_NOCASE);
  if (!f) return std::optional<std::string>();
  std::string out;
  char buf[65536];
  zip_int64_t n;
  while ((n = zip_fread(f, buf, sizeof buf)) > 0) {
    out.append(buf, static_cast<std::size_t>(n));
    if (static_cast<std::int64_t>(out.size()) > cap) {
      zip_fclose(f);
      return std::unexpected(i18n::trf("{} is larger than {} MiB unpacked", name, cap >> 20));
    }
  }
  zip_fclose(f);
  if (n < 0) return std::unexpected(i18n::trf("{}: cannot unpack it", name));
  return std::optional<std::string>(std::move(out));
}

// Days since 1970-01-01 to a civil date (H. Hinnant's algorithm).
void civil(std::int64_t z, int& y, int& m, int& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  y = static_cast<int>(yoe + era * 400 + (m <= 2));
}

}  // namespace

std::string show_number(double value, NumberStyle style) {
  if (!std::isfinite(value)) return fmt::format("{}", value);
  const bool integral = std::nearbyint(value) == value && std::fabs(value) < 1e15;
  switch (style.kind) {
    case NumberStyle::Kind::Date:
    case NumberStyle::Kind::DateTime: {
      // The 1900 date system: day 1 is 1900-01-01, and Excel counts a 29 February 1900
      // that never was (day 60), so later days are one less.
      if (value < 1 || value > 2958465) break;
      double whole = std::floor(value);
      auto minutes = static_cast<int>(std::lround((value - whole) * 1440));
      if (minutes == 1440) {
        whole += 1;
        minutes = 0;
      }
      auto serial = static_cast<std::int64_t>(whole);
      const std::int64_t days = serial >= 61 ? serial - 25569 : serial - 25568;  // to 1970-01-01
      int y, m, d;
      civil(days, y, m, d);
      if (style.kind == NumberStyle::Kind::Date) return fmt::format("{:02}/{:02}/{:04}", d, m, y);
      return fmt::format("{:02}/{:02}/{:04} {:02}:{:02}", d, m, y, minutes / 60, minutes % 60);
    }
    case NumberStyle::Kind::Padded:
      if (integral && value >= 0) return fmt::format("{:0{}}", static_cast<long long>(value), style.width);
      break;
    case NumberStyle::Kind::General: break;
  }
  if (integral) return fmt::format("{}", static_cast<long long>(value));
  return fmt::format("{}", value);
}

NumberStyle style_of_format(int id, const std::string& code) {
  if ((id >= 14 && id <= 17)) return {NumberStyle::Kind::Date};
  if (id == 22) return {NumberStyle::Kind::DateTime};
  if (id < 164) return {};  // other built-in formats: numbers, times, text
  // What the code shows, without quoted text, [colours/locales] and escaped characters.
  std::string bare;
  bool quoted = false;
  int bracket = 0;
  for (std::size_t i = 0; i < code.size(); ++i) {
    const char c = code[i];
    if (c == '"') quoted = !quoted;
    else if (quoted) continue;
    else if (c == '[') ++bracket;
    else if (c == ']' && bracket > 0) --bracket;
    else if (bracket) continue;
    else if (c == '\\' || c == '_' || c == '*') ++i;
    else if (c == ';') break;  // the positive section decides
    else bare += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  if (!bare.empty() && bare.find_first_not_of('0') == std::string::npos)
    return {NumberStyle::Kind::Padded, static_cast<int>(bare.size())};
  if (bare.find_first_of("dy") != std::string::npos)
    return {bare.find('h') != std::string::npos ? NumberStyle::Kind::DateTime : NumberStyle::Kind::Date};
  return {};
}

// ------------------------------------------------------------------------------ the sheet

struct XlsxRows::Parse {
  XlsxLimits limits;
  std::vector<std::string> shared;
  std::vector<NumberStyle> styles;  ///< by cellXfs index
  struct Row {
    int number = 0;
    std::vector<std::string> cells;
    std::string error;
  };
  std::deque<Row> ready;
  Row row;
  bool in_row = false, in_cell = false, in_inline = false, capture = false;
  int phonetic = 0;  ///< inside <rPh> (furigana runs): not part of the text
  int next_column = 0, column = 0, style = 0;
  std::string type, value;
  std::size_t width = 0;  ///< the header row's, once read
  std::string fault;
  XML_Parser parser = nullptr;

  void start(std::string_view name, const XML_Char** atts) {
    if (name == "row") {
      in_row = true;
      const char* r = attribute(atts, "r");
      auto n = r ? number<int>(r) : std::nullopt;
      row.number = n ? *n : row.number + 1;
      row.cells.clear();
      row.error.clear();
      next_column = 0;
    } else if (name == "c" && in_row) {
      in_cell = true;
      column = next_column;
      if (const char* ref = attribute(atts, "r")) {
        int c = 0;
        for (const char* p = ref; *p >= 'A' && *p <= 'Z' && c <= limits.max_columns; ++p) c = c * 26 + (*p - 'A' + 1);
        if (c > 0) column = c - 1;
      }
      const char* t = attribute(atts, "t");
      type = t ? t : "n";
      const char* s = attribute(atts, "s");
      auto si = s ? number<int>(s) : std::nullopt;
      style = si ? *si : 0;
      value.clear();
    } else if (in_cell && name == "v") {
      capture = true;
    } else if (in_cell && name == "is") {
      in_inline = true;
    } else if (in_inline && name == "rPh") {
      ++phonetic;
    } else if (in_inline && name == "t" && phonetic == 0) {
      capture = true;
    }
  }

  void end(std::string_view name) {
    if (name == "v" || name == "t") {
      capture = false;
    } else if (name == "rPh") {
      if (phonetic > 0) --phonetic;
    } else if (name == "is") {
      in_inline = false;
    } else if (name == "c" && in_cell) {
      in_cell = false;
      end_cell();
    } else if (name == "row" && in_row) {
      in_row = false;
      while (!row.cells.empty() && row.cells.back().empty()) row.cells.pop_back();
      if (row.cells.empty() && row.error.empty()) return;  // a blank row
      if (width == 0) width = row.cells.size();
      if (row.cells.size() < width) row.cells.resize(width);  // Excel leaves out empty cells
      ready.push_back(std::move(row));
      row = Row{row.number};
    }
  }

  void text(std::string_view s) {
    if (!capture) return;
    if (value.size() + s.size() > limits.max_cell_bytes) {
      if (row.error.empty()) row.error = fmt::format(fmt::runtime(row_fault::kCellTooLong), limits.max_cell_bytes);
      return;
    }
    value.append(s);
  }

  void end_cell() {
    std::string shown;
    if (type == "s") {
      auto i = number<std::size_t>(value);
      if (!i || *i >= shared.size()) {
        if (row.error.empty()) row.error = fmt::format(fmt::runtime(row_fault::kNoSharedString), column + 1, value);
      } else {
        shown = shared[*i];
      }
    } else if (type == "inlineStr" || type == "str" || type == "e") {
      shown = std::move(value);
    } else if (type == "b") {
      shown = value == "1" ? "TRUE" : "FALSE";
    } else if (!value.empty()) {
      auto v = number<double>(value);
      if (!v) {
        if (row.error.empty()) row.error = fmt::format(fmt::runtime(row_fault::kNotANumber), column + 1, value);
      } else {
        shown = show_number(*v, style >= 0 && static_cast<std::size_t>(style) < styles.size() ? styles[static_cast<std::size_t>(style)] : NumberStyle{});
      }
    }
    next_column = column + 1;
    if (column >= limits.max_columns) {
      if (row.error.empty()) row.error = fmt::format(fmt::runtime(row_fault::kTooManyColumns), limits.max_columns);
      return;
    }
    if (shown.empty()) return;
    if (row.cells.size() <= static_cast<std::size_t>(column)) row.cells.resize(static_cast<std::size_t>(column) + 1);
    row.cells[static_cast<std::size_t>(column)] = std::move(shown);
  }
};

namespace {

// The first sheet's part name and its name as Excel shows it.
std::expected<std::pair<std::string, std::string>, std::string> first_sheet(zip_t* archive) {
  auto workbook = read_part(archive, "xl/workbook.xml", 64 << 20);
  if (!workbook) return std::unexpected(workbook.error());
  if (!*workbook) return std::unexpected(std::string(i18n::tr("no xl/workbook.xml: not an Excel workbook")));
  std::string id, name;
  XmlHandlers h;
  h.start = [&](std::string_view el, const XML_Char** atts) {
    if (el != "sheet" || !id.empty()) return;
    if (const char* r = attribute(atts, "id")) id = r;
    if (const char* n = attribute(atts, "name")) name = n;
  };
  if (auto ok = parse_part(**workbook, h); !ok) return std::unexpected("xl/workbook.xml: " + ok.error());
  if (id.empty()) return std::unexpected(std::string(i18n::tr("the workbook has no sheet")));
  std::string target;
  if (auto rels = read_part(archive, "xl/_rels/workbook.xml.rels", 64 << 20); rels && *rels) {
    XmlHandlers r;
    r.start = [&](std::string_view el, const XML_Char** atts) {
      const char* rid = attribute(atts, "Id");
      const char* t = attribute(atts, "Target");
      if (el == "Relationship" && rid && t && id == rid) target = t;
    };
    if (auto ok = parse_part(**rels, r); !ok) return std::unexpected("xl/_rels/workbook.xml.rels: " + ok.error());
  }
  if (target.empty()) target = "worksheets/sheet1.xml";
  target = target.front() == '/' ? target.substr(1) : "xl/" + target;
  return std::pair{target, name};
}

std::expected<std::vector<std::string>, std::string> shared_strings(zip_t* archive, std::int64_t cap) {
  std::vector<std::string> out;
  auto part = read_part(archive, "xl/sharedStrings.xml", cap);
  if (!part) return std::unexpected(part.error());
  if (!*part) return out;
  bool in_si = false, capture = false;
  int phonetic = 0;
  std::string current;
  XmlHandlers h;
  h.start = [&](std::string_view el, const XML_Char**) {
    if (el == "si") {
      in_si = true;
      current.clear();
    } else if (in_si && el == "rPh") {
      ++phonetic;
    } else if (in_si && el == "t" && phonetic == 0) {
      capture = true;
    }
  };
  h.end = [&](std::string_view el) {
    if (el == "t") capture = false;
    else if (el == "rPh" && phonetic > 0) --phonetic;
    else if (el == "si" && in_si) {
      in_si = false;
      out.push_back(std::move(current));
      current.clear();
    }
  };
  h.text = [&](std::string_view s) {
    if (capture) current.append(s);
  };
  if (auto ok = parse_part(**part, h); !ok) return std::unexpected("xl/sharedStrings.xml: " + ok.error());
  return out;
}

std::expected<std::vector<NumberStyle>, std::string> number_styles(zip_t* archive) {
  std::vector<NumberStyle> out;
  auto part = read_part(archive, "xl/styles.xml", 64 << 20);
  if (!part) return std::unexpected(part.error());
  if (!*part) return out;
  std::map<int, std::string> codes;
  std::vector<int> xfs;
  bool in_cell_xfs = false;
  XmlHandlers h;
  h.start = [&](std::string_view el, const XML_Char** atts) {
    if (el == "numFmt") {
      const char* id = attribute(atts, "numFmtId");
      const char* code = attribute(atts, "formatCode");
      if (auto n = id ? number<int>(id) : std::nullopt; n && code) codes[*n] = code;
    } else if (el == "cellXfs") {
      in_cell_xfs = true;
    } else if (el == "xf" && in_cell_xfs) {
      const char* id = attribute(atts, "numFmtId");
      auto n = id ? number<int>(id) : std::nullopt;
      xfs.push_back(n ? *n : 0);
    }
  };
  h.end = [&](std::string_view el) {
    if (el == "cellXfs") in_cell_xfs = false;
  };
  if (auto ok = parse_part(**part, h); !ok) return std::unexpected("xl/styles.xml: " + ok.error());
  for (int id : xfs) {
    auto it = codes.find(id);
    out.push_back(style_of_format(id, it == codes.end() ? std::string() : it->second));
  }
  return out;
}

}  // namespace

std::expected<std::unique_ptr<XlsxRows>, std::string> XlsxRows::open(const std::string& path, XlsxLimits limits) {
  std::unique_ptr<XlsxRows> x(new XlsxRows(path, limits));
  int err = 0;
  x->archive_ = zip_open(path.c_str(), ZIP_RDONLY, &err);
  if (!x->archive_) {
    zip_error_t ze;
    zip_error_init_with_code(&ze, err);
    std::string why = zip_error_strerror(&ze);
    zip_error_fini(&ze);
    return std::unexpected(i18n::trf("{}: not a readable .xlsx workbook ({})", path, why));
  }
  auto fail = [&](const std::string& why) { return std::unexpected(i18n::trf("{}: {}", path, why)); };
  auto sheet = first_sheet(x->archive_);
  if (!sheet) return fail(sheet.error());
  x->parse_ = std::make_unique<Parse>();
  x->parse_->limits = limits;
  auto shared = shared_strings(x->archive_, limits.max_shared_bytes);
  if (!shared) return fail(shared.error());
  x->parse_->shared = std::move(*shared);
  auto styles = number_styles(x->archive_);
  if (!styles) return fail(styles.error());
  x->parse_->styles = std::move(*styles);
  x->sheet_ = zip_fopen(x->archive_, sheet->first.c_str(), ZIP_FL_NOCASE);
  if (!x->sheet_) return fail(i18n::trf("the first sheet's part {} is missing", sheet->first));
  x->form_ = i18n::trf("xlsx, sheet \"{}\"", sheet->second);
  x->parser_ = XML_ParserCreate(nullptr);
  if (!x->parser_) return fail(i18n::tr("out of memory"));
  XML_SetUserData(x->parser_, x->parse_.get());
  XML_SetStartElementHandler(x->parser_, [](void* u, const XML_Char* name, const XML_Char** atts) {
    static_cast<Parse*>(u)->start(local(name), atts);
  });
  XML_SetEndElementHandler(x->parser_, [](void* u, const XML_Char* name) { static_cast<Parse*>(u)->end(local(name)); });
  XML_SetCharacterDataHandler(x->parser_, [](void* u, const XML_Char* s, int len) {
    static_cast<Parse*>(u)->text(std::string_view(s, static_cast<std::size_t>(len)));
  });
  XML_SetStartDoctypeDeclHandler(x->parser_, [](void* u, const XML_Char*, const XML_Char*, const XML_Char*, int) {
    auto* parse = static_cast<Parse*>(u);
    parse->fault = i18n::tr("the sheet declares a document type, which workbooks never do");
    XML_StopParser(parse->parser, XML_FALSE);
  });
  x->parse_->parser = x->parser_;
  return x;
}

XlsxRows::XlsxRows(std::string path, XlsxLimits limits) : path_(std::move(path)), limits_(limits) {}

XlsxRows::~XlsxRows() {
  if (parser_) XML_ParserFree(parser_);
  if (sheet_) zip_fclose(sheet_);
  if (archive_) zip_discard(archive_);
}

bool XlsxRows::pump() {
  char buf[65536];
  const zip_int64_t n = zip_fread(sheet_, buf, sizeof buf);
  if (n < 0) {
    fault_ = i18n::trf("{}: the sheet cannot be unpacked (a damaged file?)", path_);
    return false;
  }
  read_ += n;
  if (read_ > limits_.max_sheet_bytes) {
    fault_ = i18n::trf("{}: the sheet is larger than {} MiB unpacked", path_, limits_.max_sheet_bytes >> 20);
    return false;
  }
  const bool parsed = XML_Parse(parser_, buf, static_cast<int>(n), n == 0 ? XML_TRUE : XML_FALSE) == XML_STATUS_OK;
  if (!parse_->fault.empty()) {
    fault_ = fmt::format("{}: {}", path_, parse_->fault);
    return false;
  }
  if (!parsed) {
    fault_ = i18n::trf("{}: the sheet's XML is broken at its line {}: {}", path_, XML_GetCurrentLineNumber(parser_),
                         XML_ErrorString(XML_GetErrorCode(parser_)));
    return false;
  }
  return n > 0;
}

bool XlsxRows::next(std::vector<std::string>& fields, int& line, std::string& error) {
  while (parse_->ready.empty() && !done_) done_ = !pump();
  if (parse_->ready.empty()) return false;
  auto& row = parse_->ready.front();
  fields = std::move(row.cells);
  line = row.number;
  error = std::move(row.error);
  parse_->ready.pop_front();
  return true;
}

}  // namespace loa::wards
