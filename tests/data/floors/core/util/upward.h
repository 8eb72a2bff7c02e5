#include "daemon/context.h"  // reaches above core
