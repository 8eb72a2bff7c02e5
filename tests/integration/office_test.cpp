// The command line as a ward office uses it (issue 12, point 5): confirmation with cost on
// a terminal, the same announcement twice, a stopped gateway, names mistyped, cancel and
// opt-out answers, dates as officials write them.
#include <doctest/doctest.h>

#include <zip.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/util/time.h"
#include "tests/integration/harness.h"

using namespace loa::test;
using nlohmann::json;

namespace {

const std::string kPricing = "pricing: { currency: VND, unicode_segment: 800, gsm_segment: 750, "
                             "by_carrier: { viettel: { unicode_segment: 850 } } }\n";

std::vector<std::string> send_args(const std::string& text, std::vector<std::string> extra = {}) {
  std::vector<std::string> a{"send", "--template", "thong-bao", "--ward", "phuong-6", "--var", "noi_dung=" + text};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

long long stream_length(RedisServer& redis) { return redis.connect()->command({"XLEN", "t:jobs"})->as_int(); }

// `loa ...` on a pseudo-terminal (util-linux script), with `answer` typed at the prompt.
CommandResult on_terminal(const std::string& config, const std::vector<std::string>& args, const std::string& answer) {
  std::string cmd = bin("loa") + " --config " + config;
  for (const auto& a : args) cmd += " '" + a + "'";
  return run({"bash", "-c", fmt::format("printf '{}\\n' | script -qec \"{}\" /dev/null", answer, cmd)});
}

}  // namespace

TEST_SUITE("integration/office") {
  TEST_CASE("with no gateway running: send warns and the job shows as waiting for one, never 'no such job'") {
    TempDir dir;
    RedisServer redis(dir);
    write_ward(dir, "phuong-6", 3);
    auto cfg = write_config(dir, redis.url(), 9);
    auto sent = run_loa(cfg, send_args("họp tổ"));
    REQUIRE_MESSAGE(sent.code == 0, sent.err);
    CHECK(sent.err.find("no gateway has read the job queue yet") != std::string::npos);
    const std::string job = job_id(sent);
    auto st = run_loa(cfg, {"status", job, "--json"});
    REQUIRE_MESSAGE(st.code == 0, st.err);
    auto j = json::parse(st.out);
    CHECK(j["state"] == "submitted");
    for (const auto& [state, n] : j["counts"].items()) CHECK_MESSAGE(n == 0, state);
    CHECK(j["waiting"].get<std::string>().find("for a gateway") != std::string::npos);
    auto plain = run_loa(cfg, {"status", job});
    CHECK(plain.code == 0);
    CHECK(plain.out.find("submitted") != std::string::npos);
    auto list = run_loa(cfg, {"jobs"});
    CHECK(list.out.find(job) != std::string::npos);
    CHECK(list.out.find("submitted") != std::string::npos);
    // A gateway comes: the job goes, and send no longer warns.
    FakeProvider provider(dir, "fake");
    cfg = write_config(dir, redis.url(), provider.port());
    Gateway gw(dir, cfg, "gw-1", "gw.log");
    REQUIRE(wait_until([&] { return job_status(cfg, job)["state"] == "done"; }, std::chrono::seconds(20)));
    auto again = run_loa(cfg, send_args("họp tổ lần 2"));
    CHECK(again.code == 0);
    CHECK(again.err.find("no gateway") == std::string::npos);
  }

  TEST_CASE("the same announcement within 24 hours is refused without --again; a --key repeat is the key's") {
    TempDir dir;
    RedisServer redis(dir);
    write_ward(dir, "phuong-6", 3);
    auto cfg = write_config(dir, redis.url(), 9);
    auto first = run_loa(cfg, send_args("họp tổ"));
    REQUIRE(first.code == 0);
    auto twice = run_loa(cfg, send_args("họp tổ"));
    CHECK(twice.code == 2);
    CHECK(twice.err.find("went out as job " + job_id(first)) != std::string::npos);
    CHECK(twice.err.find("--again") != std::string::npos);
    CHECK(stream_length(redis) == 1);
    CHECK(run_loa(cfg, send_args("họp tổ khác")).code == 0);  // other variables: another announcement
    CHECK(run_loa(cfg, send_args("họp tổ", {"--again"})).code == 0);
    CHECK(stream_length(redis) == 3);
    auto keyed = run_loa(cfg, send_args("họp tổ", {"--key", "k1"}));
    CHECK(keyed.code == 0);
    auto keyed_again = run_loa(cfg, send_args("họp tổ", {"--key", "k1"}));
    CHECK(keyed_again.code == 0);
    CHECK(job_id(keyed_again) == job_id(keyed));
  }

  TEST_CASE("on a terminal, send shows recipients, segments and cost and asks; --yes does not ask") {
    TempDir dir;
    RedisServer redis(dir);
    write_ward(dir, "phuong-6", 3);  // Vinaphone numbers: 800 VND a Unicode segment
    auto cfg = write_config(dir, redis.url(), 9, "", kPricing);
    auto no = on_terminal(cfg, send_args("họp tổ"), "n");
    CHECK(no.out.find("3 message(s), 3 segment(s), about 2.400 VND") != std::string::npos);
    CHECK(no.out.find("[y/N]") != std::string::npos);
    CHECK(no.out.find("not confirmed: nothing enqueued") != std::string::npos);
    CHECK(stream_length(redis) == 0);
    auto yes = on_terminal(cfg, send_args("họp tổ"), "y");
    CHECK(yes.code == 0);
    CHECK(stream_length(redis) == 1);
    auto scripted = on_terminal(cfg, send_args("họp tổ lần 2", {"--yes"}), "");
    CHECK(scripted.out.find("[y/N]") == std::string::npos);
    CHECK(stream_length(redis) == 2);
    // Without a terminal (cron), nothing is asked.
    CHECK(run_loa(cfg, send_args("họp tổ lần 3")).code == 0);
    auto preview = run_loa(cfg, {"preview", "--template", "thong-bao", "--ward", "phuong-6", "--var", "noi_dung=x"});
    CHECK(preview.out.find("about 2.400 VND") != std::string::npos);
  }

  TEST_CASE("mistyped names are refused with a did-you-mean, exit 2, nothing enqueued") {
    TempDir dir;
    RedisServer redis(dir);
    write_ward(dir, "phuong-6", 6);  // khóm 1-3
    auto cfg = write_config(dir, redis.url(), 9);
    auto tmpl = run_loa(cfg, {"send", "--template", "thong-bo", "--ward", "phuong-6", "--var", "noi_dung=x"});
    CHECK(tmpl.code == 2);
    CHECK(tmpl.err.find("unknown template \"thong-bo\"; did you mean \"thong-bao\"?") != std::string::npos);
    auto ward = run_loa(cfg, {"send", "--template", "thong-bao", "--ward", "phuong6", "--var", "noi_dung=x"});
    CHECK(ward.code == 2);
    CHECK(ward.err.find("unknown ward \"phuong6\"; did you mean \"phuong-6\"?") != std::string::npos);
    auto var = run_loa(cfg, send_args("x", {"--var", "noi_dug=y"}));
    CHECK(var.code == 2);
    CHECK(var.err.find("unknown --var \"noi_dug\"; did you mean \"noi_dung\"?") != std::string::npos);
    auto area = run_loa(cfg, send_args("x", {"--area", "Khóm 9"}));
    CHECK(area.code == 2);
    CHECK(area.err.find("--area \"Khóm 9\" matches nobody in phuong-6; the areas there are: Khóm 1, Khóm 2, Khóm 3") !=
          std::string::npos);
    CHECK(stream_length(redis) == 0);
    CHECK(run_loa(cfg, send_args("x", {"--area", "khom 2"})).code == 0);  // case and diacritics aside
  }

  TEST_CASE("--at as officials write it, and the time it goes said at send time; cancel says what it stopped") {
    TempDir dir;
    RedisServer redis(dir);
    FakeProvider provider(dir, "fake");
    write_ward(dir, "phuong-6", 5);
    auto cfg = write_config(dir, redis.url(), provider.port());
    Gateway gw(dir, cfg, "gw-1", "gw.log");
    auto sent = run_loa(cfg, send_args("họp", {"--at", "24/12/2099 07:30"}));
    REQUIRE_MESSAGE(sent.code == 0, sent.err);
    CHECK(sent.out.find("scheduled: it goes at 2099-12-24 07:30") != std::string::npos);
    CHECK(run_loa(cfg, send_args("họp", {"--at", "31/02/2099 07:30", "--again"})).code == 2);  // no such day
    const std::string job = job_id(sent);
    REQUIRE(wait_until([&] { return job_status(cfg, job)["state"] == "scheduled"; }, std::chrono::seconds(10)));
    auto cancelled = run_loa(cfg, {"cancel", job});
    CHECK(cancelled.code == 0);
    CHECK(cancelled.out.find("had already gone to a provider") != std::string::npos);
  }

  TEST_CASE("optout add keeps an earlier reason and takes a number with spaces, quoted or not") {
    TempDir dir;
    RedisServer redis(dir);
    write_ward(dir, "phuong-6", 1);
    auto cfg = write_config(dir, redis.url(), 9);
    CHECK(run_loa(cfg, {"optout", "add", "0912", "345", "678", "--reason", "xin không nhận"}).code == 0);
    auto again = run_loa(cfg, {"optout", "add", "0912 345 678"});
    CHECK(again.code == 0);
    CHECK(again.out.find("already opted out (xin không nhận)") != std::string::npos);
    CHECK(run_loa(cfg, {"optout", "add", "0912345678", "--reason", "đổi số"}).code == 0);
    auto list = run_loa(cfg, {"optout", "list"});
    CHECK(list.out.find("xin không nhận; đổi số") != std::string::npos);
  }

  TEST_CASE("the chairman's report: an .xlsx with a summary and a recipients sheet, the CSV with the same columns") {
    TempDir dir;
    RedisServer redis(dir);
    FakeProvider provider(dir, "fake", {"--dlr-delay-ms", "20"});
    dir.write("wards/phuong-6.csv",
              "STT,Họ và tên,Số điện thoại,Khóm/Ấp\n"
              "11,Nguyễn Văn An,0912000000,Khóm 1\n"
              "12,Trần Thị Bé,0912000001,Khóm 2\n"
              "13,Lê Văn Cường,0912000000,Khóm 2\n");  // a repeat of row 2
    auto cfg = write_config(dir, redis.url(), provider.port(), "", kPricing);
    Gateway gw(dir, cfg, "gw-1", "gw.log");
    const std::string job = send_job(cfg, "phuong-6", "họp tổ dân phố");
    REQUIRE(wait_until([&] { return job_status(cfg, job)["counts"]["delivered"] == 2; }, std::chrono::seconds(20)));
    const std::string path = dir.file("bao-cao.xlsx");
    auto r = run_loa(cfg, {"report", job, "--xlsx", path});
    REQUIRE_MESSAGE(r.code == 0, r.err);
    auto sheet = [&](const char* name) {
      int err = 0;
      zip_t* z = zip_open(path.c_str(), ZIP_RDONLY, &err);
      REQUIRE(z != nullptr);
      zip_file_t* f = zip_fopen(z, name, 0);
      REQUIRE(f != nullptr);
      std::string xml;
      char buf[4096];
      zip_int64_t n;
      while ((n = zip_fread(f, buf, sizeof buf)) > 0) xml.append(buf, static_cast<std::size_t>(n));
      zip_fclose(f);
      zip_discard(z);
      return xml;
    };
    const std::string summary = sheet("xl/worksheets/sheet1.xml");
    for (const char* want : {"Mẫu tin", "thong-bao", "Phường 6", "Phường 6 kính báo", "Đã nhận", "Bỏ qua", "1600 VND"})
      CHECK_MESSAGE(summary.find(want) != std::string::npos, want);
    // Who sent it: the unix user who ran `loa send` on Redis directly.
    const auto user = run({"id", "-un"}).out;
    REQUIRE(!user.empty());
    CHECK_MESSAGE(summary.find("local:" + user.substr(0, user.size() - 1)) != std::string::npos, summary);
    const std::string recipients = sheet("xl/worksheets/sheet2.xml");
    for (const char* want : {"STT", "Khóm/Ấp", "Trạng thái", "Lý do", ">11<", ">13<", "Nguyễn Văn An", "Khóm 2",
                             "0912***000", "Đã nhận", "Bỏ qua", "trùng số với dòng 2"})
      CHECK_MESSAGE(recipients.find(want) != std::string::npos, want);
    CHECK(recipients.find("0912000000") == std::string::npos);  // masked
    auto csv = run_loa(cfg, {"report", job, "--csv"});
    CHECK(csv.out.find("STT,Dòng,Đơn vị,Khóm/Ấp,Họ tên,Số điện thoại,Trạng thái,Lý do") != std::string::npos);
    CHECK(csv.out.find("13,4,Phường 6,Khóm 2,Lê Văn Cường,0912***000,Bỏ qua,trùng số với dòng 2") != std::string::npos);
  }

  TEST_CASE("Vietnamese by default; English with an English locale or language: en; --json unchanged") {
    TempDir dir;
    RedisServer redis(dir);
    write_ward(dir, "phuong-6", 3);
    auto cfg = write_config(dir, redis.url(), 9, "", kPricing);
    const std::vector<std::string> dry = {bin("loa"), "--config", cfg, "send", "--template", "thong-bao", "--ward",
                                          "phuong-6", "--var", "noi_dung=x", "--dry-run"};
    auto vi = run(dry, {{"LC_ALL", ""}, {"LANG", "C.UTF-8"}});
    CHECK(vi.code == 0);
    CHECK(vi.out.find("3 dòng: 3 tin nhắn, bỏ qua 0; tổng cộng 3 phần tin (SMS), khoảng 2.400 VND") != std::string::npos);
    CHECK(vi.out.find("chạy thử: chưa gửi gì") != std::string::npos);
    auto en = run(dry, {{"LC_ALL", ""}, {"LANG", "en_US.UTF-8"}});
    CHECK(en.out.find("3 row(s): 3 message(s), 0 skipped; 3 segment(s) in all, about 2.400 VND") != std::string::npos);
    CHECK(en.out.find("dry run: nothing enqueued") != std::string::npos);
    auto typo = run({bin("loa"), "--config", cfg, "preview", "--template", "thong-bo", "--ward", "phuong-6"},
                    {{"LC_ALL", ""}, {"LANG", "vi_VN.UTF-8"}});
    CHECK(typo.code == 2);
    CHECK(typo.err.find("không có mẫu tin \"thong-bo\"; có phải ý bạn là \"thong-bao\"?") != std::string::npos);
    // The config decides over the locale.
    dir.write("loa.yaml", dir.read("loa.yaml") + "language: en\n");
    auto configured = run(dry, {{"LC_ALL", ""}, {"LANG", "vi_VN.UTF-8"}});
    CHECK(configured.out.find("dry run: nothing enqueued") != std::string::npos);
    // Job status for people in Vietnamese; --json keeps Loa's English names.
    auto sent = run_loa(cfg, send_args("x"));
    REQUIRE(sent.code == 0);
    auto text = run({bin("loa"), "--config", cfg, "status", job_id(sent)}, {{"LC_ALL", ""}, {"LANG", "vi_VN.UTF-8"}});
    CHECK(text.out.find("submitted") != std::string::npos);  // language: en in the config now
    auto js = run({bin("loa"), "--config", cfg, "status", job_id(sent), "--json"}, {{"LC_ALL", ""}, {"LANG", "vi_VN.UTF-8"}});
    CHECK(json::parse(js.out)["state"] == "submitted");
  }

  TEST_CASE("help, usage errors, config errors and list faults speak the chosen language") {
    TempDir dir;
    RedisServer redis(dir);
    write_ward(dir, "phuong-6", 2);
    dir.write("wards/phuong-7.csv", "ho_ten,so_dien_thoai\nA,0987000002,thừa\n");  // a row with a field too many
    auto cfg = write_config(dir, redis.url(), 9, "", "");
    const std::map<std::string, std::string> vi_env{{"LC_ALL", ""}, {"LANG", "vi_VN.UTF-8"}};
    const std::map<std::string, std::string> en_env{{"LC_ALL", ""}, {"LANG", "en_US.UTF-8"}};
    auto help = run({bin("loa"), "--config", cfg, "send", "--help"}, vi_env);
    CHECK(help.code == 0);
    for (const char* want : {"Cách dùng: loa send [TÙY CHỌN]", "Tùy chọn:", "In hướng dẫn này rồi thoát",
                             "đơn vị có người dân nhận tin", "kiểm tra mọi thứ, không gửi gì"})
      CHECK_MESSAGE(help.out.find(want) != std::string::npos, want);
    CHECK(help.out.find("Usage") == std::string::npos);
    auto en_help = run({bin("loa"), "--config", cfg, "send", "--help"}, en_env);
    CHECK(en_help.out.find("Usage: loa send [OPTIONS]") != std::string::npos);
    // CLI11's own mistakes, and Loa's, in Vietnamese; exit 2.
    auto extra = run({bin("loa"), "--config", cfg, "send", "--template", "thong-bao", "--ward", "phuong-6", "--bogus"}, vi_env);
    CHECK(extra.code == 2);
    CHECK_MESSAGE(extra.err.find("loa: không hiểu đối số: --bogus (xem loa send --help)") != std::string::npos, extra.err);
    auto missing = run({bin("loa"), "--config", cfg, "status"}, vi_env);
    CHECK(missing.code == 2);
    CHECK(missing.err.find("loa: thiếu JOB (xem loa status --help)") != std::string::npos);
    auto en_missing = run({bin("loa"), "--config", cfg, "status"}, en_env);
    CHECK(en_missing.err.find("loa: JOB is required (see loa status --help)") != std::string::npos);
    // A list's malformed row: the reason stored in English, shown in Vietnamese.
    auto check = run({bin("loa"), "--config", cfg, "check"}, vi_env);
    CHECK_MESSAGE(check.out.find("phuong-7.csv:2: sẽ bỏ qua: dòng sai định dạng: 3 ô, dòng tiêu đề có 2") != std::string::npos,
                  check.out);
    auto en_check = run({bin("loa"), "--config", cfg, "check"}, en_env);
    CHECK(en_check.out.find("phuong-7.csv:2: will be skipped: malformed row: 3 fields, the header has 2") != std::string::npos);
    // A config mistake, in the config's own language even for --help.
    dir.write("loa.yaml", dir.read("loa.yaml") + "languge: vi\n");
    auto bad = run({bin("loa"), "--config", cfg, "check"}, vi_env);
    CHECK(bad.code == 2);
    CHECK_MESSAGE(bad.err.find("không biết khóa \"languge\" trong cấu hình") != std::string::npos, bad.err);
    dir.write("loa.yaml", dir.read("loa.yaml") + "language: en\n");
    auto configured_help = run({bin("loa"), "--config", cfg, "--help"}, vi_env);
    CHECK(configured_help.out.find("Usage: loa [OPTIONS] SUBCOMMAND") != std::string::npos);
  }

  TEST_CASE("check names each list's encoding and reports lists the config does not name; --all-wards skips them") {
    TempDir dir;
    RedisServer redis(dir);
    write_ward(dir, "phuong-6", 2);
    // Excel's plain CSV on a Vietnamese Windows: Windows-1258, semicolons.
    dir.write("wards/hoa-tan.csv", "Ho\xF2 va\xCC t\xEAn;S\xF4\xEC \xF0i\xEA\xF2n thoa\xF2i;Kho\xECm/\xC2\xECp\r\n"
                                   "Nguy\xEA\xDEn V\xE3n \xD0\xFD\xEC" "c;0987000001;\xC2\xECp 1\r\n");
    dir.write("wards/cu.csv", "ho_ten,so_dien_thoai\nA,0987000002\n");  // an old list nobody named
    auto cfg = write_config(dir, redis.url(), 9, "", "");
    std::string text = dir.read("loa.yaml");
    auto at = text.find("  phuong-6: \"Phường 6\"\n");
    REQUIRE(at != std::string::npos);
    text.insert(at, "  hoa-tan: { name: \"Hòa Tân\", kind: xa }\n");
    dir.write("loa.yaml", text);
    auto check = run_loa(cfg, {"check"});
    CHECK_MESSAGE(check.code == 0, check.err);
    CHECK(check.out.find("hoa-tan.csv: Windows-1258, 1 row(s)") != std::string::npos);
    CHECK(check.out.find("phuong-6.csv: UTF-8") != std::string::npos);
    CHECK(check.out.find("cu.csv: warning: not named under wards:") != std::string::npos);
    auto all = run_loa(cfg, {"send", "--template", "thong-bao", "--all-wards", "--var", "noi_dung=x", "--dry-run"});
    CHECK(all.code == 0);
    CHECK(all.out.find("3 row(s): 3 message(s)") != std::string::npos);  // phuong-6's 2 and hoa-tan's 1, not cu's
    auto preview = run_loa(cfg, {"preview", "--template", "thong-bao", "--ward", "hoa-tan", "--var", "noi_dung=họp"});
    CHECK(preview.out.find("Hòa Tân kính báo Nguyễn Văn Đức (Ấp 1): họp") != std::string::npos);
  }

  TEST_CASE("send says a job waits for the end of quiet hours; status and status --watch count alike") {
    TempDir dir;
    RedisServer redis(dir);
    FakeProvider provider(dir, "fake");
    write_ward(dir, "phuong-6", 4);
    // Quiet hours around the present minute, in the config's time zone.
    const int now = loa::util::minute_of_day(loa::util::now_ms(), "Asia/Ho_Chi_Minh");
    const int start = (now + 1440 - 60) % 1440, end = (now + 60) % 1440;
    auto cfg = write_config(dir, redis.url(), provider.port(), "",
                            fmt::format("quiet_hours: {{ start: \"{:02}:{:02}\", end: \"{:02}:{:02}\" }}\n", start / 60,
                                        start % 60, end / 60, end % 60));
    auto quiet = run_loa(cfg, send_args("họp", {"--dry-run"}));
    CHECK(quiet.out.find(fmt::format("it waits and goes at {:02}:{:02}", end / 60, end % 60)) != std::string::npos);
    auto urgent = run_loa(cfg, send_args("họp", {"--dry-run", "--urgent"}));
    CHECK(urgent.out.find("it waits") == std::string::npos);
    Gateway gw(dir, cfg, "gw-1", "gw.log");
    const std::string job = job_id(run_loa(cfg, send_args("họp", {"--urgent"})));
    REQUIRE(wait_until([&] { return job_status(cfg, job)["state"] == "done"; }, std::chrono::seconds(20)));
    auto plain = run_loa(cfg, {"status", job});
    auto watch = run_loa(cfg, {"status", job, "--watch"});
    const auto at = plain.out.find(" queued ");
    REQUIRE(at != std::string::npos);
    const std::string counts = plain.out.substr(at, plain.out.find('\n', at) - at);  // " queued 0 sending 0 ..."
    CHECK(counts.find(" delivered 4") != std::string::npos);
    CHECK(watch.out.find(counts) != std::string::npos);  // the same states and counts, in the same order
  }
}

