// A city's trust (issue 13): accounts whose token Redis never holds, and an audit trail
// whose chain of hashes finds an edited, removed or inserted entry.
#include <doctest/doctest.h>

#include <csignal>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/store/account_store.h"
#include "core/store/audit_store.h"
#include "core/util/time.h"
#include "tests/integration/harness.h"

using namespace loa::test;
using nlohmann::json;

namespace {

std::string me() {
  auto r = run({"id", "-un"});
  return "local:" + r.out.substr(0, r.out.find('\n'));
}

// Every key and value in Redis, as one text (to look for a secret in it).
std::string everything(RedisServer& redis) {
  auto c = redis.connect();
  std::string all;
  auto keys = c->command({"KEYS", "*"});
  for (const auto& k : keys->elements) {
    all += k.text() + "\n";
    const std::string type = c->command({"TYPE", k.text()})->text();
    const char* read = type == "string" ? "GET" : type == "hash" ? "HGETALL" : type == "set" ? "SMEMBERS" : nullptr;
    if (!read) continue;
    auto value = c->command({read, k.text()});
    REQUIRE(value);
    all += value->text() + "\n";
    for (const auto& v : value->elements) all += v.text() + "\n";
  }
  return all;
}

// The audit stream rewritten entry by entry with the same ids: `change` may alter an
// entry's fields (a list of field, value) or drop it (return false), and `extra` adds
// one after the entry with that index. What someone with write access to Redis can do.
void rewrite_audit(RedisServer& redis, const std::function<bool(std::size_t, std::vector<std::string>&)>& change,
                   std::optional<std::pair<std::size_t, std::vector<std::string>>> extra = std::nullopt) {
  auto c = redis.connect();
  auto all = c->command({"XRANGE", "t:audit", "-", "+"});
  REQUIRE(all);
  REQUIRE(c->command({"DEL", "t:audit"}));
  for (std::size_t i = 0; i < all->elements.size(); ++i) {
    const auto& e = all->elements[i];
    std::vector<std::string> fields;
    for (const auto& f : e.elements.at(1).elements) fields.push_back(f.text());
    const std::string id = e.elements.at(0).text();
    if (change(i, fields)) {
      std::vector<std::string> cmd{"XADD", "t:audit", id};
      cmd.insert(cmd.end(), fields.begin(), fields.end());
      REQUIRE(c->command(cmd));
    }
    if (extra && extra->first == i) {
      std::vector<std::string> cmd{"XADD", "t:audit", id.substr(0, id.find('-')) + "-999999"};
      cmd.insert(cmd.end(), extra->second.begin(), extra->second.end());
      REQUIRE(c->command(cmd));
    }
  }
}

// A job put on the stream by another producer (the API, a script) on behalf of `by`.
std::string enqueue_as(RedisServer& redis, const std::string& by, bool urgent, const std::string& ward = "phuong-6") {
  json job{{"template", "thong-bao"}, {"wards", {ward}}, {"vars", {{"noi_dung", "họp"}}}, {"urgent", urgent}, {"by", by}};
  auto r = redis.connect()->command({"XADD", "t:jobs", "*", "job", job.dump()});
  REQUIRE(r);
  return r->text();
}

}  // namespace

