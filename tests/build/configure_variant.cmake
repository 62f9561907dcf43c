# Driven by ctest (see CMakeLists.txt):
#   cmake -DSOURCE_DIR=... -DWORK_DIR=... -DVARIANT=... -P configure_variant.cmake
#   VARIANT=no-testing     -DBUILD_TESTING=OFF (what distribution packagers
#                          pass): no test is configured
#   VARIANT=library-alone  -DFA32_BUILD_APP=OFF: the library and its own
#                          tests, no fa32 tool
cmake_minimum_required(VERSION 3.25)

if(VARIANT STREQUAL "no-testing")
  set(options -DBUILD_TESTING=OFF)
elseif(VARIANT STREQUAL "library-alone")
  set(options -DFA32_BUILD_APP=OFF)
else()
  message(FATAL_ERROR "VARIANT must be no-testing or library-alone (got '${VARIANT}')")
endif()

file(REMOVE_RECURSE ${WORK_DIR})
execute_process(COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR} -DCMAKE_C_COMPILER=${C_COMPILER}
                        -DCMAKE_CXX_COMPILER=${CXX_COMPILER} ${options}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "configuring with ${options} failed (${rc}):\n${out}\n${err}")
endif()
if(err MATCHES "Manually-specified variables were not used")
  message(FATAL_ERROR "configuring with ${options} ignored an option:\n${err}")
endif()
file(READ ${WORK_DIR}/CMakeCache.txt cache)

if(VARIANT STREQUAL "no-testing")
  if(NOT cache MATCHES "\nFA32_BUILD_TESTS:BOOL=OFF\n")
    message(FATAL_ERROR "-DBUILD_TESTING=OFF left FA32_BUILD_TESTS on")
  endif()
  if(EXISTS ${WORK_DIR}/tests)
    message(FATAL_ERROR "-DBUILD_TESTING=OFF still configured the tests (${WORK_DIR}/tests)")
  endif()
else()
  if(EXISTS ${WORK_DIR}/app)
    message(FATAL_ERROR "-DFA32_BUILD_APP=OFF still configured the fa32 tool (${WORK_DIR}/app)")
  endif()
  if(NOT EXISTS ${WORK_DIR}/tests/core/CTestTestfile.cmake)
    message(FATAL_ERROR "-DFA32_BUILD_APP=OFF lost the library's own tests")
  endif()
endif()
message(STATUS "configured with ${options}")
