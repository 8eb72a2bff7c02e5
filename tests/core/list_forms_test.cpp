// Resident lists as offices save them: .xlsx workbooks (written here with libxlsxwriter,
// a separate library from the reader's libzip + expat), UTF-8 with and without BOM,
// UTF-16 with BOM, Windows-1258, and files that are none of these.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include <unicode/unistr.h>
#include <xlsxwriter.h>

#include "core/wards/resident_list.h"
#include "core/wards/xlsx.h"

namespace {
namespace fs = std::filesystem;
using loa::wards::ResidentReader;

struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/loa-lists-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path); }
  std::string write(const std::string& name, const std::string& bytes) const {
    std::ofstream(path / name, std::ios::binary) << bytes;
    return (path / name).string();
  }
};

struct Read {
  std::string form;
  std::vector<std::string> extra;
  std::vector<loa::wards::Resident> rows;
};

Read read_all(const std::string& path) {
  auto reader = ResidentReader::open(path);
  REQUIRE_MESSAGE(reader.has_value(), (reader ? std::string() : reader.error()));
  Read out{(*reader)->form(), (*reader)->extra_columns(), {}};
  loa::wards::Resident r;
  while ((*reader)->next(r)) out.rows.push_back(r);
  CHECK((*reader)->fault().empty());
  return out;
}

std::string open_error(const std::string& path) {
  auto reader = ResidentReader::open(path);
  REQUIRE_FALSE(reader.has_value());
  return reader.error();
}

// UTF-8 text as UTF-16 bytes with a byte-order mark.
std::string utf16(const std::string& utf8, bool big_endian) {
  auto u = icu::UnicodeString::fromUTF8(utf8);
  std::string out = big_endian ? "\xFE\xFF" : "\xFF\xFE";
  for (int i = 0; i < u.length(); ++i) {
    const auto c = static_cast<std::uint16_t>(u.charAt(i));
    const char hi = static_cast<char>(c >> 8), lo = static_cast<char>(c & 0xFF);
    out += big_endian ? hi : lo;
    out += big_endian ? lo : hi;
  }
  return out;
}

}  // namespace