TEST_SUITE("integration/trust") {
  TEST_CASE("jobs the approval policy catches wait, counted, for a second person; approved they go, rejected they end") {
    Rig rig(3, {}, "", "approval: { urgent: true, over_recipients: 4, expire_hours: 48 }\n");
    auto& [dir, redis, provider, cfg] = rig;
    write_ward(dir, "phuong-7", 5);
    Gateway gw(dir, cfg, "gw-1", "gw.log");
    auto state = [&](const std::string& job) { return job_status(cfg, job)["state"].get<std::string>(); };

    // An urgent job by the local admin: held; its sender cannot approve it.
    const std::string mine = send_job(cfg, "phuong-6", "khẩn", {"--urgent"});
    REQUIRE(wait_until([&] { return state(mine) == "awaiting_approval"; }, std::chrono::seconds(10)));
    auto st = run_loa(cfg, {"status", mine});
    CHECK_MESSAGE(st.out.find("for approval (urgent) by an approver or admin other than " + me()) != std::string::npos,
                  st.out);
    auto listed = run_loa(cfg, {"jobs"});
    CHECK_MESSAGE(listed.out.find("other than " + me()) != std::string::npos, listed.out);
    auto self = run_loa(cfg, {"approve", mine});
    CHECK(self.code == 2);
    CHECK(self.err.find("another approver or admin") != std::string::npos);
    CHECK(state(mine) == "awaiting_approval");

    // One an account sent: the local admin approves it, and it goes.
    const std::string theirs = enqueue_as(redis, "lan", true);
    REQUIRE(wait_until([&] { return state(theirs) == "awaiting_approval"; }, std::chrono::seconds(10)));
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    CHECK(provider.log_lines().empty());  // nothing expanded or sent while it waits
    auto held = json::parse(redis.connect()->command({"HGET", "t:job:" + theirs, "recipients"})->text());
    CHECK(held == 3);
    auto ok = run_loa(cfg, {"approve", theirs});
    CHECK_MESSAGE(ok.code == 0, ok.err);
    REQUIRE(wait_until([&] { return state(theirs) == "done"; }, std::chrono::seconds(20)));
    CHECK(job_status(cfg, theirs)["counts"]["sent"].get<int>() + job_status(cfg, theirs)["counts"]["delivered"].get<int>() == 3);
    CHECK(run_loa(cfg, {"approve", theirs}).code == 2);  // not waiting any more

    // Rejected with a reason, which status shows.
    const std::string wrong = enqueue_as(redis, "lan", true);
    REQUIRE(wait_until([&] { return state(wrong) == "awaiting_approval"; }, std::chrono::seconds(10)));
    CHECK(run_loa(cfg, {"reject", wrong}).code == 2);  // --reason is required
    auto no = run_loa(cfg, {"reject", wrong, "--reason", "sai nội dung"});
    CHECK_MESSAGE(no.code == 0, no.err);
    CHECK(state(wrong) == "rejected");
    CHECK(job_status(cfg, wrong)["reason"] == "sai nội dung");

    // Over the recipient limit: held, saying how many; a small ordinary job is not.
    const std::string big = enqueue_as(redis, "lan", false, "phuong-7");
    REQUIRE(wait_until([&] { return state(big) == "awaiting_approval"; }, std::chrono::seconds(10)));
    CHECK(job_status(cfg, big)["reason"] == "5 recipients, over 4");
    const std::string small = send_job(cfg, "phuong-6", "thường");
    REQUIRE(wait_until([&] { return state(small) == "done"; }, std::chrono::seconds(20)));

    // The decisions are in the audit trail, by whom.
    auto trail = json::parse(run_loa(cfg, {"audit", "--json"}).out);
    std::vector<std::string> decisions;
    for (const auto& e : trail)
      if (e["action"] == "approve" || e["action"] == "reject") {
        decisions.push_back(e["action"].get<std::string>() + " " + e["job"].get<std::string>());
        CHECK(e["actor"] == me());
        CHECK(e["summary"]["sender"] == "lan");
      }
    CHECK(decisions == std::vector<std::string>{"approve " + theirs, "reject " + wrong});
  }

  TEST_CASE("an approval request nobody acts on expires as rejected, recorded by the gateway") {
    Rig rig(2, {}, "", "approval: { urgent: true, expire_hours: 0.001 }\n");
    auto& [dir, redis, provider, cfg] = rig;
    Gateway gw(dir, cfg, "gw-1", "gw.log");
    const std::string job = enqueue_as(redis, "lan", true);
    REQUIRE(wait_until([&] { return job_status(cfg, job)["state"] == "rejected"; }, std::chrono::seconds(20)));
    CHECK(job_status(cfg, job)["reason"] == "approval request expired after 0.001 h");
    CHECK(provider.log_lines().empty());
    auto trail = json::parse(run_loa(cfg, {"audit", "--job", job, "--json"}).out);
    REQUIRE(trail.size() == 1);
    CHECK(trail[0]["action"] == "reject");
    CHECK(trail[0]["actor"].get<std::string>().rfind("gateway:", 0) == 0);
    CHECK(run_loa(cfg, {"audit", "--verify"}).code == 0);
    CHECK(job_count_mismatch(redis) == "");
  }

  TEST_CASE("an account's token is printed once and kept only as a hash; revoked, it is gone at once") {
    TempDir dir;
    RedisServer redis(dir);
    write_ward(dir, "phuong-6", 2);
    auto cfg = write_config(dir, redis.url(), 9, "", "");
    auto added = run_loa(cfg, {"account", "add", "lan", "--role", "officer", "--wards", "phuong-6"});
    REQUIRE_MESSAGE(added.code == 0, added.err);
    const std::string token = added.out.substr(added.out.rfind('\n', added.out.size() - 2) + 1, std::string::npos);
    const std::string tok = token.substr(0, token.size() - 1);
    REQUIRE(tok.rfind("loa_", 0) == 0);
    CHECK(tok.size() == 47);  // "loa_" and 43 characters of base64url: 256 bits
    const std::string stored = everything(redis);
    CHECK(stored.find(tok) == std::string::npos);
    CHECK(stored.find(tok.substr(4)) == std::string::npos);

    auto c = redis.connect();
    loa::store::AccountStore accounts(*c, "t");
    auto found = accounts.by_token(tok);
    REQUIRE(found);
    REQUIRE(*found);
    CHECK((*found)->name == "lan");
    CHECK((*found)->role == loa::store::Role::officer);
    CHECK((*found)->wards == std::vector<std::string>{"phuong-6"});
    CHECK((*found)->created_by == me());
    CHECK((*found)->may_use("phuong-6"));
    CHECK_FALSE((*found)->may_use("phuong-7"));
    auto forged = accounts.by_token(tok.substr(0, tok.size() - 1) + (tok.back() == 'A' ? "B" : "A"));
    REQUIRE(forged);
    CHECK_FALSE(*forged);

    // A name once, roles with the wards they need, wards that exist.
    CHECK(run_loa(cfg, {"account", "add", "lan", "--role", "admin"}).code == 2);
    auto no_wards = run_loa(cfg, {"account", "add", "minh", "--role", "approver"});
    CHECK(no_wards.code == 2);
    CHECK(no_wards.err.find("--wards") != std::string::npos);
    CHECK(run_loa(cfg, {"account", "add", "minh", "--role", "admin", "--wards", "phuong-6"}).code == 2);
    auto typo = run_loa(cfg, {"account", "add", "minh", "--role", "officer", "--wards", "phuong-66"});
    CHECK(typo.code == 2);
    CHECK(typo.err.find("did you mean \"phuong-6\"") != std::string::npos);
    CHECK(run_loa(cfg, {"account", "add", "Minh!", "--role", "admin"}).code == 2);
    REQUIRE(run_loa(cfg, {"account", "add", "chu-tich", "--role", "admin"}).code == 0);

    auto list = run_loa(cfg, {"account", "list", "--json"});
    REQUIRE(list.code == 0);
    auto j = json::parse(list.out);
    REQUIRE(j.size() == 2);
    CHECK(j[0]["name"] == "chu-tich");
    CHECK(j[0]["role"] == "admin");
    CHECK(j[1]["name"] == "lan");
    CHECK(j[1]["wards"] == json::array({"phuong-6"}));

    auto revoked = run_loa(cfg, {"account", "revoke", "lan"});
    CHECK(revoked.code == 0);
    auto gone = accounts.by_token(tok);
    REQUIRE(gone);
    CHECK_FALSE(*gone);
    CHECK(run_loa(cfg, {"account", "revoke", "lan"}).code == 2);
    CHECK(json::parse(run_loa(cfg, {"account", "list", "--json"}).out).size() == 1);
  }

  TEST_CASE("every action is in the audit trail, by whom and with a summary; --verify finds tampering") {
    TempDir dir;
    RedisServer redis(dir);
    write_ward(dir, "phuong-6", 3);
    auto cfg = write_config(dir, redis.url(), 9, "", "pricing: { currency: VND, unicode_segment: 800, gsm_segment: 750 }\n");
    const std::string job = send_job(cfg, "phuong-6", "họp tổ dân phố");
    REQUIRE(run_loa(cfg, {"optout", "add", "0912 000 001", "--reason", "không muốn nhận"}).code == 0);
    REQUIRE(run_loa(cfg, {"optout", "remove", "0912000001"}).code == 0);
    REQUIRE(run_loa(cfg, {"account", "add", "lan", "--role", "officer", "--wards", "phuong-6"}).code == 0);
    REQUIRE(run_loa(cfg, {"account", "revoke", "lan"}).code == 0);

    auto listed = run_loa(cfg, {"audit", "--json"});
    REQUIRE_MESSAGE(listed.code == 0, listed.err);
    auto all = json::parse(listed.out);
    REQUIRE(all.size() == 5);
    std::vector<std::string> actions;
    for (const auto& e : all) {
      actions.push_back(e["action"]);
      CHECK(e["actor"] == me());
      CHECK(e["source"].get<std::string>().rfind("cli@", 0) == 0);
    }
    CHECK(actions == std::vector<std::string>{"send", "optout-add", "optout-remove", "account-add", "account-revoke"});
    const auto& send = all[0];
    CHECK(send["job"] == job);
    CHECK(send["summary"]["template"] == "thong-bao");
    CHECK(send["summary"]["wards"] == json::array({"phuong-6"}));
    CHECK(send["summary"]["recipients"] == 3);
    CHECK(send["summary"]["segments"] == 3);
    CHECK(send["summary"]["cost"] == 2400);
    // A number in the audit trail is masked: it outlives the messages.
    CHECK(all[1]["summary"]["number"] == "0912***001");
    CHECK(listed.out.find("0912000001") == std::string::npos);
    // The chain: each entry names the one before it.
    CHECK(all[0]["prev"] == "");
    for (std::size_t i = 1; i < all.size(); ++i) CHECK(all[i]["prev"] == all[i - 1]["hash"]);

    auto only = json::parse(run_loa(cfg, {"audit", "--job", job, "--json"}).out);
    CHECK(only.size() == 1);
    auto later = json::parse(run_loa(cfg, {"audit", "--since", "01/01/2200", "--json"}).out);
    CHECK(later.empty());
    auto text = run_loa(cfg, {"audit"});
    CHECK(text.out.find(job) != std::string::npos);

    auto intact = run_loa(cfg, {"audit", "--verify"});
    CHECK_MESSAGE(intact.code == 0, intact.out);
    CHECK(intact.out.find("intact: 5 entries") != std::string::npos);
    CHECK(intact.out.find(all[4]["hash"].get<std::string>()) != std::string::npos);

    const std::string second = all[1]["id"], third = all[2]["id"];
    SUBCASE("an edited entry") {
      rewrite_audit(redis, [](std::size_t i, std::vector<std::string>& f) {
        for (std::size_t k = 0; k + 1 < f.size(); k += 2)
          if (i == 1 && f[k] == "actor") f[k + 1] = "local:someone-else";
        return true;
      });
      auto v = run_loa(cfg, {"audit", "--verify"});
      CHECK(v.code == 1);
      CHECK_MESSAGE(v.out.find(second) != std::string::npos, v.out);
    }
    SUBCASE("a removed entry") {
      REQUIRE(redis.connect()->command({"XDEL", "t:audit", second}));
      auto v = run_loa(cfg, {"audit", "--verify"});
      CHECK(v.code == 1);
      CHECK_MESSAGE(v.out.find(third) != std::string::npos, v.out);  // the entry after the gap
    }
    SUBCASE("an inserted entry, chained to the one before it") {
      // A forger who knows the scheme: prev is the entry before, and its own hash is right.
      loa::store::AuditEntry forged{.time_ms = all[1]["time"], .actor = me(), .source = "cli@x", .action = "send",
                                    .job = "1-1", .summary = json::object(), .prev = all[1]["hash"]};
      forged.hash = loa::store::audit_hash(forged);
      rewrite_audit(redis, [](std::size_t, std::vector<std::string>&) { return true; },
                    std::pair<std::size_t, std::vector<std::string>>{
                        1, {"time", std::to_string(forged.time_ms), "actor", forged.actor, "source", forged.source,
                            "action", forged.action, "job", forged.job, "summary", "{}", "prev", forged.prev, "hash",
                            forged.hash}});
      auto v = run_loa(cfg, {"audit", "--verify"});
      CHECK(v.code == 1);
      CHECK_MESSAGE(v.out.find(third) != std::string::npos, v.out);  // no longer follows its predecessor
    }
    SUBCASE("the last entry removed") {
      REQUIRE(redis.connect()->command({"XDEL", "t:audit", all[4]["id"].get<std::string>()}));
      auto v = run_loa(cfg, {"audit", "--verify"});
      CHECK(v.code == 1);
      CHECK(v.out.find("end") != std::string::npos);
    }
  }

  TEST_CASE("retention removes the numbers and texts of old jobs, keeps their counts, and says so") {
    Rig rig(3, {}, "", "retention: { message_days: 30, audit_days: 365 }\n");
    auto& [dir, redis, provider, cfg] = rig;
    auto c = redis.connect();
    // Two entries of last year's, older than audit_days: what this retention cuts.
    plant_old_audit(*c, 2, 400);
    // The gateways' own retention turn waits: this test runs `loa purge` first.
    REQUIRE(c->command({"SET", "t:lock:retention", "test", "EX", "600"}));
    auto gw = std::make_unique<Gateway>(dir, cfg, "gw-1", "gw.log");
    const std::string old_job = send_job(cfg, "phuong-6", "cũ");
    const std::string new_job = send_job(cfg, "phuong-6", "mới");
    for (const auto& j : {old_job, new_job})
      REQUIRE(wait_until([&] { return job_status(cfg, j)["state"] == "done"; }, std::chrono::seconds(20)));
    // The old job finished 31 days ago (the clock is the job's, moved back).
    const auto month_ago = loa::util::now_ms() - 31LL * 86400000;
    REQUIRE(c->command({"HSET", "t:job:" + old_job, "finished", std::to_string(month_ago)}));
    const auto counts = job_status(cfg, old_job)["counts"];

    auto dry = run_loa(cfg, {"purge", "--dry-run"});
    CHECK(dry.code == 0);
    CHECK_MESSAGE(dry.out.find("1 job(s), 3 message(s)") != std::string::npos, dry.out);
    CHECK(c->command({"EXISTS", "t:md:" + old_job})->as_int() == 1);

    auto purged = run_loa(cfg, {"purge"});
    CHECK_MESSAGE(purged.code == 0, purged.err);
    CHECK(purged.out.find("1 job(s), 3 message(s); 2 audit entries") != std::string::npos);
    CHECK(c->command({"EXISTS", "t:md:" + old_job, "t:ms:" + old_job + ":0"})->as_int() == 0);
    CHECK(c->command({"EXISTS", "t:md:" + new_job})->as_int() == 1);  // not old enough
    // Numbers and texts are nowhere in the old job's keys any more; its counts remain.
    auto fields = c->command({"HGETALL", "t:job:" + old_job});
    REQUIRE(fields);
    std::string hash;
    for (const auto& v : fields->elements) hash += v.text() + "\n";
    CHECK(hash.find("0912000001") == std::string::npos);
    CHECK(job_status(cfg, old_job)["counts"] == counts);
    auto report = run_loa(cfg, {"report", old_job, "--csv"});
    CHECK(report.code == 2);
    CHECK(report.err.find("were removed on") != std::string::npos);
    CHECK(run_loa(cfg, {"report", new_job, "--csv"}).out.find("Cư dân 1") != std::string::npos);
    // Once is enough: a second purge finds nothing.
    CHECK(run_loa(cfg, {"purge", "--dry-run"}).out.find("0 job(s)") != std::string::npos);
    auto trail = json::parse(run_loa(cfg, {"audit", "--json"}).out);
    REQUIRE(!trail.empty());
    CHECK(trail.back()["action"] == "purge");
    CHECK(trail.back()["summary"]["messages"] == 3);

    // Old audit entries went too, and what remains still verifies: the chain starts from
    // the last dropped entry's hash, which the cut's own entry names.
    const auto cut = std::find_if(trail.begin(), trail.end(), [](const json& e) { return e["action"] == "audit-trim"; });
    REQUIRE(cut != trail.end());
    CHECK((*cut)["summary"]["entries"] == 2);
    CHECK(trail.front()["summary"].value("old", -1) == -1);  // the planted ones are gone
    auto v = run_loa(cfg, {"audit", "--verify"});
    CHECK_MESSAGE(v.code == 0, v.out);
    REQUIRE(c->command({"XDEL", "t:audit", trail[1]["id"].get<std::string>()}));
    CHECK(run_loa(cfg, {"audit", "--verify"}).code == 1);

    // A gateway does the same on its own, at start-up and every 10 minutes.
    gw.reset();
    REQUIRE(c->command({"HSET", "t:job:" + new_job, "finished", std::to_string(month_ago)}));
    REQUIRE(c->command({"DEL", "t:lock:retention"}));
    Gateway again(dir, cfg, "gw-2", "gw2.log");
    CHECK(wait_until([&] { return c->command({"EXISTS", "t:md:" + new_job})->as_int() == 0; }, std::chrono::seconds(10)));
    auto last = json::parse(run_loa(cfg, {"audit", "--json"}).out).back();
    CHECK(last["action"] == "purge");
    CHECK(last["actor"] == "gateway:gw-2");
  }

  TEST_CASE("the shipped Redis ACL, loaded as an aclfile, runs a whole send and confines its user to Loa's keys and commands") {
    TempDir dir;
    // The file as shipped, as redis-server loads it (`aclfile`): user loa, password CHANGE-ME.
    RedisServer redis(dir, false, "", {"--aclfile", std::string(LOA_SOURCE_DIR) + "/config/redis-acl.conf"});
    // Another application on the same Redis: its keys and a library of functions.
    auto admin = redis.connect();  // the default user
    REQUIRE(admin->command({"SET", "other:secret", "42"}));
    REQUIRE(admin->command({"HSET", "other:h", "f", "v"}));
    REQUIRE(admin->command({"FUNCTION", "LOAD", "#!lua name=otherlib\nredis.register_function('hello', function() return 'hi' end)"}));
    FakeProvider provider(dir, "fake");
    write_ward(dir, "phuong-6", 3);
    const std::string socket = redis.url().substr(std::string("unix://").size());
    const std::string url = "unix://loa:CHANGE-ME@" + socket;
    auto cfg = write_config(dir, url, provider.port(), "", "api: { listen: \"127.0.0.1:0\" }\n");
    {  // the file confines keys to loa:*, Loa's default prefix
      std::string text = dir.read("loa.yaml");
      text.replace(text.find("prefix: t\n"), 10, "prefix: loa\n");
      dir.write("loa.yaml", text);
    }
    std::string said;
    auto loa = [&](std::vector<std::string> args) {
      auto r = run_loa(cfg, args);
      said += r.out + r.err;
      return r;
    };
    CHECK(loa({"check"}).code == 0);
    CHECK(loa({"account", "add", "lan", "--role", "officer", "--wards", "phuong-6"}).code == 0);
    Gateway gw(dir, cfg, "gw-1", "gw.log");
    const std::string job = send_job(cfg, "phuong-6", "họp");
    REQUIRE(wait_until([&] { return job_status(cfg, job)["state"] == "done"; }, std::chrono::seconds(20)));
    CHECK(provider.log_lines().size() == 3);
    CHECK(loa({"status", job}).code == 0);
    CHECK(loa({"report", job, "--csv"}).code == 0);
    CHECK(loa({"jobs"}).code == 0);
    CHECK(loa({"optout", "add", "0912000001", "--reason", "không nhận"}).code == 0);
    CHECK(loa({"remind", "add", "ram", "--template", "thong-bao", "--ward", "phuong-6", "--var", "noi_dung=x", "--when",
               "7 days before tet at 08:00"}).code == 0);
    CHECK(loa({"remind", "list"}).code == 0);
    CHECK(loa({"purge", "--dry-run"}).code == 0);
    CHECK(loa({"audit", "--verify"}).code == 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // the loops' turns after the send
    CHECK_MESSAGE(gw.log().find("NOPERM") == std::string::npos, gw.log());
    CHECK_MESSAGE(said.find("NOPERM") == std::string::npos, said);
    CHECK(gw.log().find("cannot check Redis's hash-max-listpack-value") != std::string::npos);  // cannot tell: not a failure

    // Nothing beyond: every other key and command is refused to that user.
    auto as_loa = loa::store::Redis::connect(url);
    REQUIRE(as_loa);
    const std::vector<std::vector<std::string>> refused{
        {"CONFIG", "GET", "requirepass"}, {"CONFIG", "GET", "masterauth"}, {"CONFIG", "SET", "appendonly", "no"},
        {"SCAN", "0"}, {"KEYS", "*"}, {"RANDOMKEY"}, {"DBSIZE"}, {"INFO"},
        {"FUNCTION", "DELETE", "otherlib"}, {"FUNCTION", "FLUSH"}, {"FUNCTION", "LIST"}, {"FCALL", "hello", "0"},
        {"SCRIPT", "FLUSH"}, {"SCRIPT", "LOAD", "return 1"}, {"SELECT", "1"}, {"FLUSHALL"}, {"FLUSHDB"},
        {"GET", "other:secret"}, {"HGETALL", "other:h"}, {"DEL", "other:secret"}, {"OBJECT", "ENCODING", "other:secret"},
        {"EVAL", "return redis.call('GET', 'other:secret')", "0"}, {"DEBUG", "SLEEP", "0"}, {"ACL", "LIST"},
        {"CLIENT", "LIST"}, {"PUBLISH", "loa:x", "y"}, {"SHUTDOWN"}};
    for (const auto& cmd : refused) {
      CAPTURE(cmd[0]);
      CAPTURE(cmd.size() > 1 ? cmd[1] : "");
      auto r = (*as_loa)->command(cmd);
      CHECK_FALSE(r);
      // The ACL's refusal (inside a script Redis words it its own way); DEBUG is off in
      // Redis 7 for everyone, the ACL refuses it too.
      if (!r && cmd[0] != "DEBUG")
        CHECK_MESSAGE((r.error().find("NOPERM") != std::string::npos || r.error().find("can't access") != std::string::npos),
                      r.error());
    }
    // The other application is as it was.
    CHECK(admin->command({"GET", "other:secret"})->text() == "42");
    CHECK(admin->command({"FCALL", "hello", "0"})->text() == "hi");
    // A wrong password: refused, said clearly, the password never shown.
    auto wrong = write_config(dir, "unix://loa:wrong-pass@" + socket, provider.port(), "", "");
    auto refused_login = run_loa(wrong, {"status", job});
    CHECK(refused_login.code == 1);
    CHECK(refused_login.err.find("refused the login") != std::string::npos);
    CHECK(refused_login.err.find("wrong-pass") == std::string::npos);
  }

  TEST_CASE("only a Redis on another machine that answers without a password is reported as open") {
    // (Which hosts are this machine: tests/core/url_test.cpp.)
    TempDir dir;
    RedisServer redis(dir);
    CHECK_FALSE(loa::store::open_to_network(redis.url()));          // a socket
    CHECK_FALSE(loa::store::open_to_network("redis://127.0.0.1:1"));  // loopback: not probed
  }

  TEST_CASE("a config reload is in the audit trail, applied or refused, by the gateway") {
    Rig rig(2);
    auto& [dir, redis, provider, cfg] = rig;
    Gateway gw(dir, cfg, "gw-1", "gw.log");
    auto reloads = [&] {
      std::vector<std::string> out;
      for (const auto& e : json::parse(run_loa(cfg, {"audit", "--json"}).out))
        if (e["action"] == "reload") {
          CHECK(e["actor"] == "gateway:gw-1");
          out.push_back(e["summary"]["outcome"]);
        }
      return out;
    };
    gw.process().signal(SIGHUP);
    REQUIRE(wait_until([&] { return reloads().size() == 1; }, std::chrono::seconds(10)));
    CHECK(reloads() == std::vector<std::string>{"applied"});
    dir.write("templates/hong.yaml", "body: \"{{#unclosed}}\"\n");  // the daemon refuses the reload
    gw.process().signal(SIGHUP);
    REQUIRE(wait_until([&] { return reloads().size() == 2; }, std::chrono::seconds(10)));
    CHECK(reloads() == std::vector<std::string>{"applied", "refused"});
    CHECK(run_loa(cfg, {"audit", "--verify"}).code == 0);
    CHECK(job_count_mismatch(redis) == "");
  }
}
