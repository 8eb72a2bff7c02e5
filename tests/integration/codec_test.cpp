// The packed message values and the state lists, read by C++ (core/store/codec.h,
// core/jobs/states.h) and by the Lua prelude (core/store/lua/prelude.lua): both must
// agree on every field position and every state name, checked in a real Redis.
#include <doctest/doctest.h>

#include "core/store/codec.h"
#include "core/store/scripts.h"
#include "tests/integration/harness.h"

using namespace loa::test;
using namespace loa::store;

namespace {
// Runs `body` after the prelude (ARGV[1] is the prefix, as in every Loa script).
Reply run_over_prelude(Redis& r, const std::string& body, std::vector<std::string> args) {
  Script s(std::string(scripts::prelude()) + body);
  args.insert(args.begin(), "t");
  auto reply = r.eval(s, {}, args);
  REQUIRE_MESSAGE(reply.has_value(), reply.error());
  return *reply;
}
std::vector<std::string> texts(const Reply& r) {
  std::vector<std::string> out;
  for (const auto& e : r.elements) out.push_back(e.text());
  return out;
}
template <typename Names>
std::vector<std::string> strings(const Names& names) {
  return {names.begin(), names.end()};
}
}  // namespace

TEST_SUITE("integration/codec") {
  TEST_CASE("C++ and the Lua prelude list the same states and the same field positions") {
    TempDir dir;
    RedisServer redis(dir);
    auto r = redis.connect();
    CHECK(texts(run_over_prelude(*r, "return MESSAGE_STATES", {})) == strings(loa::jobs::kMessageStateNames));
    CHECK(texts(run_over_prelude(*r, "return JOB_STATES", {})) == strings(loa::jobs::kJobStateNames));
    CHECK(texts(run_over_prelude(*r, "return DATA_FIELDS", {})) == strings(kDataFieldNames));
    CHECK(texts(run_over_prelude(*r, "return PROGRESS_FIELDS", {})) == strings(kProgressFieldNames));
    // The named indexes the scripts use point at the fields of those names.
    auto named = texts(run_over_prelude(
        *r,
        "return {PROGRESS_FIELDS[S_S], PROGRESS_FIELDS[S_A], PROGRESS_FIELDS[S_PR], PROGRESS_FIELDS[S_O],"
        " PROGRESS_FIELDS[S_TSEND], PROGRESS_FIELDS[S_TSENT], PROGRESS_FIELDS[S_TDONE], PROGRESS_FIELDS[S_PID],"
        " PROGRESS_FIELDS[S_DLR], PROGRESS_FIELDS[S_E], DATA_FIELDS[D_ROUTE]}",
        {}));
    CHECK(named == std::vector<std::string>{"state", "attempts", "provider", "owner", "taken_at", "sent_at", "done_at",
                                            "provider_id", "report_at", "error", "route"});
  }

  TEST_CASE("a value packed in C++ reads the same, field by field, in Lua, and back") {
    TempDir dir;
    RedisServer redis(dir);
    auto r = redis.connect();
    MessageProgress p{loa::jobs::MessageState::sent, 3, "esms", "gw-1", 1001, 1002, 1003, "pid\x1fwith sep", 1004,
                      "an error\x1f that may hold anything"};
    const std::string packed = pack(p);
    auto lua = texts(run_over_prelude(*r, "return {progress_of(ARGV[2])}", {packed}));
    REQUIRE(lua.size() == kProgressFieldNames.size());
    auto cpp = split_fields<kProgressFieldNames.size()>(packed);
    for (std::size_t i = 0; i < lua.size(); ++i) CHECK_MESSAGE(lua[i] == cpp[i], kProgressFieldNames[i]);
    CHECK(lua[0] == "sent");
    CHECK(lua[7] == "pid with sep");  // not last: the separator became a space
    CHECK(lua[9] == "an error\x1f that may hold anything");
    // Lua's pack of its own split gives the same bytes, which C++ reads back whole.
    auto again = run_over_prelude(*r, "return pack(split_progress(ARGV[2]))", {packed});
    CHECK(again.str == packed);
    auto back = unpack_progress(again.str);
    CHECK(back.state == p.state);
    CHECK(back.attempts == 3);
    CHECK(back.provider == "esms");
    CHECK(back.owner == "gw-1");
    CHECK(back.taken_at == 1001);
    CHECK(back.sent_at == 1002);
    CHECK(back.done_at == 1003);
    CHECK(back.report_at == 1004);
    CHECK(back.error == p.error);

    MessageData d{"phuong-6", "12", "Nguyễn Văn A", "0912345678", true, "esms,speedsms", 1700000000000, "Khóm 3", "11",
                  "Kính gửi\x1f ông"};
    CHECK(run_over_prelude(*r, "return data_route(ARGV[2])", {pack(d)}).str == "esms,speedsms");
    auto read = unpack_data(pack(d));
    REQUIRE(read);
    CHECK(read->name == d.name);
    CHECK(read->unicode);
    CHECK(read->queued_at == d.queued_at);
    CHECK(read->area == "Khóm 3");
    CHECK(read->stt == "11");
    CHECK(read->text == d.text);
    CHECK_FALSE(unpack_data("only\x1f" "three\x1f" "fields"));
  }
}
