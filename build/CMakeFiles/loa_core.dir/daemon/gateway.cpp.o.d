CMakeFiles/loa_core.dir/daemon/gateway.cpp.o: \
 /work/main/daemon/gateway.cpp /usr/include/stdc-predef.h
