CMakeFiles/loa_core.dir/daemon/webhook_server.cpp.o: \
 /work/main/daemon/webhook_server.cpp /usr/include/stdc-predef.h
