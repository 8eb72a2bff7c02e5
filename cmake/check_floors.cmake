# Refuses an include that reaches up a floor (docs/design.md "Design"): each folder may include
# only its own floor and those beneath it. Run by the build before any library compiles
# (cmake -DROOT=<source dir> -P check_floors.cmake).
#   core                 nothing above; inside it, sub-floors, each over those before it:
#                        util < text < phone < calendar < config < wards < jobs < store
#                        < reports < submit
#   providers/transport  core
#   providers            core, providers/transport (and its own folders)
#   daemon, cli          core, providers; never each other
#   tools                core, providers, daemon (loa-fake-provider serves on the daemon's
#                        HTTP server); never cli
set(core_floors util text phone calendar config wards jobs store reports submit)
set(below "")
foreach(sub IN LISTS core_floors)
  list(APPEND below "core/${sub}/")
  set(allowed_core/${sub} "${below}")
endforeach()
set(allowed_core "core/")
set(allowed_providers/transport "core/;providers/transport/")
set(allowed_providers/vendors "core/;providers/")
set(allowed_providers "core/;providers/")
set(allowed_daemon "core/;providers/;daemon/")
set(allowed_cli "core/;providers/;cli/")
set(allowed_tools "core/;providers/;daemon/;tools/")
set(problems "")
file(GLOB_RECURSE sources RELATIVE "${ROOT}" "${ROOT}/core/*.cpp" "${ROOT}/core/*.h" "${ROOT}/providers/*.cpp"
     "${ROOT}/providers/*.h" "${ROOT}/daemon/*.cpp" "${ROOT}/daemon/*.h" "${ROOT}/cli/*.cpp" "${ROOT}/cli/*.h"
     "${ROOT}/tools/*.cpp" "${ROOT}/tools/*.h")
foreach(rel IN LISTS sources)
  # The floor of a file: the first (most specific) floor its path starts with.
  set(floor "")
  foreach(candidate core/util core/text core/phone core/calendar core/config core/wards core/jobs core/store
                    core/reports core/submit providers/transport providers/vendors providers core daemon cli tools)
    string(FIND "${rel}" "${candidate}/" at)
    if(at EQUAL 0 AND floor STREQUAL "")
      set(floor ${candidate})
    endif()
  endforeach()
  file(STRINGS "${ROOT}/${rel}" includes REGEX "^#include \"")
  foreach(line IN LISTS includes)
    string(REGEX REPLACE "^#include \"([^\"]*)\".*" "\\1" target "${line}")
    set(ok FALSE)
    foreach(prefix IN LISTS allowed_${floor})
      string(FIND "${target}" "${prefix}" at)
      if(at EQUAL 0)
        set(ok TRUE)
      endif()
    endforeach()
    # The vendor list is included by the registry on purpose (one line per vendor).
    if(floor STREQUAL "providers" AND target STREQUAL "providers/vendors/list.h")
      set(ok TRUE)
    endif()
    if(NOT ok)
      string(APPEND problems "  ${rel}: #include \"${target}\" reaches above its floor (${floor})\n")
    endif()
  endforeach()
endforeach()
if(problems)
  message(FATAL_ERROR "Includes across floors:\n${problems}")
endif()
