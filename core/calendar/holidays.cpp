// Public holidays, compensatory days and the override table.
#include "core/calendar/holidays.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "core/util/yaml_reader.h"
#include "core/util/i18n.h"

namespace loa::calendar {

using namespace std::chrono;

namespace {

Date ymd(int y, unsigned m, unsigned d) { return Date{year(y), month(m), day(d)}; }
Date plus(Date d, int n) { return Date(sys_days(d) + days(n)); }
bool weekend(Date d) {
  const weekday w{sys_days(d)};
  return w == Saturday || w == Sunday;
}

std::optional<Date> parse_date(std::string_view s) {
  int y = 0;
  unsigned m = 0, d = 0;
  char tail = 0;
  if (s.size() != 10 || std::sscanf(std::string(s).c_str(), "%4d-%2u-%2u%c", &y, &m, &d, &tail) != 3) return std::nullopt;
  const Date out = ymd(y, m, d);
  return out.ok() ? std::optional(out) : std::nullopt;
}

}  // namespace

const Override* Overrides::find(Date d) const {
  auto it = std::lower_bound(days.begin(), days.end(), d, [](const Override& o, Date x) { return sys_days(o.date) < sys_days(x); });
  return it != days.end() && it->date == d ? &*it : nullptr;
}

std::string overrides_path(const std::string& config_dir) {
  return (std::filesystem::path(config_dir.empty() ? "." : config_dir) / "calendar.yaml").string();
}

const Overrides& OverridesCache::get(const std::string& path) {
  std::error_code ec, size_ec;
  const auto stamp = std::filesystem::last_write_time(path, ec);
  const auto size = ec ? 0 : std::filesystem::file_size(path, size_ec);
  const bool has_file = !ec;
  if (read_ && path == path_ && has_file == had_file_ && (!has_file || (stamp == stamp_ && size == size_)))
    return table_;
  read_ = true;
  path_ = path;
  had_file_ = has_file;
  stamp_ = stamp;
  size_ = size;
  auto t = load_overrides(path);
  if (t) {
    table_ = std::move(*t);
  } else {
    table_ = {};
    if (on_error_) on_error_(t.error());
  }
  return table_;
}

std::expected<Overrides, std::vector<std::string>> load_overrides(const std::string& path) {
  Overrides out;
  if (!std::filesystem::exists(path)) return out;
  util::YamlReader r(path);
  YAML::Node root = r.load();
  if (!r.errors().empty()) return std::unexpected(r.errors());
  if (root.IsNull()) return out;
  if (!root.IsSequence()) {
    r.error(root, i18n::tr("expected a list of days (- date: YYYY-MM-DD, kind: off|work, note: ...)"));
    return std::unexpected(r.errors());
  }
  for (const auto& item : root) {
    if (!r.expect_keys(item, {"date", "kind", "note"}, "a day of the calendar")) continue;
    Override o;
    if (!item["date"]) {
      r.error(item, i18n::tr("a day of the calendar needs its date: (YYYY-MM-DD)"));
      continue;
    }
    const auto date = r.string(item["date"], "date");
    if (!date) continue;
    if (auto d = parse_date(*date)) o.date = *d;
    else {
      r.error(item["date"], i18n::trf("date {} is not a day written YYYY-MM-DD", *date));
      continue;
    }
    const auto kind = item["kind"] ? r.string(item["kind"], "kind") : std::optional<std::string>("off");
    if (!kind) continue;
    if (*kind == "off") o.kind = Override::Kind::off;
    else if (*kind == "work") o.kind = Override::Kind::work;
    else {
      r.error(item["kind"], i18n::trf("kind {} is neither off (a day off) nor work (a working day)", *kind));
      continue;
    }
    if (item["note"])
      if (auto note = r.string(item["note"], "note")) o.note = *note;
    if (out.find(o.date)) {
      r.error(item["date"], i18n::trf("{} is listed twice", iso(o.date)));
      continue;
    }
    out.days.insert(std::upper_bound(out.days.begin(), out.days.end(), o,
                                     [](const Override& a, const Override& b) { return sys_days(a.date) < sys_days(b.date); }),
                    o);
  }
  if (!r.errors().empty()) return std::unexpected(r.errors());
  return out;
}

std::expected<void, std::string> save_overrides(const std::string& path, const Overrides& table) {
  YAML::Emitter e;
  e << YAML::BeginSeq;
  for (const Override& o : table.days) {
    e << YAML::BeginMap << YAML::Key << "date" << YAML::Value << iso(o.date) << YAML::Key << "kind" << YAML::Value
      << (o.kind == Override::Kind::off ? "off" : "work");
    if (!o.note.empty()) e << YAML::Key << "note" << YAML::Value << YAML::DoubleQuoted << o.note;
    e << YAML::EndMap;
  }
  e << YAML::EndSeq;
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << "# Days the government fixes each year: off (a day off) or work (a working day).\n"
           "# Kept by `loa calendar override add/remove`; `loa calendar YEAR` shows them.\n"
        << (table.days.empty() ? "[]" : e.c_str()) << "\n";
    if (!out) return std::unexpected(i18n::trf("cannot write {}", tmp));
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return std::unexpected(i18n::trf("cannot replace {}: {}", path, ec.message()));
  return {};
}

std::expected<Overrides, std::vector<std::string>> edit_overrides(const std::string& path,
                                                                  const std::function<bool(Overrides&)>& edit) {
  const std::string lock_path = path + ".lock";
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) return std::unexpected(std::vector{i18n::trf("cannot open {}: {}", lock_path, std::strerror(errno))});
  // Waited for a while, not for ever: an edit holds it for milliseconds.
  bool locked = false;
  for (int i = 0; i < 1000 && !(locked = ::flock(fd, LOCK_EX | LOCK_NB) == 0); ++i) {
    if (errno != EWOULDBLOCK && errno != EINTR) break;
    ::usleep(10000);
  }
  if (!locked) {
    ::close(fd);
    return std::unexpected(std::vector{
        i18n::trf("{} is being edited by someone else; try again in a moment (lock: {})", path, lock_path)});
  }
  auto table = load_overrides(path);
  if (table && edit(*table))
    if (auto saved = save_overrides(path, *table); !saved) table = std::unexpected(std::vector{saved.error()});
  ::close(fd);  // (the lock goes with it)
  return table;
}

