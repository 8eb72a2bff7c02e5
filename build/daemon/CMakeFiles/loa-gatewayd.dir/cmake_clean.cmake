file(REMOVE_RECURSE
  "CMakeFiles/loa-gatewayd.dir/main.cpp.o"
  "CMakeFiles/loa-gatewayd.dir/main.cpp.o.d"
  "loa-gatewayd"
  "loa-gatewayd.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang CXX)
  include(CMakeFiles/loa-gatewayd.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
