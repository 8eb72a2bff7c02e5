CMakeFiles/loa_core.dir/providers/file_provider.cpp.o: \
 /work/main/providers/file_provider.cpp /usr/include/stdc-predef.h
