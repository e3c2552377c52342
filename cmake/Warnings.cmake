# oaiusage_warnings: an INTERFACE target carrying warning and sanitizer flags.
#
# Shared by the tool, its tests, the benchmark and the bundled API server
# (server/CMakeLists.txt includes this file itself when it is built
# standalone). The options below are declared here too, with the top-level
# project's defaults, so that an including project that does not declare
# them still gets a sensible setup; option() never overrides a value that
# is already set (by the top-level CMakeLists.txt or on the command line).
include_guard(GLOBAL)
include(CheckCCompilerFlag)

option(OAIUSAGE_WERROR "Treat warnings as errors" ON)
option(OAIUSAGE_SANITIZE "Build with AddressSanitizer + UndefinedBehaviorSanitizer" OFF)
option(OAIUSAGE_TSAN "Build with ThreadSanitizer (the --jobs and organization threads)" OFF)
option(OAIUSAGE_FUZZ "Build the libFuzzer targets (needs clang)" OFF)

add_library(oaiusage_warnings INTERFACE)

set(_oaiusage_warning_flags
  -Wall -Wextra -Wpedantic -Wshadow -Wformat=2 -Wmissing-prototypes
  -Wstrict-prototypes -Wwrite-strings -Wvla -Wundef -Wcast-align
  -Wnull-dereference -Wdouble-promotion -Wimplicit-fallthrough)
foreach(flag IN LISTS _oaiusage_warning_flags)
  string(MAKE_C_IDENTIFIER "HAVE${flag}" var)
  check_c_compiler_flag(${flag} ${var})
  if(${var})
    target_compile_options(oaiusage_warnings INTERFACE ${flag})
  endif()
endforeach()

if(OAIUSAGE_WERROR)
  target_compile_options(oaiusage_warnings INTERFACE -Werror)
endif()

if(OAIUSAGE_SANITIZE)
  set(_san -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_compile_options(oaiusage_warnings INTERFACE ${_san})
  target_link_options(oaiusage_warnings INTERFACE ${_san})
endif()

if(OAIUSAGE_TSAN)
  if(OAIUSAGE_SANITIZE)
    message(FATAL_ERROR "OAIUSAGE_TSAN and OAIUSAGE_SANITIZE exclude each other")
  endif()
  set(_tsan -fsanitize=thread -fno-omit-frame-pointer)
  target_compile_options(oaiusage_warnings INTERFACE ${_tsan})
  target_link_options(oaiusage_warnings INTERFACE ${_tsan})
endif()

if(OAIUSAGE_FUZZ)
  set(_fz -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
          -fno-omit-frame-pointer)
  target_compile_options(oaiusage_warnings INTERFACE ${_fz})
  target_link_options(oaiusage_warnings INTERFACE -fsanitize=address,undefined)
endif()
