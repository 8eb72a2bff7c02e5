// A tool reaching into the command line: refused (cmake/check_floors.cmake).
#include "cli/session.h"
