CMakeFiles/loa_core.dir/daemon/expander.cpp.o: \
 /work/main/daemon/expander.cpp /usr/include/stdc-predef.h
