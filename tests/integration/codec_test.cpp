// The packed message values and the state lists, read by C++ (core/store/codec.h,
// core/jobs/states.h) and by the Lua prelude (core/store/lua/prelude.lua): both must
// agree on every field position and every state name, checked in a real Redis.
#include <doctest/doctest.h>

#include "core/store/codec.h"
#include "core/store/keys.h"
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
        "return {PROGRESS_FIELDS[S_S], PROGRESS_FIELDS[S_A], PROGRESS_FIELDS[S_PR], PROGRESS_FIELDS[S_L],"
        " PROGRESS_FIELDS[S_TSEND], PROGRESS_FIELDS[S_TSENT], PROGRESS_FIELDS[S_TDONE], PROGRESS_FIELDS[S_PID],"
        " PROGRESS_FIELDS[S_DLR], PROGRESS_FIELDS[S_E], DATA_FIELDS[D_ROUTE]}",
        {}));
    CHECK(named == std::vector<std::string>{"state", "attempts", "provider", "lease", "taken_at", "sent_at", "done_at",
                                            "provider_id", "report_at", "error", "route"});
    // The same chunk and bucket sizes.
    CHECK(texts(run_over_prelude(*r, "return {CHUNK, BUCKET}", {})) ==
          std::vector<std::string>{std::to_string(kChunkSize), std::to_string(kBucketSize)});
  }

  TEST_CASE("C++ (core/store/keys.h) and the Lua prelude (K) build the same keys") {
    TempDir dir;
    RedisServer redis(dir);
    auto r = redis.connect();
    const Keys k("t");
    auto lua = texts(run_over_prelude(
        *r,
        "return {K.job('J'), K.md('J'), K.ms('J', 3), K.via('J'), K.round('J'), K.pin('J'), K.lane('p', 'J'),"
        " K.active('p', '1'), K.vt('p', '0'), K.rl('p'), K.dlr('p', 20500), K.takes(), K.jobstates(), K.token('h')}",
        {}));
    CHECK(lua == std::vector<std::string>{k.job("J"), k.md("J"), k.ms("J", 3), k.via("J"), k.round("J"), k.pin("J"),
                                          k.lane("p", "J"), k.active("p", "1"), k.vt("p", "0"), k.rl("p"),
                                          k.dlr("p", 20500), k.takes(), k.jobstates(), k.token("h")});
    // Every key starts with the prefix and a colon (one Redis may hold several Loas).
    for (const auto& key : lua) CHECK(key.starts_with("t:"));
  }

  TEST_CASE("a progress packed in C++ reads the same, field by field, in Lua, and back") {
    TempDir dir;
    RedisServer redis(dir);
    auto r = redis.connect();
    const std::int64_t epoch = 1790000000000;
    MessageProgress p{loa::jobs::MessageState::sent, 3, "esms", "123456", epoch + 1001, epoch + 1002, epoch + 1003,
                      "pid\x1fwith sep", epoch + 1004, "an error\x1f that may hold anything"};
    const std::string packed = pack(p, epoch);
    auto lua = texts(run_over_prelude(*r, "return {progress_of(ARGV[2])}", {packed}));
    REQUIRE(lua.size() == kProgressFieldNames.size());
    auto cpp = split_fields<kProgressFieldNames.size()>(packed);
    for (std::size_t i = 0; i < lua.size(); ++i) CHECK_MESSAGE(lua[i] == cpp[i], kProgressFieldNames[i]);
    CHECK(lua[0] == "sent");
    CHECK(lua[3] == "123456");
    CHECK(lua[4] == "1001");  // times since the job's epoch
    CHECK(lua[7] == "pid with sep");  // not last: the separator became a space
    CHECK(lua[9] == "an error\x1f that may hold anything");
    // Lua's pack of its own split gives the same bytes, which C++ reads back whole.
    auto again = run_over_prelude(*r, "return pack(split_progress(ARGV[2]))", {packed});
    CHECK(again.str == packed);
    auto back = unpack_progress(again.str, epoch);
    CHECK(back.state == p.state);
    CHECK(back.attempts == 3);
    CHECK(back.provider == "esms");
    CHECK(back.lease == "123456");
    CHECK(back.taken_at == p.taken_at);
    CHECK(back.sent_at == p.sent_at);
    CHECK(back.done_at == p.done_at);
    CHECK(back.report_at == p.report_at);
    CHECK(back.error == p.error);
    // A delivered message's progress, with hours of sending behind it, fits a listpack entry
    // (Redis's hash-max-listpack-value: 64 by default, 128 as docs/operations.md advises), which a
    // Unix time in each field would not: short provider ids under 64, a GUID under 128.
    MessageProgress kept{loa::jobs::MessageState::delivered, 1, "esms", "", epoch + 3'600'000, epoch + 3'600'050,
                         epoch + 3'602'000, "fp-9999999", epoch + 3'602'000, ""};
    CHECK(pack(kept, epoch).size() < 64);
    kept.provider = "speedsms";
    kept.provider_id = "8b1c7a2e-5f4d-4c3b-9a1e-2d6f0e7c9b8a";
    CHECK(pack(kept, epoch).size() < 128);
    CHECK(unpack_progress(initial_progress(loa::jobs::MessageState::queued, ""), epoch).sent_at == 0);  // not reached
  }

  TEST_CASE("a data chunk packed in C++ reads the same in Lua, and each text comes back whole") {
    TempDir dir;
    RedisServer redis(dir);
    auto r = redis.connect();
    const std::string head = "UBND Phường 6 kính báo: đề nghị hộ ", tail = " treo cờ Tổ quốc. Trân trọng!";
    std::vector<MessageData> rows;
    for (const char* name : {"Nguyễn Văn A", "Nguyễn Văn Ánh", "", "Lê: Thị\x1f" "B", "Trần 12:34", "Hộ"}) {
      MessageData d{"phuong-6", std::to_string(rows.size() + 2), name, "0912345678", true, "esms,speedsms", 0, "Khóm 3",
                    "11", head + name + tail};
      rows.push_back(d);
    }
    rows[2].text.clear();  // a skipped row: no text
    rows[2].route.clear();
    rows.push_back(rows[0]);
    rows.back().text = "Một tin khác hẳn: không chung gì";  // shares nothing with the reference
    rows.push_back(rows[0]);
    rows.back().text = head;  // a prefix of the reference
    std::vector<const MessageData*> in;
    for (const auto& d : rows) in.push_back(&d);
    const std::string chunk = pack_chunk(1790000000000, in.data(), in.size());
    // Only what differs is stored: the words every text shares are there once.
    auto count = [&](const std::string& what) {
      int n = 0;
      for (auto at = chunk.find(what); at != std::string::npos; at = chunk.find(what, at + 1)) ++n;
      return n;
    };
    CHECK(count(tail) == 1);
    CHECK(count(head) == 1);
    auto back = unpack_chunk(chunk);
    REQUIRE(back);
    REQUIRE(back->size() == rows.size());
    for (std::size_t k = 0; k < rows.size(); ++k) {
      CAPTURE(k);
      CHECK((*back)[k].text == rows[k].text);
      CHECK((*back)[k].name == (k == 3 ? std::string("Lê: Thị B") : rows[k].name));
      CHECK((*back)[k].route == rows[k].route);
      CHECK((*back)[k].row == rows[k].row);
      CHECK((*back)[k].queued_at == 1790000000000);
      CHECK((*back)[k].unicode);
    }
    // Lua reads the records of the chunk stored as chunk 0 of job 1-0, and their routes.
    REQUIRE(r->command({"HSET", "t:md:1-0", "0", chunk}));
    auto routes = texts(run_over_prelude(*r,
                                         "local out = {}\n"
                                         "for _, rec in ipairs(md_get('1-0', {'0', '2', '7', '15'})) do\n"
                                         "  out[#out + 1] = data_route(rec) end\n"
                                         "return out",
                                         {}));
    CHECK(routes == std::vector<std::string>{"esms,speedsms", "", "esms,speedsms", ""});  // 15: no such message
    auto records = texts(run_over_prelude(*r, "return chunk_records(ARGV[2])", {chunk}));
    CHECK(records.size() == rows.size());
    // Malformed chunks are refused, not misread.
    for (std::string bad : {std::string(), std::string("123"), chunk.substr(0, chunk.size() - 3),
                            std::string("1\x1f" "3:abc5:x"), std::string("1\x1f" "0:20:w\x1fr\x1fn\x1fp\x1f" "0\x1fr\x1f" "a\x1fs\x1f" "9\x1f" "0\x1f")}) {
      CAPTURE(bad);
      CHECK_FALSE(unpack_chunk(bad));
    }
  }
}
