# Install and export fastalloc32 (fa32::core): the library (static unless
# BUILD_SHARED_LIBS), its public headers, a CMake package config
# (find_package(fastalloc32) gives fa32::core) and a pkg-config file.
# fa32_warnings/fa32_sanitizers are linked as BUILD_INTERFACE only (see
# fa32_setup_target), so they are not part of the export (a static
# library's private links would otherwise be listed in it).
include(CMakePackageConfigHelpers)

set(FA32_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/fastalloc32 CACHE STRING
    "Where the fastalloc32 CMake package config is installed (relative to the prefix)")
set(FA32_INSTALL_PKGCONFIGDIR ${CMAKE_INSTALL_LIBDIR}/pkgconfig CACHE STRING
    "Where fastalloc32.pc is installed (relative to the prefix)")

install(TARGETS fa32_core EXPORT fastalloc32Targets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# (fa32_core's INSTALL_INTERFACE include directory already points consumers
# at ${CMAKE_INSTALL_INCLUDEDIR}.)
install(FILES ${PROJECT_SOURCE_DIR}/core/include/fastalloc32.h ${PROJECT_SOURCE_DIR}/core/include/fastalloc32.hpp
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

install(EXPORT fastalloc32Targets NAMESPACE fa32:: FILE fastalloc32Targets.cmake
        DESTINATION ${FA32_INSTALL_CMAKEDIR})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/templates/fastalloc32Config.cmake.in
  ${PROJECT_BINARY_DIR}/fastalloc32Config.cmake INSTALL_DESTINATION ${FA32_INSTALL_CMAKEDIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/fastalloc32ConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/fastalloc32Config.cmake ${PROJECT_BINARY_DIR}/fastalloc32ConfigVersion.cmake
        DESTINATION ${FA32_INSTALL_CMAKEDIR})

# pkg-config: paths relative to the .pc file, so the package can be installed
# under any prefix (cmake --install --prefix, DESTDIR) and still be found.
# A .pc installed at an absolute path (an absolute CMAKE_INSTALL_LIBDIR) does
# not lie under the prefix, so no path from it leads there: name the prefix.
if(IS_ABSOLUTE "${FA32_INSTALL_PKGCONFIGDIR}")
  set(FA32_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH _fa32_pc_to_prefix /prefix/${FA32_INSTALL_PKGCONFIGDIR} /prefix)
  string(REGEX REPLACE "/$" "" _fa32_pc_to_prefix "${_fa32_pc_to_prefix}")
  set(FA32_PC_PREFIX "\${pcfiledir}/${_fa32_pc_to_prefix}")
endif()
foreach(_dir LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${_dir}}")
    set(FA32_PC_${_dir} "${CMAKE_INSTALL_${_dir}}")
  else()
    set(FA32_PC_${_dir} "\${prefix}/${CMAKE_INSTALL_${_dir}}")
  endif()
endforeach()
# The library is C++ inside: a C program linking the static archive needs the
# C++ runtime too. With a shared library it is a private dependency.
set(_fa32_cxx_runtime "")
if("stdc++" IN_LIST CMAKE_CXX_IMPLICIT_LINK_LIBRARIES)
  set(_fa32_cxx_runtime "-lstdc++")
elseif("c++" IN_LIST CMAKE_CXX_IMPLICIT_LINK_LIBRARIES)
  set(_fa32_cxx_runtime "-lc++")
endif()
if(BUILD_SHARED_LIBS)
  set(FA32_PC_LIBS_EXTRA "")
  set(FA32_PC_LIBS_PRIVATE "${_fa32_cxx_runtime}")
else()
  set(FA32_PC_LIBS_EXTRA " ${_fa32_cxx_runtime}")
  set(FA32_PC_LIBS_PRIVATE "")
  # The same for find_package: the export says the archive holds C++, but
  # CMake links with the C++ driver only in a project that enabled CXX. A C
  # project (project(app LANGUAGES C)) links with the C driver, which left
  # the C++ runtime out (undefined __gxx_personality_v0): name it for a link
  # done in C.
  string(REGEX REPLACE "^-l" "" _fa32_cxx_runtime_name "${_fa32_cxx_runtime}")
  if(_fa32_cxx_runtime_name)
    target_link_libraries(fa32_core INTERFACE "$<$<LINK_LANGUAGE:C>:${_fa32_cxx_runtime_name}>")
  endif()
endif()
configure_file(${CMAKE_CURRENT_LIST_DIR}/templates/fastalloc32.pc.in ${PROJECT_BINARY_DIR}/fastalloc32.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/fastalloc32.pc DESTINATION ${FA32_INSTALL_PKGCONFIGDIR})

# A shared libfastalloc32 is found by the installed fa32 binary next to it.
if(BUILD_SHARED_LIBS AND TARGET fa32)
  file(RELATIVE_PATH _fa32_bin_to_lib /prefix/${CMAKE_INSTALL_BINDIR} /prefix/${CMAKE_INSTALL_LIBDIR})
  set_target_properties(fa32 PROPERTIES INSTALL_RPATH "\$ORIGIN/${_fa32_bin_to_lib}")
endif()
