// What the officials' API and `loa --server` agree on without a network: the language a
// request asks for, and a job as JSON both ways.
#include <doctest/doctest.h>

#include <thread>

#include <nlohmann/json.hpp>

#include "core/store/query_store.h"
#include "core/util/i18n.h"
#include "daemon/api_server.h"

using loa::i18n::Language;

TEST_SUITE("daemon/api-words") {
  TEST_CASE("Accept-Language picks vi or en by weight; otherwise the config's language; otherwise vi") {
    using loa::daemon::language_asked;
    const std::optional<std::string> none;
    CHECK(language_asked("en", none) == Language::English);
    CHECK(language_asked("vi-VN,vi;q=0.9", none) == Language::Vietnamese);
    CHECK(language_asked("fr-FR, en-US;q=0.8, vi;q=0.5", none) == Language::English);
    CHECK(language_asked("en;q=0.2, VI;q=0.7", none) == Language::Vietnamese);
    CHECK(language_asked("en;q=0, vi;q=0", std::optional<std::string>("en")) == Language::English);
    CHECK(language_asked("en;q=bogus", none) == Language::Vietnamese);  // an unreadable weight refuses it
    CHECK(language_asked("fr, de", std::optional<std::string>("en")) == Language::English);
    CHECK(language_asked("", none) == Language::Vietnamese);
    CHECK(language_asked(";;,,;q=1", none) == Language::Vietnamese);
  }

  TEST_CASE("a thread speaks its request's language while the others keep the process's") {
    loa::i18n::choose("en");
    loa::i18n::prepare_catalog();
    std::string in_request, elsewhere;
    std::thread request([&] {
      loa::i18n::ThreadLanguage speaking(Language::Vietnamese);
      in_request = loa::i18n::trf("no job {}", "1-0");
      std::thread other([&] { elsewhere = loa::i18n::trf("no job {}", "1-0"); });
      other.join();
    });
    request.join();
    CHECK(in_request == "không có thông báo 1-0");
    CHECK(elsewhere == "no job 1-0");
    CHECK(loa::i18n::trf("no job {}", "1-0") == "no job 1-0");
    {
      loa::i18n::ThreadLanguage speaking(Language::Vietnamese);
      CHECK(loa::i18n::current() == Language::Vietnamese);
    }
    CHECK(loa::i18n::current() == Language::English);
  }

  TEST_CASE("a job's JSON from the API reads back as the same job; a wrong shape is an error") {
    loa::store::JobStatus j;
    j.id = "1700000000000-0";
    j.state = loa::jobs::JobState::awaiting_approval;
    j.reason = "urgent";
    j.template_name = "thong-bao";
    j.wards = "phuong-6,phuong-7";
    j.by = "lan";
    j.recipients = 1200;
    j.total = 1200;
    j.created_ms = 1700000000000;
    j.due_ms = 1700000100000;
    j.urgent = true;
    j.counts[static_cast<std::size_t>(loa::jobs::MessageState::queued)] = 7;
    auto back = loa::store::job_from_json(nlohmann::json::parse(loa::store::job_json(j).dump()));
    REQUIRE(back.has_value());
    CHECK(back->id == j.id);
    CHECK(back->state == j.state);
    CHECK(back->reason == j.reason);
    CHECK(back->template_name == j.template_name);
    CHECK(back->wards == j.wards);
    CHECK(back->by == j.by);
    CHECK(back->recipients == j.recipients);
    CHECK(back->created_ms == j.created_ms);
    CHECK(back->due_ms == j.due_ms);
    CHECK(back->urgent);
    CHECK_FALSE(back->expanded);
    CHECK(back->counts == j.counts);

    using nlohmann::json;
    CHECK_FALSE(loa::store::job_from_json(json::array()).has_value());
    CHECK_FALSE(loa::store::job_from_json(json{{"state", "done"}}).has_value());
    CHECK_FALSE(loa::store::job_from_json(json{{"id", "1-0"}, {"state", "done"}, {"total", "many"}}).has_value());
    CHECK_FALSE(loa::store::job_from_json(json{{"id", "1-0"}, {"state", "done"}, {"wards", 6}}).has_value());
    // Unknown states and counts of states Loa does not know are not trusted, not fatal.
    auto odd = loa::store::job_from_json(json{{"id", "1-0"}, {"state", "exploded"}, {"counts", {{"zapped", 3}}}});
    REQUIRE(odd.has_value());
    CHECK_FALSE(odd->state.has_value());
  }
}
