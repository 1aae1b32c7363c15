# Precompiled headers for the test executables (option JITD_TEST_PCH, off by default;
# scripts/test turns it on for its sanitizer build). Every gtest TU parses gtest and most parse
# nlohmann/json and a dozen standard headers; with the PCH that parse is paid once.
# One PCH (target jitd_test_pch) is reused by every test executable: they all take the same
# flags from jitd_target_defaults, and GCC's -Winvalid-pch (CMake adds it) with -Werror turns a
# PCH that does not fit into an error instead of a silent slow build.
# Not used at -O2: there GCC 12 raised false -Warray-bounds in two test files built with a PCH
# and unity batches (an earlier attempt); at -O0 that warning does not run.
option(JITD_TEST_PCH "Precompile gtest, nlohmann/json and common std headers for the tests" OFF)

if(JITD_TEST_PCH)
  file(WRITE ${CMAKE_BINARY_DIR}/jitd_test_pch.cpp "// the PCH's own TU\n")
  add_library(jitd_test_pch OBJECT ${CMAKE_BINARY_DIR}/jitd_test_pch.cpp)
  target_link_libraries(jitd_test_pch PRIVATE GTest::gtest nlohmann_json::nlohmann_json)
  jitd_target_defaults(jitd_test_pch)
  target_compile_options(jitd_test_pch PRIVATE -fpch-preprocess)
  target_precompile_headers(jitd_test_pch PRIVATE
    <algorithm> <chrono> <cstdint> <cstdlib> <filesystem> <fstream> <functional> <map>
    <memory> <optional> <set> <sstream> <stdexcept> <string> <string_view> <thread> <vector>
    <gtest/gtest.h> <nlohmann/json.hpp>)
endif()

# jitd_test_pch_for(TARGET): TARGET's TUs start from the shared PCH (when it is on).
function(jitd_test_pch_for target)
  if(JITD_TEST_PCH)
    target_precompile_headers(${target} REUSE_FROM jitd_test_pch)
    # ccache (sloppiness pch_defines,time_macros; scripts/test sets it) caches such TUs only
    # with the PCH named in the preprocessed output.
    target_compile_options(${target} PRIVATE -fpch-preprocess)
  endif()
endfunction()
