# Build settings every fa32 target links PRIVATE. Not exported: consumers of
# the installed library do not inherit our warnings or sanitizers.

add_library(fa32_warnings INTERFACE)
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  target_compile_options(fa32_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
                                                 -Wno-sign-conversion)
  if(FA32_WERROR)
    target_compile_options(fa32_warnings INTERFACE -Werror)
  endif()
endif()
# GCC 12 at -O3 (Release) warns that std::string's inlined memcpy may
# overlap on plain string concatenation and assignment (GCC bug 105329, a
# false positive fixed in GCC 13); with FA32_WERROR it broke Release builds.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(fa32_warnings INTERFACE -Wno-restrict)
endif()

add_library(fa32_sanitizers INTERFACE)
if(FA32_SANITIZE OR FA32_FUZZ)
  set(_fa32_san -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_compile_options(fa32_sanitizers INTERFACE ${_fa32_san})
  target_link_options(fa32_sanitizers INTERFACE ${_fa32_san})
endif()
if(FA32_FUZZ)
  # The libraries under test get libFuzzer's coverage counters too: without
  # them only the fuzz target's own code guides the fuzzer, and ASan would
  # not check the libraries' accesses.
  target_compile_options(fa32_sanitizers INTERFACE -fsanitize=fuzzer-no-link)
endif()

# fa32_setup_target(<target>): warnings + sanitizers, C++20 to build it. What a
# target demands of its users is its own PUBLIC feature (fa32_core: C++17).
function(fa32_setup_target target)
  # BUILD_INTERFACE: a static library's private links show up in its export;
  # these two must not (consumers get neither our warnings nor sanitizers).
  target_link_libraries(${target} PRIVATE $<BUILD_INTERFACE:fa32_warnings> $<BUILD_INTERFACE:fa32_sanitizers>)
  target_compile_features(${target} PRIVATE cxx_std_20)
endfunction()
