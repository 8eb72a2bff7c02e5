// The generic http provider against a real Kannel (issue 14, point 5): the shipped example
// (config/kannel/loa-provider.yaml and kannel.conf) with Debian's bearerbox and smsbox, and
// Kannel's own fake SMSC (kannel-extras' fakesmsc) in the SMSC group. What reaches the SMSC
// is read back from fakesmsc's output, parts joined by their UDH, and compared with the
// text Loa rendered; Kannel's delivery reports come back to the webhook. Skipped, saying so,
// where Kannel is not installed (CI installs it).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "tests/integration/harness.h"

using namespace loa::test;

namespace {

constexpr const char* kBearerbox = "/usr/sbin/bearerbox";
constexpr const char* kSmsbox = "/usr/sbin/smsbox";
constexpr const char* kFakeSmsc = "/usr/lib/kannel/test/fakesmsc";

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  REQUIRE_MESSAGE(text.find(from) != std::string::npos, "the shipped file lost \"", from, "\"");
  for (std::size_t at = 0; (at = text.find(from, at)) != std::string::npos; at += to.size()) text.replace(at, from.size(), to);
}

// fakesmsc prints what it got URL-encoded, "+" for a space.
std::string url_decode(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') out += ' ';
    else if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else out += s[i];
  }
  return out;
}

