// doctest entry point. The commands the tests run speak English (an English locale), which
// is what most of them check; tests of the Vietnamese interface set their own.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdlib>

int main(int argc, char** argv) {
  ::setenv("LC_ALL", "en_US.UTF-8", 1);
  ::unsetenv("LANGUAGE");
  doctest::Context context(argc, argv);
  return context.run();
}
