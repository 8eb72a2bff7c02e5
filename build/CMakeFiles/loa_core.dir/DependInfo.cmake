
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/cli/commands.cpp" "CMakeFiles/loa_core.dir/cli/commands.cpp.o" "gcc" "CMakeFiles/loa_core.dir/cli/commands.cpp.o.d"
  "/work/main/core/config/config.cpp" "CMakeFiles/loa_core.dir/core/config/config.cpp.o" "gcc" "CMakeFiles/loa_core.dir/core/config/config.cpp.o.d"
  "/work/main/core/config/yaml_reader.cpp" "CMakeFiles/loa_core.dir/core/config/yaml_reader.cpp.o" "gcc" "CMakeFiles/loa_core.dir/core/config/yaml_reader.cpp.o.d"
  "/work/main/core/jobs/job_spec.cpp" "CMakeFiles/loa_core.dir/core/jobs/job_spec.cpp.o" "gcc" "CMakeFiles/loa_core.dir/core/jobs/job_spec.cpp.o.d"
  "/work/main/core/jobs/planner.cpp" "CMakeFiles/loa_core.dir/core/jobs/planner.cpp.o" "gcc" "CMakeFiles/loa_core.dir/core/jobs/planner.cpp.o.d"
  "/work/main/core/phone/phone.cpp" "CMakeFiles/loa_core.dir/core/phone/phone.cpp.o" "gcc" "CMakeFiles/loa_core.dir/core/phone/phone.cpp.o.d"
  "/work/main/core/store/job_store.cpp" "CMakeFiles/loa_core.dir/core/store/job_store.cpp.o" "gcc" "CMakeFiles/loa_core.dir/core/store/job_store.cpp.o.d"
  "/work/main/core/store/redis.cpp" "CMakeFiles/loa_core.dir/core/store/redis.cpp.o" "gcc" "CMakeFiles/loa_core.dir/core/store/redis.cpp.o.d"
  "/work/main/core/text/message_template.cpp" "CMakeFiles/loa_core.dir/core/text/message_template.cpp.o" "gcc" "CMakeFiles/loa_core.dir/core/text/message_template.cpp.o.d"
  "/work/main/core/text/segments.cpp" "CMakeFiles/loa_core.dir/core/text/segments.cpp.o" "gcc" "CMakeFiles/loa_core.dir/core/text/segments.cpp.o.d"
  "/work/main/core/text/unicode.cpp" "CMakeFiles/loa_core.dir/core/text/unicode.cpp.o" "gcc" "CMakeFiles/loa_core.dir/core/text/unicode.cpp.o.d"
  "/work/main/core/util/log.cpp" "CMakeFiles/loa_core.dir/core/util/log.cpp.o" "gcc" "CMakeFiles/loa_core.dir/core/util/log.cpp.o.d"
  "/work/main/core/util/time.cpp" "CMakeFiles/loa_core.dir/core/util/time.cpp.o" "gcc" "CMakeFiles/loa_core.dir/core/util/time.cpp.o.d"
  "/work/main/core/wards/csv.cpp" "CMakeFiles/loa_core.dir/core/wards/csv.cpp.o" "gcc" "CMakeFiles/loa_core.dir/core/wards/csv.cpp.o.d"
  "/work/main/core/wards/resident_list.cpp" "CMakeFiles/loa_core.dir/core/wards/resident_list.cpp.o" "gcc" "CMakeFiles/loa_core.dir/core/wards/resident_list.cpp.o.d"
  "/work/main/daemon/dispatcher.cpp" "CMakeFiles/loa_core.dir/daemon/dispatcher.cpp.o" "gcc" "CMakeFiles/loa_core.dir/daemon/dispatcher.cpp.o.d"
  "/work/main/daemon/embedded_redis.cpp" "CMakeFiles/loa_core.dir/daemon/embedded_redis.cpp.o" "gcc" "CMakeFiles/loa_core.dir/daemon/embedded_redis.cpp.o.d"
  "/work/main/daemon/expander.cpp" "CMakeFiles/loa_core.dir/daemon/expander.cpp.o" "gcc" "CMakeFiles/loa_core.dir/daemon/expander.cpp.o.d"
  "/work/main/daemon/gateway.cpp" "CMakeFiles/loa_core.dir/daemon/gateway.cpp.o" "gcc" "CMakeFiles/loa_core.dir/daemon/gateway.cpp.o.d"
  "/work/main/daemon/intake.cpp" "CMakeFiles/loa_core.dir/daemon/intake.cpp.o" "gcc" "CMakeFiles/loa_core.dir/daemon/intake.cpp.o.d"
  "/work/main/daemon/webhook_server.cpp" "CMakeFiles/loa_core.dir/daemon/webhook_server.cpp.o" "gcc" "CMakeFiles/loa_core.dir/daemon/webhook_server.cpp.o.d"
  "/work/main/providers/file_provider.cpp" "CMakeFiles/loa_core.dir/providers/file_provider.cpp.o" "gcc" "CMakeFiles/loa_core.dir/providers/file_provider.cpp.o.d"
  "/work/main/providers/generic_http.cpp" "CMakeFiles/loa_core.dir/providers/generic_http.cpp.o" "gcc" "CMakeFiles/loa_core.dir/providers/generic_http.cpp.o.d"
  "/work/main/providers/http_client.cpp" "CMakeFiles/loa_core.dir/providers/http_client.cpp.o" "gcc" "CMakeFiles/loa_core.dir/providers/http_client.cpp.o.d"
  "/work/main/providers/registry.cpp" "CMakeFiles/loa_core.dir/providers/registry.cpp.o" "gcc" "CMakeFiles/loa_core.dir/providers/registry.cpp.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
