// Vietnam's public holidays as a ward office keeps them (Labour Code 45/2019/QH14, Art.
// 112): the fixed ones, the lunar ones (Tết, Giỗ Tổ), National Day's adjacent day, a
// compensatory day for a holiday on the weekly rest day, and the override table for the
// days the government fixes each year (days off, swapped working days) — kept in
// `calendar.yaml` beside the config (`loa calendar override add/remove/list`).
#pragma once
#include <cstdint>
#include <expected>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/calendar/lunar.h"

namespace loa::calendar {

/// A day the table fixes: `off` (a day off: nghỉ, nghỉ bù) or `work` (a working day,
/// often a Saturday swapped for a longer break: làm bù).
struct Override {
  enum class Kind { off, work };
  Date date;
  Kind kind = Kind::off;
  std::string note;  ///< e.g. the notice that fixed it
};

/// The override table, sorted by date.
struct Overrides {
  std::vector<Override> days;
  const Override* find(Date d) const;
};

/// Reads `path` (a missing file is an empty table); errors name file:line.
std::expected<Overrides, std::vector<std::string>> load_overrides(const std::string& path);
/// Writes it whole (a temporary file renamed over it).
std::expected<void, std::string> save_overrides(const std::string& path, const Overrides& table);
/// Reads the table, lets `edit` change it, and writes it back, all under an exclusive lock
/// (flock on `<path>.lock`, waited for up to 10 s): two officials editing at once both keep
/// their day. `edit` returns false to leave the file as it was. The table as written.
std::expected<Overrides, std::vector<std::string>> edit_overrides(const std::string& path,
                                                                  const std::function<bool(Overrides&)>& edit);
/// The table's file for a config in `config_dir`.
std::string overrides_path(const std::string& config_dir);

/// The table of a long-running reader (the daemon's reminder loop): read again only when
/// its file changes (time or size), or is made or removed. A table that cannot be read is
/// reported once, through `on_error`, and serves as empty (the law's defaults) until mended.
class OverridesCache {
 public:
  using OnError = std::function<void(const std::vector<std::string>&)>;
  explicit OverridesCache(OnError on_error) : on_error_(std::move(on_error)) {}
  const Overrides& get(const std::string& path);

 private:
  OnError on_error_;
  std::string path_;
  bool read_ = false, had_file_ = false;
  std::filesystem::file_time_type stamp_{};
  std::uintmax_t size_ = 0;
  Overrides table_;
};

/// Named holidays, as rules name them: "new-year", "tet", "gio-to", "reunification",
/// "labour", "national-day".
struct Holiday {
  std::string key;
  std::string name;  ///< in Vietnamese, as offices write it
  Date from, to;     ///< the days off it gives (Tết: five; National Day: two)
};

/// The holidays of Gregorian year `year` by the law's defaults: Tết = the last day of
/// month 12 and days 1–4 of month 1; National Day = 2 Sep and 3 Sep.
std::vector<Holiday> holidays(int year);
std::optional<Holiday> holiday(std::string_view key, int year);

/// Why a day is off: a holiday, the compensatory day of one on a weekly rest day, or the
/// override table.
struct DayOff {
  Date date;
  std::string why;  ///< Vietnamese: "Tết Nguyên đán", "nghỉ bù Quốc khánh", the note
  enum class Source { law, compensatory, table } source = Source::law;
};

/// Every day off of `year` that is not a weekly rest day (Saturday, Sunday), and the
/// table's working days removed from it: what an office is closed on.
std::vector<DayOff> days_off(int year, const Overrides& table);
/// Whether the office is closed on `d`: a weekend not swapped for work, or a day off.
bool closed(Date d, const Overrides& table);

/// The whole break around a holiday: its days and every closed day joined to them
/// (weekends, compensatory days, the table's days off; the table's working days break
/// it) — what `{{tu_ngay}}` and `{{den_ngay}}` give a reminder. Tết 2026: 14–22 Feb.
struct Break {
  Date from, to;
};
Break break_of(const Holiday& h, const Overrides& table);

/// "Bính Ngọ" for lunar year 2026.
std::string year_name(int lunar_year);
/// "10/3 âm lịch", "15/6 (nhuận) âm lịch".
std::string lunar_short(const LunarDate& l);
/// "ngày 10 tháng 3 năm Bính Ngọ" (âm lịch, as a notice writes it).
std::string lunar_long(const LunarDate& l);
/// "Thứ Hai" .. "Chủ nhật".
std::string weekday_name(Date d);
/// "17/02/2026".
std::string dmy(Date d);

/// A day as offices type it in a list: dd/mm/yyyy (also d/m/yyyy, '-' or '.' between),
/// yyyy-mm-dd, either with a time after it (an Excel date-time cell as the list reader
/// writes it); nullopt for anything else.
std::optional<Date> read_office_date(std::string_view text);

}  // namespace loa::calendar
