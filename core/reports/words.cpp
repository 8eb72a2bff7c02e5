// Words for people reading reports and statuses.
#include "core/reports/words.h"

#include <array>
#include <utility>

#include "core/jobs/planner.h"
#include "core/jobs/seen_numbers.h"
#include "core/util/i18n.h"
#include "core/util/time.h"
#include "core/wards/row_source.h"

namespace loa::reports {

std::string_view vi_state(jobs::MessageState s) {
  using enum jobs::MessageState;
  switch (s) {
    case queued: return "Đang chờ gửi";
    case sending: return "Đang gửi";
    case sent: return "Đã gửi";
    case delivered: return "Đã nhận";
    case failed: return "Thất bại";
    case unknown: return "Không rõ";
    case skipped: return "Bỏ qua";
    case cancelled: return "Đã hủy";
  }
  return "?";
}

std::string vi_reason(std::string_view reason) {
  // Reasons Loa writes, by how they start; what follows (numbers, a provider's words) stays.
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 14> kStarts{{
      {"repeat of row ", "trùng số với dòng "},
      {"missing phone number", "thiếu số điện thoại"},
      {"invalid phone number", "số điện thoại không hợp lệ"},
      {"letters in the phone number", "số điện thoại có chữ cái"},
      {"phone number in Excel's scientific form (digits lost)", "số điện thoại bị Excel đổi sang dạng 9,12E+08 (mất chữ số)"},
      {"landline, cannot receive SMS", "số máy bàn, không nhận được SMS"},
      {"no carrier has this mobile prefix", "đầu số chưa nhà mạng nào được cấp"},
      {"opted out", "đã từ chối nhận tin"},
      {"malformed row: ", "dòng sai định dạng: "},
      // transport/http.h kCertificateRefused, kTlsFailed, after registry.cpp's "not sent: "
      {"not sent: the provider's certificate was refused (tell the operator): ",
       "chưa gửi được: chứng chỉ bảo mật của nhà cung cấp không được chấp nhận (hãy báo người quản trị hệ thống): "},
      {"not sent: no secure connection to the provider (tell the operator): ",
       "chưa gửi được: không lập được kết nối bảo mật tới nhà cung cấp (hãy báo người quản trị hệ thống): "},
      {"not sent: ", "chưa gửi được: "},
      {"timed out after the request was written: ", "hết thời gian chờ sau khi đã gửi yêu cầu: "},
      {"connection lost after the request was written: ", "mất kết nối sau khi đã gửi yêu cầu: "},
  }};
  for (const auto& [en, vi] : kStarts)
    if (reason.starts_with(en)) {
      std::string rest(reason.substr(en.size()));
      // "repeat of row 3 of phuong-1" -> "trùng số với dòng 3 của phuong-1"
      if (auto of = rest.find(" of "); en == "repeat of row " && of != std::string::npos) rest.replace(of, 4, " của ");
      if (en == "malformed row: ") rest = wards::row_fault_for_people(rest);
      return std::string(vi) + rest;
    }
  return std::string(reason);
}

std::string reason_for_people(std::string_view reason) {
  if (i18n::current() == i18n::Language::English) return std::string(reason);
  if (reason.starts_with("message is ")) return i18n::tr_stored(reason, {jobs::kTooManySegments});
  if (reason.starts_with("the server could not")) return i18n::tr_stored(reason, {jobs::kSpillFault});
  return vi_reason(reason);
}

std::string time_for_people(std::int64_t ms, std::string_view timezone) {
  return i18n::current() == i18n::Language::English ? util::format_local(ms, timezone)
                                                     : util::format_day_first(ms, timezone);
}

}  // namespace loa::reports
