CMakeFiles/loa_core.dir/providers/generic_http.cpp.o: \
 /work/main/providers/generic_http.cpp /usr/include/stdc-predef.h
