// Intake: reads jobs from the <prefix>:jobs stream through the consumer group, validates
// them and stores each as a job (queued, scheduled or rejected) before acknowledging it.
#pragma once
#include <thread>

#include "daemon/context.h"

namespace loa::daemon {

class Intake {
 public:
  explicit Intake(Context& ctx) : ctx_(ctx) {}
  ~Intake() { join(); }
  void start();
  void join();

 private:
  void run();
  Context& ctx_;
  std::thread thread_;
};

}  // namespace loa::daemon
