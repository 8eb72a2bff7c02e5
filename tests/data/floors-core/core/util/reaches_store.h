// A utility reaching up to the stores: refused (cmake/check_floors.cmake, core sub-floors).
#include "core/store/redis.h"
