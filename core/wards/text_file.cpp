// Encoding detection and streaming conversion of text resident lists.
#include "core/wards/text_file.h"

#include <array>

#include <fmt/format.h>
#include <unicode/ucnv.h>
#include <unicode/utypes.h>

#include "core/util/i18n.h"

namespace loa::wards {

const char* encoding_name(Encoding e) {
  switch (e) {
    case Encoding::Utf8: return "UTF-8";
    case Encoding::Utf8Bom: return "UTF-8 with BOM";
    case Encoding::Utf16LE: return "UTF-16LE with BOM";
    case Encoding::Utf16BE: return "UTF-16BE with BOM";
    case Encoding::Windows1258: return "Windows-1258";
  }
  return "?";
}

namespace {

// A UTF-8 checker fed a byte at a time, so a file is checked in chunks.
class Utf8Check {
 public:
  enum class Step { Ok, Bad, Done };  // Done: a multi-byte character just ended

  Step feed(unsigned char b) {
    if (need_ == 0) {
      if (b < 0x80) return Step::Ok;
      if (b >= 0xC2 && b <= 0xDF) return start(1, 0x80, 0xBF);
      if (b == 0xE0) return start(2, 0xA0, 0xBF);
      if ((b >= 0xE1 && b <= 0xEC) || b == 0xEE || b == 0xEF) return start(2, 0x80, 0xBF);
      if (b == 0xED) return start(2, 0x80, 0x9F);  // no surrogates
      if (b == 0xF0) return start(3, 0x90, 0xBF);
      if (b >= 0xF1 && b <= 0xF3) return start(3, 0x80, 0xBF);
      if (b == 0xF4) return start(3, 0x80, 0x8F);
      return Step::Bad;
    }
    if (b < lo_ || b > hi_) {
      need_ = 0;
      return Step::Bad;
    }
    lo_ = 0x80;
    hi_ = 0xBF;
    return --need_ == 0 ? Step::Done : Step::Ok;
  }
  bool mid_character() const { return need_ > 0; }

 private:
  Step start(int need, unsigned char lo, unsigned char hi) {
    need_ = need;
    lo_ = lo;
    hi_ = hi;
    return Step::Ok;
  }
  int need_ = 0;
  unsigned char lo_ = 0x80, hi_ = 0xBF;
};

// Bytes Windows-1258 leaves undefined.
bool undefined_in_1258(unsigned char b) {
  return b == 0x81 || b == 0x8A || b == 0x8D || b == 0x8E || b == 0x8F || b == 0x90 || b == 0x9A || b == 0x9D ||
         b == 0x9E;
}

const char* save_as() { return i18n::tr("save it from Excel as \"CSV UTF-8\" or \"Unicode Text\""); }

}  // namespace

std::expected<Encoding, std::string> detect_encoding(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::unexpected(i18n::trf("{}: cannot open resident list", path));
  std::array<char, 65536> buf;
  in.read(buf.data(), 3);
  const auto head = static_cast<std::size_t>(in.gcount());
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(buf[i]); };
  if (head >= 3 && byte(0) == 0xEF && byte(1) == 0xBB && byte(2) == 0xBF) return Encoding::Utf8Bom;
  if (head >= 2 && byte(0) == 0xFF && byte(1) == 0xFE) return Encoding::Utf16LE;
  if (head >= 2 && byte(0) == 0xFE && byte(1) == 0xFF) return Encoding::Utf16BE;
  in.clear();
  in.seekg(0);
  Utf8Check utf8;
  int line = 1, nul_line = 0, bad_line = 0, undefined_line = 0;
  unsigned char undefined = 0;
  long long characters = 0, bad = 0;  // multi-byte UTF-8 characters, and bytes that break UTF-8
  while (in) {
    in.read(buf.data(), buf.size());
    const auto n = static_cast<std::size_t>(in.gcount());
    for (std::size_t i = 0; i < n; ++i) {
      const unsigned char b = byte(i);
      if (b == '\n') ++line;
      if (b == 0 && !nul_line) nul_line = line;
      if (undefined_in_1258(b) && !undefined_line) {
        undefined_line = line;
        undefined = b;
      }
      switch (utf8.feed(b)) {
        case Utf8Check::Step::Done: ++characters; break;
        case Utf8Check::Step::Bad:
          ++bad;
          if (!bad_line) bad_line = line;
          break;
        case Utf8Check::Step::Ok: break;
      }
    }
  }
  if (utf8.mid_character()) {
    ++bad;
    if (!bad_line) bad_line = line;
  }
  if (nul_line)
    return std::unexpected(i18n::trf("{}:{}: NUL bytes: UTF-16 without a byte-order mark, or not a text file ({})",
                                       path, nul_line, save_as()));
  if (bad == 0) return Encoding::Utf8;
  if (characters > 0 && characters >= bad)
    return std::unexpected(i18n::trf("{}:{}: not valid UTF-8, though most of the file is (two encodings mixed?); {}",
                                       path, bad_line, save_as()));
  if (undefined_line)
    return std::unexpected(i18n::trf("{}:{}: byte 0x{:02X} is neither UTF-8 nor Windows-1258; {}", path,
                                       undefined_line, undefined, save_as()));
  return Encoding::Windows1258;
}

