# Driven by ctest (see CMakeLists.txt): cmake -DMODE=... -P install_test.cmake
#   MODE=install     cmake --install the build tree into PREFIX, check what landed
#   MODE=cmake       configure/build/run consumer/ with find_package(fastalloc32)
#   MODE=cmake_c     the same for c_consumer/, a project with only C enabled
#   MODE=pkgconfig   compile/run consumer/ with `pkg-config --cflags --libs fastalloc32`
#   MODE=abs_libdir  a library-only build with an absolute CMAKE_INSTALL_LIBDIR,
#                    installed; its .pc must still find the headers
# SAN_FLAGS are the sanitizer flags of the build under test: a sanitized
# static library needs them at the consumer's link, so they are applied to
# the consumer consistently (they are never exported by the package).
cmake_minimum_required(VERSION 3.25)
unset(ENV{DESTDIR})
separate_arguments(san UNIX_COMMAND "${SAN_FLAGS}")
set(pcdir ${PREFIX}/${LIBDIR}/pkgconfig)

function(run_checked what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${ARGN}\n${out}\n${err}")
  endif()
  set(run_out "${out}" PARENT_SCOPE)
endfunction()

function(expect_ok what binary)
  if(SHARED)
    set(env ${CMAKE_COMMAND} -E env LD_LIBRARY_PATH=${PREFIX}/${LIBDIR})
  endif()
  run_checked("running ${what}" ${env} ${binary})
  if(NOT run_out MATCHES "${what}: ok")
    message(FATAL_ERROR "${what} printed '${run_out}', expected '${what}: ok'")
  endif()
  message(STATUS "${run_out}")
endfunction()

# Configures the find_package consumer in `src` into `bin` (ARGN: more
# -D options), checks that it found the package installed in PREFIX and
# nothing else, and builds it.
function(build_consumer what src bin)
  file(REMOVE_RECURSE ${bin})
  run_checked("configuring ${what}" ${CMAKE_COMMAND} -S ${src} -B ${bin}
    -DCMAKE_PREFIX_PATH=${PREFIX} -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
    -DCMAKE_C_COMPILER=${C_COMPILER} -DCMAKE_BUILD_TYPE=${BUILD_TYPE} ${ARGN})
  string(FIND "${run_out}" "fastalloc32 package found in ${PREFIX}/" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${what} did not use the package installed in ${PREFIX}:\n${run_out}")
  endif()
  run_checked("building ${what}" ${CMAKE_COMMAND} --build ${bin})
endfunction()

if(MODE STREQUAL "install")
  file(REMOVE_RECURSE ${PREFIX})
  run_checked("cmake --install" ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${PREFIX})
  set(cmakedir ${PREFIX}/${LIBDIR}/cmake/fastalloc32)
  foreach(f include/fastalloc32.h include/fastalloc32.hpp ${LIBDIR}/pkgconfig/fastalloc32.pc
            ${LIBDIR}/cmake/fastalloc32/fastalloc32Config.cmake
            ${LIBDIR}/cmake/fastalloc32/fastalloc32ConfigVersion.cmake
            ${LIBDIR}/cmake/fastalloc32/fastalloc32Targets.cmake)
    if(NOT EXISTS ${PREFIX}/${f})
      message(FATAL_ERROR "cmake --install did not install ${f}")
    endif()
  endforeach()
  file(GLOB libs ${PREFIX}/${LIBDIR}/*.a ${PREFIX}/${LIBDIR}/*.so*)
  if(NOT libs)
    message(FATAL_ERROR "no library installed in ${PREFIX}/${LIBDIR}")
  endif()
  foreach(lib ${libs})
    get_filename_component(name ${lib} NAME)
    if(NOT name MATCHES "^libfastalloc32\\.")
      message(FATAL_ERROR "only libfastalloc32 may be installed as a library, found ${name}")
    endif()
  endforeach()
  # The export names fa32::core and nothing private of the build.
  file(GLOB exports ${cmakedir}/fastalloc32Targets*.cmake)
  foreach(f ${exports})
    file(READ ${f} text)
    foreach(bad fa32_warnings fa32_sanitizers -fsanitize -Werror)
      string(FIND "${text}" "${bad}" at)
      if(NOT at EQUAL -1)
        message(FATAL_ERROR "${f} leaks '${bad}' into consumers")
      endif()
    endforeach()
  endforeach()
  file(READ ${cmakedir}/fastalloc32Targets.cmake text)
  if(NOT text MATCHES "add_library\\(fa32::core ")
    message(FATAL_ERROR "the export does not define fa32::core")
  endif()
  # Relocatable: no installed text file names the build or source tree
  # (a package built in one directory is installed from another).
  file(GLOB_RECURSE texts ${PREFIX}/*.cmake ${PREFIX}/*.pc ${PREFIX}/*.h ${PREFIX}/*.hpp)
  foreach(f ${texts})
    file(READ ${f} text)
    foreach(dir ${BUILD_DIR} ${SOURCE_DIR})
      string(FIND "${text}" "${dir}" at)
      if(NOT at EQUAL -1)
        message(FATAL_ERROR "${f} names the build machine's ${dir}")
      endif()
    endforeach()
  endforeach()
  # With the tool: fa32 and the recorder library it finds beside it.
  if(APP)
    foreach(f bin/fa32 ${LIBDIR}/fa32/libfa32_record.so)
      if(NOT EXISTS ${PREFIX}/${f})
        message(FATAL_ERROR "cmake --install did not install ${f}")
      endif()
    endforeach()
  endif()

elseif(MODE STREQUAL "cmake")
  set(bin ${WORK_DIR}/cmake-consumer)
  list(JOIN san " " san_str)
  build_consumer("the consumer" ${CONSUMER_DIR} ${bin} -DCMAKE_CXX_COMPILER=${CXX_COMPILER}
    "-DCMAKE_C_FLAGS=${san_str}" "-DCMAKE_CXX_FLAGS=${san_str}" "-DCMAKE_EXE_LINKER_FLAGS=${san_str}")
  expect_ok(consumer_c ${bin}/consumer_c)
  expect_ok(consumer_cpp ${bin}/consumer_cpp)

elseif(MODE STREQUAL "cmake_c")
  set(bin ${WORK_DIR}/cmake-c-consumer)
  build_consumer("the C consumer" ${CONSUMER_DIR}/../c_consumer ${bin})
  expect_ok(consumer_c ${bin}/consumer_c)

elseif(MODE STREQUAL "pkgconfig")
  set(bin ${WORK_DIR}/pkgconfig-consumer)
  file(REMOVE_RECURSE ${bin})
  file(MAKE_DIRECTORY ${bin})
  # Only our prefix: the system's .pc files must not satisfy the query.
  set(pc ${CMAKE_COMMAND} -E env PKG_CONFIG_PATH=${pcdir} PKG_CONFIG_LIBDIR=${pcdir} ${PKG_CONFIG})
  run_checked("pkg-config --modversion" ${pc} --modversion fastalloc32)
  string(STRIP "${run_out}" version)
  if(NOT version STREQUAL VERSION)
    message(FATAL_ERROR "fastalloc32.pc says version '${version}', the project is ${VERSION}")
  endif()
  run_checked("pkg-config --cflags --libs" ${pc} --cflags --libs fastalloc32)
  string(STRIP "${run_out}" flags_str)
  message(STATUS "pkg-config --cflags --libs fastalloc32: ${flags_str}")
  separate_arguments(flags UNIX_COMMAND "${flags_str}")
  if(san)
    # A sanitized C++ library needs the C++ sanitizer runtime, which only the
    # C++ driver links (clang's -fsanitize=function, vptr): compile as C, link as C++.
    run_checked("compiling main.c" ${C_COMPILER} ${san} -c ${CONSUMER_DIR}/main.c -o ${bin}/main.o ${flags})
    run_checked("linking main.o" ${CXX_COMPILER} ${san} ${bin}/main.o -o ${bin}/consumer_c ${flags})
  else()
    # Plain build: a C driver with only the .pc's flags must be enough.
    run_checked("compiling main.c" ${C_COMPILER} ${CONSUMER_DIR}/main.c -o ${bin}/consumer_c ${flags})
  endif()
  run_checked("compiling main.cpp" ${CXX_COMPILER} -std=c++17 ${san} ${CONSUMER_DIR}/main.cpp -o ${bin}/consumer_cpp
              ${flags})
  expect_ok(consumer_c ${bin}/consumer_c)
  expect_ok(consumer_cpp ${bin}/consumer_cpp)

elseif(MODE STREQUAL "abs_libdir")
  # GNUInstallDirs allows an absolute CMAKE_INSTALL_LIBDIR (a packager's
  # /usr/lib64); the .pc then lies outside PREFIX/lib, and its includedir must
  # still name the headers that were installed. A library-only build of its
  # own, installed where it was configured to go.
  set(src ${WORK_DIR}/abs-libdir)
  set(prefix ${src}/prefix)
  file(REMOVE_RECURSE ${src})
  run_checked("configuring the absolute-libdir build" ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${src}/build
    -DFA32_BUILD_APP=OFF -DFA32_BUILD_TESTS=OFF -DCMAKE_BUILD_TYPE=${BUILD_TYPE}
    -DCMAKE_C_COMPILER=${C_COMPILER} -DCMAKE_CXX_COMPILER=${CXX_COMPILER}
    -DCMAKE_INSTALL_PREFIX=${prefix} -DCMAKE_INSTALL_LIBDIR=${prefix}/lib64)
  run_checked("building it" ${CMAKE_COMMAND} --build ${src}/build)
  run_checked("installing it" ${CMAKE_COMMAND} --install ${src}/build)
  set(pc ${CMAKE_COMMAND} -E env PKG_CONFIG_PATH=${prefix}/lib64/pkgconfig
      PKG_CONFIG_LIBDIR=${prefix}/lib64/pkgconfig ${PKG_CONFIG})
  run_checked("pkg-config --variable=includedir" ${pc} --variable=includedir fastalloc32)
  string(STRIP "${run_out}" includedir)
  if(NOT EXISTS ${includedir}/fastalloc32.h)
    message(FATAL_ERROR "fastalloc32.pc's includedir '${includedir}' holds no fastalloc32.h "
                        "(installed in ${prefix}/include)")
  endif()
  run_checked("pkg-config --cflags --libs" ${pc} --cflags --libs fastalloc32)
  separate_arguments(flags UNIX_COMMAND "${run_out}")
  run_checked("compiling main.c" ${C_COMPILER} ${CONSUMER_DIR}/main.c -o ${src}/consumer_c ${flags})
  expect_ok(consumer_c ${src}/consumer_c)

else()
  message(FATAL_ERROR "MODE must be install, cmake, cmake_c, pkgconfig or abs_libdir (got '${MODE}')")
endif()
