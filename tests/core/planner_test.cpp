// Planner: validation, filters, repeats, opt-outs and rendering across wards.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "core/jobs/planner.h"

namespace {
namespace fs = std::filesystem;

struct Fixture {
  fs::path dir;
  loa::config::Config cfg;
  Fixture() {
    char tmpl[] = "/tmp/loa-plan-XXXXXX";
    dir = mkdtemp(tmpl);
    fs::create_directories(dir / "templates");
    fs::create_directories(dir / "wards");
    std::ofstream(dir / "templates" / "hop.yaml")
        << "variables: [ngay]\nmax_segments: 1\nbody: \"{{ten_phuong}}: {{ho_ten}} hop ngay {{ngay}}\"\n";
    std::ofstream(dir / "wards" / "phuong-1.csv") << "ho_ten,so_dien_thoai,khom_ap,nhom\n"
                                                     "An,0912345678,Khóm 1,tổ trưởng\n"
                                                     "Binh,0912345679,Khóm 2,\n"
                                                     "Cuong,0912 345 678,Khóm 1,\n"
                                                     "Dung,0290 3831 234,Khóm 1,\n";
    std::ofstream(dir / "wards" / "phuong-2.csv") << "ho_ten,so_dien_thoai\nEm,84912345679\nGiang,0987000111\n";
    cfg.templates_dir = (dir / "templates").string();
    cfg.wards_dir = (dir / "wards").string();
    cfg.wards = {{"phuong-1", "Phường 1"}};
  }
  ~Fixture() { fs::remove_all(dir); }
  std::vector<loa::jobs::PlannedMessage> plan(loa::jobs::JobSpec spec, const std::set<std::string>& optout = {}) {
    auto p = loa::jobs::Planner::create(cfg, spec);
    REQUIRE(p.has_value());
    std::vector<loa::jobs::PlannedMessage> out;
    REQUIRE(p->for_each(optout, [&](const loa::jobs::PlannedMessage& m) {
      out.push_back(m);
      return true;
    }));
    return out;
  }
};
}  // namespace