// ------------------------------------------------------------------------------ DecodingBuf

DecodingBuf::DecodingBuf(std::streambuf& source, const char* charset)
    : source_(source), in_(65536), out_(65536), pivot_(8192) {
  UErrorCode err = U_ZERO_ERROR;
  from_ = ucnv_open(charset, &err);
  if (U_FAILURE(err)) from_ = nullptr;
  err = U_ZERO_ERROR;
  to_ = ucnv_open("UTF-8", &err);
  if (U_FAILURE(err)) to_ = nullptr;
  in_next_ = in_end_ = in_.data();
  pivot_source_ = pivot_target_ = pivot_.data();
}

DecodingBuf::~DecodingBuf() {
  if (from_) ucnv_close(from_);
  if (to_) ucnv_close(to_);
}

DecodingBuf::int_type DecodingBuf::underflow() {
  if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
  if (!ok()) return traits_type::eof();
  for (;;) {
    if (in_next_ == in_end_ && !eof_) {
      const auto n = source_.sgetn(in_.data(), static_cast<std::streamsize>(in_.size()));
      in_next_ = in_.data();
      in_end_ = in_next_ + n;
      eof_ = n <= 0;
    }
    char* target = out_.data();
    UErrorCode err = U_ZERO_ERROR;
    ucnv_convertEx(to_, from_, &target, out_.data() + out_.size(), &in_next_, in_end_, pivot_.data(), &pivot_source_,
                   &pivot_target_, pivot_.data() + pivot_.size(), reset_, eof_, &err);
    reset_ = false;
    if (U_FAILURE(err) && err != U_BUFFER_OVERFLOW_ERROR) {
      error_ = u_errorName(err);  // the rows read so far stand; the reader reports the rest as lost
      return traits_type::eof();
    }
    if (target > out_.data()) {
      setg(out_.data(), out_.data(), target);
      return traits_type::to_int_type(*gptr());
    }
    if (eof_ && err != U_BUFFER_OVERFLOW_ERROR) return traits_type::eof();
  }
}

// ------------------------------------------------------------------------------ TextRows

std::expected<std::unique_ptr<TextRows>, std::string> TextRows::open(const std::string& path) {
  auto encoding = detect_encoding(path);
  if (!encoding) return std::unexpected(encoding.error());
  std::unique_ptr<TextRows> t(new TextRows(path));
  t->path_ = path;
  if (!t->file_) return std::unexpected(i18n::trf("{}: cannot open resident list", path));
  t->form_ = encoding_name(*encoding);
  std::istream* in = &t->file_;
  if (*encoding != Encoding::Utf8 && *encoding != Encoding::Utf8Bom) {
    // ICU's "UTF-16" reads the byte-order mark and drops it.
    t->decoder_ = std::make_unique<DecodingBuf>(*t->file_.rdbuf(), *encoding == Encoding::Windows1258 ? "windows-1258" : "UTF-16");
    if (!t->decoder_->ok()) return std::unexpected(i18n::trf("{}: ICU has no converter for {}", path, t->form_));
    t->decoded_ = std::make_unique<std::istream>(t->decoder_.get());
    in = t->decoded_.get();
  }
  t->csv_ = std::make_unique<CsvReader>(*in);
  return t;
}

bool TextRows::next(std::vector<std::string>& fields, int& line, std::string& error) {
  if (csv_->next(fields, line, error)) return true;
  if (decoder_ && !decoder_->error().empty() && fault_.empty())
    fault_ = i18n::trf("{}: converting from {} stopped early ({}); the rows after it were not read", path_, form_,
                         decoder_->error());
  return false;
}

}  // namespace loa::wards
