# Run at install time (install(SCRIPT) in CMakeLists.txt): the systemd units LOA_UNITS from
# LOA_UNIT_SRC, with @bindir@ made the bin folder of the prefix being installed to (CPack's
# /usr, or `cmake --install --prefix`), into <prefix>/lib/systemd/system.
foreach(unit IN LISTS LOA_UNITS)
  set(bindir "${CMAKE_INSTALL_PREFIX}/${LOA_BINDIR}")
  configure_file("${LOA_UNIT_SRC}/${unit}" "${LOA_UNIT_OUT}/${unit}" @ONLY)
  file(INSTALL "${LOA_UNIT_OUT}/${unit}" DESTINATION "${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
endforeach()
