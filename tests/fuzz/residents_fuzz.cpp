// Fuzz target: the resident-list reader (encodings, separators, quoting, header aliases,
// phone numbers) on any file.
#include "core/wards/resident_list.h"
#include "tests/fuzz/fuzz.h"

LOA_FUZZ_TARGET(residents) {
  auto path = loa::fuzz::write("ward.csv", loa::fuzz::text(data, size));
  auto reader = loa::wards::ResidentReader::open(path);
  if (!reader) return 0;
  loa::wards::Resident r;
  while ((*reader)->next(r)) {
  }
  return 0;
}