TEST_SUITE("core/list-forms") {
  TEST_CASE("an .xlsx list: first sheet, numbers as Excel shows them, a dropped 0 restored, dates dd/mm/yyyy") {
    TempDir dir;
    const std::string path = (dir.path / "phuong-6.xlsx").string();
    {
      lxw_workbook* wb = workbook_new(path.c_str());
      lxw_worksheet* ws = workbook_add_worksheet(wb, "Danh sách");
      lxw_worksheet* other = workbook_add_worksheet(wb, "Ghi chú");  // never read
      worksheet_write_string(other, 0, 0, "so_dien_thoai", nullptr);
      worksheet_write_string(other, 1, 0, "0999999999", nullptr);
      lxw_format* date = workbook_add_format(wb);
      format_set_num_format(date, "dd/mm/yyyy");
      lxw_format* padded = workbook_add_format(wb);
      format_set_num_format(padded, "0000000000");
      const char* header[] = {"STT", "Họ và tên", "Số điện thoại", "Khóm/Ấp", "Ngày sinh"};
      for (int c = 0; c < 5; ++c) worksheet_write_string(ws, 0, static_cast<lxw_col_t>(c), header[c], nullptr);
      // Row 2: the phone typed as a number (Excel dropped its 0), a date cell.
      worksheet_write_number(ws, 1, 0, 1, nullptr);
      worksheet_write_string(ws, 1, 1, "Nguyễn Văn Đức", nullptr);
      worksheet_write_number(ws, 1, 2, 912345678, nullptr);
      worksheet_write_string(ws, 1, 3, "Khóm 1", nullptr);
      lxw_datetime born = {1990, 8, 15, 0, 0, 0};
      worksheet_write_datetime(ws, 1, 4, &born, date);
      // Row 3: the phone as text; no date (an empty cell Excel leaves out).
      worksheet_write_number(ws, 2, 0, 2, nullptr);
      worksheet_write_string(ws, 2, 1, "Trần Thị Bé", nullptr);
      worksheet_write_string(ws, 2, 2, "0987 654 321", nullptr);
      worksheet_write_string(ws, 2, 3, "Khóm 2", nullptr);
      // Row 4 blank; row 5: a number shown with a zero-padded format.
      worksheet_write_number(ws, 4, 0, 3, nullptr);
      worksheet_write_string(ws, 4, 1, "Lê Văn Cường", nullptr);
      worksheet_write_number(ws, 4, 2, 912000001, padded);
      worksheet_write_string(ws, 4, 3, "Khóm 3", nullptr);
      worksheet_write_number(ws, 4, 4, 12.5, nullptr);
      // Row 6: a number with letters, and a formula's text result.
      worksheet_write_number(ws, 5, 0, 4, nullptr);
      worksheet_write_formula_str(ws, 5, 1, "=\"Phạm \"&\"Hùng\"", nullptr, "Phạm Hùng");
      worksheet_write_string(ws, 5, 2, "0912abc678", nullptr);
      REQUIRE(workbook_close(wb) == LXW_NO_ERROR);
    }
    auto got = read_all(path);
    CHECK(got.form == "xlsx, sheet \"Danh sách\"");
    CHECK(got.extra == std::vector<std::string>{"stt", "ngay_sinh"});
    REQUIRE(got.rows.size() == 4);
    CHECK(got.rows[0].row == 2);
    CHECK(got.rows[0].name == "Nguyễn Văn Đức");
    CHECK(got.rows[0].phone_raw == "912345678");
    REQUIRE(got.rows[0].phone.has_value());
    CHECK(got.rows[0].phone->local == "0912345678");
    CHECK(got.rows[0].area == "Khóm 1");
    CHECK(got.rows[0].extra[0].second == "1");  // STT: 1, not 1.0
    CHECK(got.rows[0].extra[1].second == "15/08/1990");
    CHECK(got.rows[1].phone->local == "0987654321");
    CHECK(got.rows[1].extra[1].second.empty());
    CHECK(got.rows[2].row == 5);  // the sheet's own row numbers, blank rows skipped
    CHECK(got.rows[2].phone_raw == "0912000001");
    CHECK(got.rows[2].extra[1].second == "12.5");
    CHECK(got.rows[3].name == "Phạm Hùng");
    CHECK(got.rows[3].problem == "letters in the phone number");
  }

  TEST_CASE("numbers and dates as Excel shows them") {
    using loa::wards::NumberStyle;
    using loa::wards::show_number;
    using loa::wards::style_of_format;
    CHECK(show_number(912345678, {}) == "912345678");
    CHECK(show_number(9.12345678e8, {}) == "912345678");
    CHECK(show_number(0.1, {}) == "0.1");
    CHECK(show_number(-3, {}) == "-3");
    CHECK(show_number(912345678, {NumberStyle::Kind::Padded, 10}) == "0912345678");
    CHECK(show_number(1, {NumberStyle::Kind::Date}) == "01/01/1900");
    CHECK(show_number(59, {NumberStyle::Kind::Date}) == "28/02/1900");
    CHECK(show_number(61, {NumberStyle::Kind::Date}) == "01/03/1900");  // after Excel's 29/02/1900
    CHECK(show_number(46023, {NumberStyle::Kind::Date}) == "01/01/2026");
    CHECK(show_number(46023.75, {NumberStyle::Kind::DateTime}) == "01/01/2026 18:00");
    CHECK(style_of_format(14, "").kind == NumberStyle::Kind::Date);
    CHECK(style_of_format(1, "").kind == NumberStyle::Kind::General);
    CHECK(style_of_format(164, "dd/mm/yyyy").kind == NumberStyle::Kind::Date);
    CHECK(style_of_format(165, "[$-42A]dd/mm/yyyy hh:mm").kind == NumberStyle::Kind::DateTime);
    CHECK(style_of_format(166, "0000000000").width == 10);
    CHECK(style_of_format(167, "\"dd \"0").kind != NumberStyle::Kind::Date);  // "dd" in quotes is text
  }

  TEST_CASE("a damaged or hostile workbook is refused with a reason, never read as an empty list") {
    TempDir dir;
    CHECK(open_error(dir.write("a.xlsx", "ho_ten,so_dien_thoai\nA,0912345678\n")).find("not a readable .xlsx") !=
          std::string::npos);
    // A sheet whose unpacked size passes the limit stops there (a zip bomb).
    const std::string path = (dir.path / "big.xlsx").string();
    lxw_workbook* wb = workbook_new(path.c_str());
    lxw_worksheet* ws = workbook_add_worksheet(wb, nullptr);
    worksheet_write_string(ws, 0, 0, "so_dien_thoai", nullptr);
    for (lxw_row_t r = 1; r < 2000; ++r) worksheet_write_string(ws, r, 0, "0912345678", nullptr);
    REQUIRE(workbook_close(wb) == LXW_NO_ERROR);
    loa::wards::XlsxLimits small;
    small.max_sheet_bytes = 20000;
    auto rows = loa::wards::XlsxRows::open(path, small);
    REQUIRE(rows.has_value());
    std::vector<std::string> fields;
    int line = 0;
    std::string error;
    int n = 0;
    while ((*rows)->next(fields, line, error)) ++n;
    CHECK(n < 2000);
    CHECK((*rows)->fault().find("larger than") != std::string::npos);
  }

  TEST_CASE("text lists in every encoding Excel writes give the same residents") {
    const std::string text = "Họ và tên\tSố điện thoại\tKhóm/Ấp\r\nNguyễn Văn Đức\t0912345678\tKhóm 1\r\n";
    TempDir dir;
    struct Case {
      std::string name, bytes, form;
    };
    // "Nguyễn Văn Đức" in Windows-1258, as Excel saves it: base letters with their tone
    // marks as combining characters (ê + 0xDE tilde, ư + 0xEC acute).
    const std::string cp1258 =
        "Ho\xF2 va\xCC t\xEAn;S\xF4\xEC \xF0i\xEA\xF2n thoa\xF2i;Kho\xECm/\xC2\xECp\r\n"
        "Nguy\xEA\xDEn V\xE3n \xD0\xFD\xEC" "c;0912345678;Kho\xECm 1\r\n";
    for (const Case& c : {Case{"utf8.csv", "ho_ten,so_dien_thoai,khom_ap\nNguyễn Văn Đức,0912345678,Khóm 1\n", "UTF-8"},
                          Case{"bom.csv", "\xEF\xBB\xBF" "Họ và tên;Số điện thoại;Khóm/Ấp\nNguyễn Văn Đức;0912345678;Khóm 1\n",
                               "UTF-8 with BOM"},
                          Case{"tab.csv", text, "UTF-8"},
                          Case{"utf16le.csv", utf16(text, false), "UTF-16LE with BOM"},
                          Case{"utf16be.csv", utf16(text, true), "UTF-16BE with BOM"},
                          Case{"cp1258.csv", cp1258, "Windows-1258"}}) {
      CAPTURE(c.name);
      auto got = read_all(dir.write(c.name, c.bytes));
      CHECK(got.form == c.form);
      REQUIRE(got.rows.size() == 1);
      CHECK(got.rows[0].name == "Nguyễn Văn Đức");  // NFC, whatever the file held
      CHECK(got.rows[0].area == "Khóm 1");
      CHECK(got.rows[0].row == 2);
      REQUIRE(got.rows[0].phone.has_value());
      CHECK(got.rows[0].phone->local == "0912345678");
    }
  }

  TEST_CASE("a file in none of these encodings is refused naming the problem and its first bad line") {
    TempDir dir;
    // UTF-16 without a byte-order mark: NUL bytes.
    auto no_bom = utf16("so_dien_thoai\n0912345678\n", false).substr(2);
    auto e = open_error(dir.write("nobom.csv", no_bom));
    CHECK(e.find("nobom.csv:1: NUL bytes") != std::string::npos);
    // UTF-8 with one broken byte on line 3: not taken for Windows-1258.
    e = open_error(dir.write("mixed.csv", "ho_ten,so_dien_thoai\nNguyễn Văn Đức,0912345678\nTr\xE2n,0912345679\nLê,0912345670\n"));
    CHECK(e.find("mixed.csv:3: not valid UTF-8") != std::string::npos);
    // Bytes Windows-1258 does not define.
    e = open_error(dir.write("other.csv", "ho_ten,so_dien_thoai\nA\xC3,0912345678\nB\x8D,0912345679\n"));
    CHECK(e.find("other.csv:3: byte 0x8D is neither UTF-8 nor Windows-1258") != std::string::npos);
    for (const char* f : {"nobom.csv", "mixed.csv", "other.csv"})
      CHECK(open_error((dir.path / f).string()).find("no phone column") == std::string::npos);
    // A header that really lacks a phone column says what it read.
    e = open_error(dir.write("nophone.csv", "ho_ten;dia_chi\nA;B\n"));
    CHECK(e.find("no phone column") != std::string::npos);
    CHECK(e.find("read as UTF-8, the header has \"ho_ten\", \"dia_chi\"") != std::string::npos);
  }
}
