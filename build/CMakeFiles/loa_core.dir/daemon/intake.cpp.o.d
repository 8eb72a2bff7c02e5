CMakeFiles/loa_core.dir/daemon/intake.cpp.o: /work/main/daemon/intake.cpp \
 /usr/include/stdc-predef.h
