// Expander: claims due jobs (with a lease), walks their ward lists through the Planner and
// writes messages to Redis in chunks, each chunk guarded by the job's cursor so that a
// crash or a racing expander neither loses nor duplicates a row.
#pragma once
#include <thread>

#include "daemon/context.h"

namespace loa::daemon {

class Expander {
 public:
  explicit Expander(Context& ctx) : ctx_(ctx) {}
  ~Expander() { join(); }
  void start();
  void join();

  static constexpr std::int64_t kLeaseMs = 30000;
  static constexpr std::size_t kChunk = 512;  // a multiple of store::kChunkSize

 private:
  void run();
  Context& ctx_;
  std::thread thread_;
};

}  // namespace loa::daemon
