CMakeFiles/loa_core.dir/daemon/embedded_redis.cpp.o: \
 /work/main/daemon/embedded_redis.cpp /usr/include/stdc-predef.h
