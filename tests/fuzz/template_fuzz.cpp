// Fuzz target: message templates, as a YAML file (first byte even) or as a Mustache body
// rendered with variables (odd).
#include "core/text/message_template.h"
#include "tests/fuzz/fuzz.h"

LOA_FUZZ_TARGET(template) {
  if (size == 0) return 0;
  auto rest = loa::fuzz::text(data + 1, size - 1);
  if (data[0] % 2 == 0) {
    loa::fuzz::write("t.yaml", rest);
    auto t = loa::text::MessageTemplate::load(loa::fuzz::scratch().string(), "t", {"so_nha"});
    if (t) (void)t->render({{"ho_ten", "Nguyễn Văn A"}, {"ten_phuong", "Phường 6"}});
    return 0;
  }
  auto t = loa::text::MessageTemplate::from_body("t", std::string(rest), data[0] & 2 ? loa::text::Encoding::Ascii : loa::text::Encoding::Unicode);
  if (t) (void)t->render({{"ho_ten", std::string(rest.substr(0, 16))}, {"ten_phuong", "Phường 6"}});
  return 0;
}
