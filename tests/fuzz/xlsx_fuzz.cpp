// Fuzz target: the .xlsx reader's XML side. The input becomes the first sheet's XML, with
// a fixed workbook, shared strings and styles around it, packed with libzip (mutating a
// zip's deflated bytes would only exercise its checksum); then the list is read whole.
#include <zip.h>

#include "core/wards/resident_list.h"
#include "tests/fuzz/fuzz.h"

namespace {

constexpr const char* kWorkbook =
    R"(<workbook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>)"
    R"(<sheet name="Danh sách" sheetId="1" r:id="rId1"/></sheets></workbook>)";
constexpr const char* kRels =
    R"(<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>)";
constexpr const char* kShared =
    R"(<sst><si><t>ho_ten</t></si><si><t>so_dien_thoai</t></si><si><r><t>Nguyễn </t></r><r><t>Văn</t></r>)"
    R"(<rPh><t>x</t></rPh></si></sst>)";
constexpr const char* kStyles =
    R"(<styleSheet><numFmts><numFmt numFmtId="164" formatCode="0000000000"/></numFmts>)"
    R"(<cellXfs><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/></cellXfs></styleSheet>)";

bool add(zip_t* z, const char* name, const void* data, std::size_t size) {
  zip_source_t* s = zip_source_buffer(z, data, size, 0);
  if (!s) return false;
  if (zip_file_add(z, name, s, ZIP_FL_OVERWRITE) < 0) {
    zip_source_free(s);
    return false;
  }
  return true;
}

}  // namespace

LOA_FUZZ_TARGET(xlsx) {
  const std::string path = (loa::fuzz::scratch() / "ward.xlsx").string();
  int err = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  if (!z) return 0;
  const std::string_view parts[] = {kWorkbook, kRels, kShared, kStyles};
  const char* names[] = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/sharedStrings.xml", "xl/styles.xml"};
  bool ok = true;
  for (int i = 0; i < 4; ++i) ok = ok && add(z, names[i], parts[i].data(), parts[i].size());
  ok = ok && add(z, "xl/worksheets/sheet1.xml", data, size);
  if (!ok || zip_close(z) < 0) {
    zip_discard(z);
    return 0;
  }
  auto reader = loa::wards::ResidentReader::open(path);
  if (!reader) return 0;
  loa::wards::Resident r;
  while ((*reader)->next(r)) {
  }
  return 0;
}