std::vector<Holiday> holidays(int y) {
  std::vector<Holiday> out;
  out.push_back({"new-year", "Tết Dương lịch", ymd(y, 1, 1), ymd(y, 1, 1)});
  if (auto tet = to_solar({y, 1, 1})) out.push_back({"tet", "Tết Nguyên đán", plus(*tet, -1), plus(*tet, 3)});
  if (auto gio_to = to_solar({y, 3, 10})) out.push_back({"gio-to", "Giỗ Tổ Hùng Vương", *gio_to, *gio_to});
  out.push_back({"reunification", "Ngày Chiến thắng", ymd(y, 4, 30), ymd(y, 4, 30)});
  out.push_back({"labour", "Ngày Quốc tế Lao động", ymd(y, 5, 1), ymd(y, 5, 1)});
  out.push_back({"national-day", "Quốc khánh", ymd(y, 9, 2), ymd(y, 9, 3)});
  std::sort(out.begin(), out.end(), [](const Holiday& a, const Holiday& b) { return sys_days(a.from) < sys_days(b.from); });
  return out;
}

std::optional<Holiday> holiday(std::string_view key, int year) {
  for (Holiday& h : holidays(year))
    if (h.key == key) return h;
  return std::nullopt;
}

std::vector<DayOff> days_off(int year, const Overrides& table) {
  std::vector<DayOff> out;
  auto off = [&](Date d) { return std::any_of(out.begin(), out.end(), [&](const DayOff& x) { return x.date == d; }); };
  for (const Holiday& h : holidays(year))
    for (Date d = h.from; sys_days(d) <= sys_days(h.to); d = plus(d, 1)) out.push_back({d, h.name, DayOff::Source::law});
  // Art. 112(3): a holiday on the weekly rest day gives the next working day off.
  const std::size_t law = out.size();
  for (std::size_t i = 0; i < law; ++i) {
    if (!weekend(out[i].date)) continue;
    Date d = plus(out[i].date, 1);
    while (weekend(d) || off(d)) d = plus(d, 1);
    out.push_back({d, "nghỉ bù " + out[i].why, DayOff::Source::compensatory});
  }
  // The table where it speaks: its days off added, its working days taken out.
  for (const Override& o : table.days) {
    if (static_cast<int>(o.date.year()) != year) continue;
    std::erase_if(out, [&](const DayOff& x) { return x.date == o.date; });
    if (o.kind == Override::Kind::off) out.push_back({o.date, o.note.empty() ? "nghỉ theo thông báo" : o.note, DayOff::Source::table});
  }
  std::sort(out.begin(), out.end(), [](const DayOff& a, const DayOff& b) { return sys_days(a.date) < sys_days(b.date); });
  return out;
}

