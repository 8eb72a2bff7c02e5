file(REMOVE_RECURSE
  "CMakeFiles/loa-fake-provider.dir/fake_provider.cpp.o"
  "CMakeFiles/loa-fake-provider.dir/fake_provider.cpp.o.d"
  "loa-fake-provider"
  "loa-fake-provider.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang CXX)
  include(CMakeFiles/loa-fake-provider.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
