CMakeFiles/loa_core.dir/daemon/dispatcher.cpp.o: \
 /work/main/daemon/dispatcher.cpp /usr/include/stdc-predef.h
