CMakeFiles/loa_core.dir/providers/registry.cpp.o: \
 /work/main/providers/registry.cpp /usr/include/stdc-predef.h
