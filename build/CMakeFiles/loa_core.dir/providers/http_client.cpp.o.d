CMakeFiles/loa_core.dir/providers/http_client.cpp.o: \
 /work/main/providers/http_client.cpp /usr/include/stdc-predef.h