TEST_SUITE("core/jobs") {
  TEST_CASE("one message per number across wards; repeats, landlines and opt-outs skipped with reasons") {
    Fixture f;
    auto msgs = f.plan({"hop", {"phuong-1", "phuong-2"}, {{"ngay", "5/1"}}, {}, {}, {}, false, {}}, {"84987000111"});
    REQUIRE(msgs.size() == 6);
    CHECK(msgs[0].text == "Phường 1: An hop ngay 5/1");
    CHECK(msgs[0].segments.segments == 1);
    CHECK(msgs[1].skip_reason.empty());
    CHECK(msgs[2].skip_reason == "repeat of row 2");  // a household phone, or a paste twice: the row tells
    CHECK(msgs[3].skip_reason == "landline, cannot receive SMS");
    CHECK(msgs[4].ward == "phuong-2");
    CHECK(msgs[4].skip_reason == "repeat of row 3 of phuong-1");  // same number as Binh
    CHECK(msgs[5].skip_reason == "opted out");
    for (size_t i = 0; i < msgs.size(); ++i) CHECK(msgs[i].index == static_cast<std::int64_t>(i));
  }

  TEST_CASE("variables: the job's win over built-in names, which win over the list's columns") {
    Fixture f;
    std::ofstream(f.dir / "templates" / "nha.yaml")
        << "variables: [ngay]\nmax_segments: 3\nbody: \"{{ten_phuong}}/{{ho_ten}}/{{so_nha}}/{{ngay}}/{{nhom}}\"\n";
    std::ofstream(f.dir / "wards" / "phuong-3.csv") << "Họ và tên,Số điện thoại,Nhóm,Số nhà,Ngày,Tên phường\n"
                                                       "An,0912345678,a; b,12,1/1,X\n"
                                                       "Binh,0912345679,,7,2/2,Y\n";
    f.cfg.wards = {{"phuong-3", "Phường 3"}};
    auto msgs = f.plan({"nha", {"phuong-3"}, {{"ngay", "5/9"}}, {}, {}, {}, false, {}});
    REQUIRE(msgs.size() == 2);
    CHECK(msgs[0].text == "Phường 3/An/12/5/9/a, b");
    CHECK(msgs[1].text == "Phường 3/Binh/7/5/9/");  // every row its own values, none left over
  }

  TEST_CASE("area and tag filters match ignoring case and diacritics") {
    Fixture f;
    auto by_area = f.plan({"hop", {"phuong-1"}, {{"ngay", "5/1"}}, {"khom 1"}, {}, {}, false, {}});
    CHECK(by_area.size() == 3);
    auto by_tag = f.plan({"hop", {"phuong-1"}, {{"ngay", "5/1"}}, {}, {"TO TRUONG"}, {}, false, {}});
    REQUIRE(by_tag.size() == 1);
    CHECK(by_tag[0].name == "An");
  }

  TEST_CASE("resuming from an index gives the same rows and the same repeat decisions") {
    Fixture f;
    loa::jobs::JobSpec spec{"hop", {"phuong-1", "phuong-2"}, {{"ngay", "5/1"}}, {}, {}, {}, false, {}};
    auto all = f.plan(spec);
    auto p = loa::jobs::Planner::create(f.cfg, spec);
    std::vector<loa::jobs::PlannedMessage> tail;
    REQUIRE(p->for_each({}, [&](const loa::jobs::PlannedMessage& m) { tail.push_back(m); return true; }, 3));
    REQUIRE(tail.size() == all.size() - 3);
    for (size_t i = 0; i < tail.size(); ++i) {
      CHECK(tail[i].index == all[i + 3].index);
      CHECK(tail[i].skip_reason == all[i + 3].skip_reason);
    }
  }

  TEST_CASE("validation: missing variables, unknown wards and templates, bad ids") {
    Fixture f;
    auto no_var = loa::jobs::Planner::create(f.cfg, {"hop", {"phuong-1"}, {}, {}, {}, {}, false, {}});
    REQUIRE_FALSE(no_var.has_value());
    CHECK(no_var.error().at(0).find("needs variable \"ngay\"") != std::string::npos);
    auto no_ward = loa::jobs::Planner::create(f.cfg, {"hop", {"phuong-9"}, {{"ngay", "1"}}, {}, {}, {}, false, {}});
    REQUIRE_FALSE(no_ward.has_value());
    CHECK(no_ward.error().at(0).find("unknown ward \"phuong-9\"") != std::string::npos);
    CHECK_FALSE(loa::jobs::Planner::create(f.cfg, {"../hop", {"phuong-1"}, {}, {}, {}, {}, false, {}}).has_value());
    CHECK_FALSE(loa::jobs::Planner::create(f.cfg, {"nope", {"phuong-1"}, {}, {}, {}, {}, false, {}}).has_value());
    // A time that does not parse is refused with the job, naming it (the CLI says "--at").
    auto bad_at = loa::jobs::parse_job_spec(R"({"template":"hop","wards":["phuong-1"],"at":"tomorrow"})", "Asia/Ho_Chi_Minh");
    REQUIRE_FALSE(bad_at.has_value());
    CHECK(bad_at.error().find("--at") != std::string::npos);
  }

  TEST_CASE("a message over max_segments is marked, not silently sent") {
    Fixture f;
    auto msgs = f.plan({"hop", {"phuong-1"}, {{"ngay", std::string(200, 'x')}}, {}, {}, {}, false, {}});
    CHECK(msgs[0].fail_reason == "message is 4 segments, over max_segments 1");  // UCS-2: "Phường"
  }

  TEST_CASE("the job spec JSON round-trips and refuses bad fields") {
    loa::jobs::JobSpec s{"treo-co", {"phuong-6"}, {{"dip_le", "Quốc khánh"}}, {"Khóm 1"}, {}, 1788220800000, true, "k1"};
    auto back = loa::jobs::parse_job_spec(loa::jobs::to_json(s), "Asia/Ho_Chi_Minh");
    REQUIRE(back.has_value());
    CHECK(back->vars.at("dip_le") == "Quốc khánh");
    CHECK(back->urgent);
    CHECK(*back->key == "k1");
    CHECK(back->at_ms == 1788220800000);  // 2026-09-01 07:00 in Vietnam, as an instant
    CHECK_FALSE(loa::jobs::parse_job_spec("not json", "Asia/Ho_Chi_Minh").has_value());
    // Bounded input, and no raw bytes of the entry in the reason.
    auto refused = [](const std::string& text) {
      auto r = loa::jobs::parse_job_spec(text, "Asia/Ho_Chi_Minh");
      REQUIRE_FALSE(r.has_value());
      for (char c : r.error()) CHECK((static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f));
      return r.error();
    };
    CHECK(refused(R"({"template":"a","wards":["b","c","b"]})").find("ward \"b\" is named twice") != std::string::npos);
    // An instant far outside any announcement (found by fuzzing: year 1013 made to_json throw).
    CHECK(refused(R"({"template":"a","wards":["b"],"at":"1013-09-03T07:00:00+07:00"})").find("between 2000 and 2200") !=
          std::string::npos);
    std::string many = R"({"template":"a","wards":[)";
    for (int i = 0; i < 65; ++i) many += (i ? ",\"w" : "\"w") + std::to_string(i) + "\"";
    CHECK(refused(many + "]}").find("65 wards: at most 64") != std::string::npos);
    CHECK(refused(R"({"template":"a","wards":["b"],"vars":{"x":")" + std::string(5000, 'y') + "\"}}")
              .find("is 5000 bytes: at most 4096") != std::string::npos);
    CHECK(refused(R"({"template":"a","wards":["b"],"vars":{"x":")" + std::string(70000, 'y') + "\"}}")
              .find("at most 65536") != std::string::npos);
    CHECK(refused("{\"template\":\"a\",\"wards\":[\"b\"],\"vars\":{\"x\":\"\xff\xc3\"}}").find("not valid JSON") == 0);
    CHECK(refused("\x01\x02\xff binary") .find("not valid JSON") == 0);
    loa::jobs::JobSpec cli;
    cli.template_name = "a";
    cli.wards = {"b"};
    cli.vars["x"] = "\xc3\x28";
    CHECK(loa::jobs::check_bounds(cli).value_or("").find("not valid UTF-8") != std::string::npos);
    CHECK(loa::jobs::to_json(cli).find("\xc3\x28") == std::string::npos);  // never a throw: replaced
    CHECK_FALSE(loa::jobs::parse_job_spec(R"({"template":"a"})", "Asia/Ho_Chi_Minh").has_value());
    CHECK_FALSE(loa::jobs::parse_job_spec(R"({"template":"a","wards":["b"],"vars":{"x":1}})", "Asia/Ho_Chi_Minh").has_value());
    CHECK_FALSE(loa::jobs::parse_job_spec(R"({"template":"a","wards":["b"],"colour":"red"})", "Asia/Ho_Chi_Minh").has_value());
  }

  TEST_CASE("the shipped templates read right for a phường, a xã and a thị trấn") {
    Fixture f;
    f.cfg.templates_dir = std::string(LOA_SOURCE_DIR) + "/templates";
    for (const char* w : {"phuong-6", "tan-xuyen", "hoa-tan", "song-doc"})
      std::ofstream(f.dir / "wards" / (std::string(w) + ".csv")) << "Họ và tên,Số điện thoại\nNguyễn Văn An,0912345678\n";
    f.cfg.wards = {{"phuong-6", "Phường 6"}, {"tan-xuyen", "Phường Tân Xuyên"}, {"song-doc", "Thị trấn Sông Đốc"}};
    loa::config::Ward hoa_tan("Hòa Tân");
    hoa_tan.kind = loa::config::UnitKind::Xa;
    hoa_tan.kind_known = true;
    f.cfg.wards["hoa-tan"] = hoa_tan;
    auto text = [&](const char* tmpl, const char* ward, std::map<std::string, std::string> vars) {
      auto msgs = f.plan({tmpl, {ward}, std::move(vars), {}, {}, {}, false, {}});
      REQUIRE(msgs.size() == 1);
      CHECK(msgs[0].fail_reason.empty());
      return msgs[0].text;
    };
    const std::map<std::string, std::string> vaccine{{"ngay", "15/12/2026"}, {"gio", "7 giờ 30"}, {"dia_diem", "trạm y tế"}};
    CHECK(text("tiem-ngua", "phuong-6", vaccine) ==
          "Trạm Y tế Phường 6: ngày 15/12/2026, 7 giờ 30, tiêm ngừa cho trẻ tại trạm y tế. "
          "Gia đình Nguyễn Văn An vui lòng mang sổ tiêm chủng của bé. Xin cảm ơn!");
    CHECK(text("tiem-ngua", "hoa-tan", vaccine) ==
          "Trạm Y tế xã Hòa Tân: ngày 15/12/2026, 7 giờ 30, tiêm ngừa cho trẻ tại trạm y tế. "
          "Gia đình Nguyễn Văn An vui lòng mang sổ tiêm chủng của bé. Xin cảm ơn!");
    const std::map<std::string, std::string> clean{{"ngay", "06/12/2026"}, {"gio", "7 giờ"}, {"diem_tap_trung", "chợ"}};
    CHECK(text("ve-sinh-moi-truong", "tan-xuyen", clean) ==
          "UBND phường Tân Xuyên kính mời hộ Nguyễn Văn An ra quân vệ sinh môi trường lúc 7 giờ ngày 06/12/2026 tại "
          "chợ. Chung tay vì phường xanh, sạch, đẹp!");
    CHECK(text("ve-sinh-moi-truong", "hoa-tan", clean) ==
          "UBND xã Hòa Tân kính mời hộ Nguyễn Văn An ra quân vệ sinh môi trường lúc 7 giờ ngày 06/12/2026 tại "
          "chợ. Chung tay vì xã xanh, sạch, đẹp!");
    CHECK(text("ve-sinh-moi-truong", "song-doc", clean) ==
          "UBND thị trấn Sông Đốc kính mời hộ Nguyễn Văn An ra quân vệ sinh môi trường lúc 7 giờ ngày 06/12/2026 "
          "tại chợ. Chung tay vì thị trấn xanh, sạch, đẹp!");
    CHECK(text("lam-can-cuoc", "hoa-tan", {{"ngay", "20/12/2026"}, {"gio", "7 giờ 30"}, {"dia_diem", "hội trường ấp 3"}}) ==
          "Công an xã Hòa Tân: ngày 20/12/2026, từ 7 giờ 30, làm thẻ căn cước lưu động tại hội trường ấp 3. "
          "Mời ông/bà Nguyễn Văn An mang CCCD cũ hoặc giấy khai sinh.");
    CHECK(text("nghi-tet", "hoa-tan",
               {{"nam", "Binh Ngo"}, {"tu_ngay", "14/02/2026"}, {"den_ngay", "22/02/2026"}, {"ngay_lam_lai", "23/02/2026"}}) ==
          "UBND xa Hoa Tan kinh chuc gia dinh Nguyen Van An nam moi Binh Ngo an khang thinh vuong. Bo phan mot cua "
          "nghi Tet tu 14/02/2026 den het 22/02/2026, lam viec lai tu 23/02/2026.");
  }

  TEST_CASE("a template using a column a selected list lacks is refused, naming the list and the column") {
    Fixture f;
    f.cfg.templates_dir = std::string(LOA_SOURCE_DIR) + "/templates";
    // phuong-2's list has no khóm/ấp column; trat-tu-do-thi says where, by khóm.
    auto p = loa::jobs::Planner::create(f.cfg, {"trat-tu-do-thi", {"phuong-1", "phuong-2"}, {{"tu_ngay", "01/12/2026"}}, {}, {}, {}, false, {}});
    REQUIRE_FALSE(p.has_value());
    REQUIRE(p.error().size() == 1);
    CHECK(p.error()[0].find("uses {{khom_ap}}, but the list of ward \"phuong-2\"") != std::string::npos);
    CHECK(p.error()[0].find("phuong-2.csv") != std::string::npos);
    // A --var of that name fills it.
    CHECK(loa::jobs::Planner::create(f.cfg, {"trat-tu-do-thi", {"phuong-2"}, {{"tu_ngay", "01/12/2026"}, {"khom_ap", "khóm 3"}}, {}, {}, {}, false, {}})
              .has_value());
  }

  TEST_CASE("wards: the kind from the name's first word, or stated; the name in running text") {
    using loa::config::Ward;
    CHECK(Ward("Phường 6").in_text() == "Phường 6");
    CHECK(Ward("Phường Tân Thành").in_text() == "phường Tân Thành");
    CHECK(Ward("Xã Tân Thành").in_text() == "xã Tân Thành");
    CHECK(Ward("Xã Tân Thành").kind_word() == "xã");
    CHECK(Ward("Thị trấn Sông Đốc").in_text() == "thị trấn Sông Đốc");
    CHECK(Ward("Thị trấn Sông Đốc").kind_word() == "thị trấn");
    CHECK_FALSE(Ward("Tân Thành").kind_known);
    CHECK(Ward("Phường 6").kind_known);
  }
}

