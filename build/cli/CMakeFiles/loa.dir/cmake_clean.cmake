file(REMOVE_RECURSE
  "CMakeFiles/loa.dir/main.cpp.o"
  "CMakeFiles/loa.dir/main.cpp.o.d"
  "loa"
  "loa.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang CXX)
  include(CMakeFiles/loa.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