bool closed(Date d, const Overrides& table) {
  if (const Override* o = table.find(d)) return o->kind == Override::Kind::off;
  if (weekend(d)) return true;
  for (int y : {static_cast<int>(d.year()) - 1, static_cast<int>(d.year())})
    for (const DayOff& x : days_off(y, table))
      if (x.date == d) return true;
  return false;
}

Break break_of(const Holiday& h, const Overrides& table) {
  Break b{h.from, h.to};
  for (int n = 0; n < 31 && closed(plus(b.from, -1), table); ++n) b.from = plus(b.from, -1);
  for (int n = 0; n < 31 && closed(plus(b.to, 1), table); ++n) b.to = plus(b.to, 1);
  return b;
}

std::string year_name(int lunar_year) {
  static constexpr std::array<std::string_view, 10> stems{"Giáp", "Ất", "Bính", "Đinh", "Mậu", "Kỷ", "Canh", "Tân", "Nhâm", "Quý"};
  static constexpr std::array<std::string_view, 12> branches{"Tý", "Sửu", "Dần", "Mão", "Thìn", "Tỵ",
                                                              "Ngọ", "Mùi", "Thân", "Dậu", "Tuất", "Hợi"};
  const auto mod = [](int a, int n) { return ((a % n) + n) % n; };
  return fmt::format("{} {}", stems[static_cast<std::size_t>(mod(lunar_year + 6, 10))],
                     branches[static_cast<std::size_t>(mod(lunar_year + 8, 12))]);
}

std::string lunar_short(const LunarDate& l) {
  return fmt::format("{}/{}{} âm lịch", l.day, l.month, l.leap ? " (nhuận)" : "");
}

std::string lunar_long(const LunarDate& l) {
  return fmt::format("ngày {} tháng {}{} năm {}", l.day, l.month, l.leap ? " nhuận" : "", year_name(l.year));
}

std::string weekday_name(Date d) {
  static constexpr std::array<std::string_view, 7> names{"Chủ nhật", "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy"};
  return std::string(names[weekday{sys_days(d)}.c_encoding()]);
}

std::optional<Date> read_office_date(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  if (auto space = s.find_first_of(" \tT"); space != std::string_view::npos && space >= 8) s = s.substr(0, space);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  int parts[3] = {0, 0, 0}, digits[3] = {0, 0, 0}, n = 0;
  char sep = 0;
  for (char c : s) {
    if (c >= '0' && c <= '9') {
      if (digits[n] == 4) return std::nullopt;
      parts[n] = parts[n] * 10 + (c - '0');
      ++digits[n];
    } else if ((c == '/' || c == '-' || c == '.') && n < 2 && digits[n] > 0 && (sep == 0 || c == sep)) {
      sep = c;
      ++n;
    } else {
      return std::nullopt;
    }
  }
  if (n != 2 || digits[2] == 0) return std::nullopt;
  int y = 0;
  unsigned m = 0, d = 0;
  if (digits[0] == 4 && digits[1] <= 2 && digits[2] <= 2) {  // yyyy-mm-dd
    y = parts[0], m = static_cast<unsigned>(parts[1]), d = static_cast<unsigned>(parts[2]);
  } else if (digits[0] <= 2 && digits[1] <= 2 && digits[2] == 4) {  // dd/mm/yyyy
    d = static_cast<unsigned>(parts[0]), m = static_cast<unsigned>(parts[1]), y = parts[2];
  } else {
    return std::nullopt;
  }
  const Date out = ymd(y, m, d);
  return out.ok() ? std::optional(out) : std::nullopt;
}

std::string dmy(Date d) {
  return fmt::format("{:02}/{:02}/{:04}", static_cast<unsigned>(d.day()), static_cast<unsigned>(d.month()), static_cast<int>(d.year()));
}

}  // namespace loa::calendar