// UCS-2 (big-endian, as SMS carries it; surrogate pairs too) to UTF-8.
std::string from_ucs2(const std::string& bytes) {
  std::string out;
  for (std::size_t i = 0; i + 1 < bytes.size(); i += 2) {
    char32_t c = (static_cast<unsigned char>(bytes[i]) << 8) | static_cast<unsigned char>(bytes[i + 1]);
    if (c >= 0xD800 && c < 0xDC00 && i + 3 < bytes.size()) {
      char32_t low = (static_cast<unsigned char>(bytes[i + 2]) << 8) | static_cast<unsigned char>(bytes[i + 3]);
      c = 0x10000 + ((c - 0xD800) << 10) + (low - 0xDC00);
      i += 2;
    }
    if (c < 0x80) out += static_cast<char>(c);
    else if (c < 0x800) {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      out += static_cast<char>(0xE0 | (c >> 12));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (c >> 18));
      out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

// The messages the fake SMSC got for `to`, each whole (parts joined in order by their UDH's
// concatenation reference), decoded as UCS-2 or as text; and how many parts each had.
struct Received {
  std::string text;
  int parts = 0;
};
std::vector<Received> received(const std::string& smsc_output, const std::string& to, bool ucs2) {
  static const std::regex line(R"(Got message \d+: <(\S+) (\S+) (\S+) (.*)>)");
  std::vector<Received> out;
  std::map<int, std::map<int, std::string>> concatenated;  // ref -> seq -> payload
  std::map<int, int> totals;
  std::istringstream in(smsc_output);
  std::string l;
  while (std::getline(in, l)) {
    std::smatch m;
    if (!std::regex_search(l, m, line) || m[2] != to) continue;
    const std::string type = m[3], rest = m[4];
    if (type == "udh") {
      const auto data = rest.find(" data ");
      REQUIRE(data != std::string::npos);
      const std::string udh = url_decode(rest.substr(0, data));
      // 05 00 03 ref total seq: the concatenation element (8-bit reference).
      REQUIRE_MESSAGE(udh.size() == 6, "unexpected UDH of ", udh.size(), " bytes");
      REQUIRE(udh[1] == 0);
      const int ref = static_cast<unsigned char>(udh[3]), total = static_cast<unsigned char>(udh[4]),
                seq = static_cast<unsigned char>(udh[5]);
      concatenated[ref][seq] = url_decode(rest.substr(data + 6));
      totals[ref] = total;
      if (static_cast<int>(concatenated[ref].size()) == total) {
        std::string whole;
        for (const auto& [_, payload] : concatenated[ref]) whole += payload;
        out.push_back({ucs2 ? from_ucs2(whole) : whole, total});
        concatenated.erase(ref);
      }
    } else {
      const std::string payload = url_decode(rest);
      out.push_back({type == "ucs-2" ? from_ucs2(payload) : payload, 1});
    }
  }
  CHECK_MESSAGE(concatenated.empty(), "parts of a message never completed for ", to);
  return out;
}

}  // namespace

TEST_SUITE("integration/kannel") {
  TEST_CASE("the shipped Kannel example: UCS-2 and GSM-7, long messages whole, reports back") {
    for (const char* b : {kBearerbox, kSmsbox, kFakeSmsc})
      if (!std::filesystem::exists(b)) {
        MESSAGE(b, " not installed (kannel, kannel-extras): skipped (CI installs them)");
        return;
      }
    Rig rig(3);
    auto& [dir, redis, provider, cfg] = rig;
    const int admin = free_port(), boxes = free_port(), sendsms = free_port(), smsc = free_port();

    // Kannel: the shipped kannel.conf, its SMSC group the fake SMSC, ports and logs here.
    std::string kannel = read_file(std::string(LOA_SOURCE_DIR) + "/config/kannel/kannel.conf");
    const auto from = kannel.find("# --- the SMSC ---"), to = kannel.find("# --- end of the SMSC ---");
    REQUIRE((from != std::string::npos && to != std::string::npos));
    kannel.replace(from, to - from,
                   "group = smsc\nsmsc = fake\nsmsc-id = fake\nhost = 127.0.0.1\nport = " + std::to_string(smsc) +
                       "\nconnect-allow-ip = \"127.0.0.1\"\n");
    replace_all(kannel, "13000", std::to_string(admin));
    replace_all(kannel, "13001", std::to_string(boxes));
    replace_all(kannel, "13013", std::to_string(sendsms));
    replace_all(kannel, "/var/log/kannel/", dir.path() + "/");
    replace_all(kannel, "CHANGE-ME", "kannel-test");
    dir.write("kannel.conf", kannel);
    Process bearerbox({kBearerbox, dir.file("kannel.conf")}, dir.file("bearerbox.out"), dir.file("bearerbox.err"));
    REQUIRE(wait_until([&] { return run({"curl", "-s", "-o", "/dev/null", "http://127.0.0.1:" + std::to_string(admin) + "/"}).code == 0; },
                       std::chrono::seconds(15)));
    Process smsbox({kSmsbox, dir.file("kannel.conf")}, dir.file("smsbox.out"), dir.file("smsbox.err"));
    // The fake SMSC: sends one message of its own at start (answered by smsbox), then only
    // takes what Kannel delivers and answers each with a delivery report.
    Process fakesmsc({kFakeSmsc, "-H", "127.0.0.1", "-r", std::to_string(smsc), "-i", "100000", "-m", "1", "100 200 text hi"},
                     dir.file("fakesmsc.out"), dir.file("fakesmsc.err"));
    REQUIRE(wait_until([&] { return run({"curl", "-s", "-o", "/dev/null", "http://127.0.0.1:" + std::to_string(sendsms) + "/"}).code == 0; },
                       std::chrono::seconds(15)));

    // Loa: the shipped provider, routed to; an unaccented template beside the test's own.
    std::string section = read_file(std::string(LOA_SOURCE_DIR) + "/config/kannel/loa-provider.yaml");
    replace_all(section, "http://127.0.0.1:13013/", "http://127.0.0.1:" + std::to_string(sendsms) + "/");
    replace_all(section, "${KANNEL_SENDSMS_PASSWORD}", "kannel-test");
    replace_all(section, "${KANNEL_DLR_TOKEN}", "k-t0k3n");
    dir.write("loa.yaml", dir.read("loa.yaml") + section + "routes:\n  default: [kannel]\n");
    dir.write("templates/khong-dau.yaml",
              "description: test\nvariables: [noi_dung]\nencoding: ascii\nmax_segments: 3\n"
              "body: \"UBND {{ten_phuong}} thong bao: {{noi_dung}}\"\n");
    Gateway gw(dir, cfg, "gw-1", "gw.log");

    auto delivered = [&](const std::string& job) {
      return wait_until([&] { return job_status(cfg, job)["counts"]["delivered"] == 3; }, std::chrono::seconds(30));
    };
    // With diacritics, three UCS-2 parts: every character arrives, nothing cut.
    const std::string unicode_job = send_job(cfg, "phuong-6",
                                             "UBND phường tổ chức tiêm ngừa cho trẻ em ngày 15/12 tại trạm y tế, "
                                             "từ 7 giờ 30 đến 10 giờ 30; đề nghị phụ huynh mang theo sổ tiêm chủng.");
    if (!delivered(unicode_job)) FAIL("not delivered: ", job_status(cfg, unicode_job).dump());
    // fakesmsc logs what it gets (on stderr, as Kannel's tools do; stdout too, to be sure).
    auto smsc_log = [&] { return read_file(dir.file("fakesmsc.err")) + read_file(dir.file("fakesmsc.out")); };
    const std::string first = smsc_log();
    for (int i = 0; i < 3; ++i) {
      const auto sent = message(*redis.connect(), unicode_job, i).data;
      CAPTURE(sent.phone);
      auto got = received(first, "84" + sent.phone.substr(1), true);
      REQUIRE(got.size() == 1);
      CHECK(got[0].text == sent.text);
      CHECK(got[0].parts >= 2);
    }
    // Without diacritics, GSM-7 in two parts.
    const std::string gsm_job =
        loa::test::job_id(run_loa(cfg, {"send", "--yes", "--again", "--template", "khong-dau", "--ward", "phuong-6", "--var",
                                        "noi_dung=To chuc tiem ngua cho tre em ngay 15/12 tai tram y te phuong, tu 7 gio 30 "
                                        "den 10 gio 30. De nghi phu huynh mang theo so tiem chung va den dung gio. Xin cam on."}));
    if (!delivered(gsm_job)) FAIL("not delivered: ", job_status(cfg, gsm_job).dump());
    const std::string both = smsc_log();
    for (int i = 0; i < 3; ++i) {
      const auto sent = message(*redis.connect(), gsm_job, i).data;
      auto got = received(both, "84" + sent.phone.substr(1), false);
      REQUIRE(got.size() == 2);  // the UCS-2 one before, then this one
      CHECK(got[1].text == sent.text);
      CHECK(got[1].parts == 2);
    }
    CHECK(job_status(cfg, unicode_job)["state"] == "done");
    CHECK(job_status(cfg, gsm_job)["counts"]["failed"] == 0);
  }
}
