// Resident lists: BOM, separators, quotes, header aliases, malformed rows.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/wards/csv.h"
#include "core/wards/resident_list.h"

namespace {
namespace fs = std::filesystem;

struct TempCsv {
  fs::path file;
  explicit TempCsv(const std::string& content) {
    char tmpl[] = "/tmp/loa-csv-XXXXXX";
    file = fs::path(mkdtemp(tmpl)) / "ward.csv";
    std::ofstream(file, std::ios::binary) << content;
  }
  ~TempCsv() { fs::remove_all(file.parent_path()); }
};

std::vector<loa::wards::Resident> read_all(const std::string& content, std::vector<std::string>* extra = nullptr) {
  TempCsv csv(content);
  auto reader = loa::wards::ResidentReader::open(csv.file.string());
  REQUIRE(reader.has_value());
  if (extra) *extra = (*reader)->extra_columns();
  std::vector<loa::wards::Resident> out;
  loa::wards::Resident r;
  while ((*reader)->next(r)) out.push_back(r);
  return out;
}
}  // namespace

TEST_SUITE("core/wards") {
  TEST_CASE("Excel's semicolon CSV with a BOM, CRLF and Vietnamese headers") {
    std::vector<std::string> extra;
    auto rows = read_all("\xEF\xBB\xBFHọ và tên;Số điện thoại;Khóm/Ấp;Nhóm;Ngày sinh\r\n"
                         "Nguyễn Văn An;0912 345 678;Khóm 1;\"người cao tuổi; tổ trưởng\";01/02/1950\r\n"
                         "\r\n"
                         "Trần Thị Bình;+84 32 123 4567;Khóm 2;;\r\n",
                         &extra);
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].row == 2);
    CHECK(rows[0].name == "Nguyễn Văn An");
    REQUIRE(rows[0].phone.has_value());
    CHECK(rows[0].phone->local == "0912345678");
    CHECK(rows[0].area == "Khóm 1");
    CHECK(rows[0].tags == std::vector<std::string>{"người cao tuổi", "tổ trưởng"});
    CHECK(extra == std::vector<std::string>{"ngay_sinh"});
    CHECK(rows[0].extra.at(0).second == "01/02/1950");
    CHECK(rows[1].row == 4);  // the blank line still counts as a line of the file
    CHECK(rows[1].phone->local == "0321234567");
  }

  TEST_CASE("comma separated, English aliases, quoted fields with commas, quotes and newlines") {
    auto rows = read_all("name,phone,area,tags,note\n"
                         "\"Lê, Văn C\",0987654321,\"Ấp \"\"Bà Điều\"\"\",,\"line one\nline two\"\n"
                         "Phạm D,0977000111,Khóm 3,,x\n");
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].name == "Lê, Văn C");
    CHECK(rows[0].area == "Ấp \"Bà Điều\"");
    CHECK(rows[0].extra.at(0).second == "line one\nline two");
    CHECK(rows[1].row == 4);
  }

  TEST_CASE("header names match ignoring case, diacritics, spaces and punctuation") {
    auto rows = read_all("HỌ TÊN , S.Đ.T ,khom ap\nA,0912345678,K1\n");
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].name == "A");
    CHECK(rows[0].phone.has_value());
    CHECK(rows[0].area == "K1");
  }

  TEST_CASE("cells are trimmed and NFC-normalised") {
    // "Nguyễn" written decomposed: e + circumflex + tilde as combining marks.
    auto rows = read_all("ho_ten,so_dien_thoai\n  Nguye\xCC\x82\xCC\x83n  ,0912345678\n");
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].name == "Nguyễn");
  }

  TEST_CASE("malformed rows carry a reason and do not stop the rows after them") {
    auto rows = read_all("ho_ten,so_dien_thoai\n"
                         "A,0912345678,extra\n"
                         "B,0912abc678\n"
                         "C,0290 3831 234\n"
                         "D,\n"
                         "E,12345\n"
                         "F,0912345679\n"
                         "G,\"unterminated\n");
    REQUIRE(rows.size() == 7);
    CHECK(rows[0].problem == "malformed row: 3 fields, the header has 2");
    CHECK(rows[1].problem == "letters in the phone number");
    CHECK(rows[2].problem == "landline, cannot receive SMS");
    CHECK(rows[3].problem == "missing phone number");
    CHECK(rows[4].problem == "invalid phone number");
    CHECK(rows[5].problem.empty());
    CHECK(rows[5].row == 7);
    CHECK(rows[6].problem == "malformed row: unterminated quoted field");
  }

  TEST_CASE("a list without a phone column is refused with file:line") {
    TempCsv csv("ho_ten,dia_chi\nA,B\n");
    auto reader = loa::wards::ResidentReader::open(csv.file.string());
    REQUIRE_FALSE(reader.has_value());
    CHECK(reader.error().find(csv.file.string() + ":1: no phone column") == 0);
  }

  TEST_CASE("the separator is taken from the header") {
    std::istringstream in("a;b,c;d\n1;2,3;4\n");
    loa::wards::CsvReader csv(in);
    std::vector<std::string> f;
    int line = 0;
    std::string err;
    REQUIRE(csv.next(f, line, err));
    CHECK(csv.separator() == ';');
    CHECK(f == std::vector<std::string>{"a", "b,c", "d"});
  }
}
