CMakeFiles/loa_core.dir/cli/commands.cpp.o: /work/main/cli/commands.cpp \
 /usr/include/stdc-predef.h
