// The report spool (daemon/report_spool.h): reports kept on disk while Redis is away.
#include <doctest/doctest.h>

#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "daemon/report_spool.h"

using loa::daemon::ReportSpool;
using loa::jobs::MessageState;
using loa::store::ReportUpdate;

namespace {
struct Dir {
  std::string path;
  Dir() {
    char tmpl[] = "/tmp/loa-spool-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~Dir() { std::filesystem::remove_all(path); }
};
}  // namespace

TEST_SUITE("daemon/report-spool") {
  TEST_CASE("kept in order, applied once Redis takes them, a line cut short skipped; a failure keeps the rest") {
    Dir dir;
    ReportSpool spool(dir.path + "/state");  // the folder is made on first need
    CHECK_FALSE(spool.pending());
    REQUIRE(spool.store("esms", {{"1-0.0", "", MessageState::delivered, ""}, {"1-0.1", "x9", MessageState::failed, "SendFailed 1"}}));
    REQUIRE(spool.store("infobip", {{"2-0.5", "", MessageState::delivered, ""}}));
    std::ofstream(dir.path + "/state/dlr-spool.jsonl", std::ios::app) << R"({"provider":"esms","repo)";  // a crash mid-write
    CHECK(spool.pending());

    int calls = 0;
    auto refused = spool.drain([&](const std::string&, const std::vector<ReportUpdate>&) -> std::expected<void, std::string> {
      ++calls;
      return std::unexpected(std::string("Redis unavailable"));
    });
    CHECK_FALSE(refused);
    CHECK(calls == 1);
    CHECK(spool.pending());  // nothing lost
    REQUIRE(spool.store("esms", {{"3-0.2", "", MessageState::delivered, ""}}));  // while it is being applied

    std::vector<std::pair<std::string, std::vector<ReportUpdate>>> got;
    auto drained = spool.drain([&](const std::string& p, const std::vector<ReportUpdate>& r) -> std::expected<void, std::string> {
      got.emplace_back(p, r);
      return {};
    });
    REQUIRE(drained);
    CHECK(*drained == 2);  // the two whole lines of the first file; the cut one skipped
    REQUIRE(got.size() == 2);
    CHECK(got[0].first == "esms");
    REQUIRE(got[0].second.size() == 2);
    CHECK(got[0].second[1].ref == "1-0.1");
    CHECK(got[0].second[1].provider_id == "x9");
    CHECK(got[0].second[1].state == MessageState::failed);
    CHECK(got[0].second[1].error == "SendFailed 1");
    CHECK(got[1].first == "infobip");
    CHECK(spool.pending());  // the one stored meanwhile
    got.clear();
    REQUIRE(spool.drain([&](const std::string& p, const std::vector<ReportUpdate>& r) -> std::expected<void, std::string> {
      got.emplace_back(p, r);
      return {};
    }));
    REQUIRE(got.size() == 1);
    CHECK(got[0].second[0].ref == "3-0.2");
    CHECK_FALSE(spool.pending());
  }

  TEST_CASE("full: refused, so the webhook answers 503 rather than lose them quietly") {
    Dir dir;
    ReportSpool spool(dir.path, 200);
    CHECK(spool.store("esms", {{"1-0.0", "", MessageState::delivered, ""}}));
    auto full = spool.store("esms", {{"1-0.1", "", MessageState::delivered, std::string(300, 'x')}});
    REQUIRE_FALSE(full);
    CHECK(full.error().find("full") != std::string::npos);
  }
}
