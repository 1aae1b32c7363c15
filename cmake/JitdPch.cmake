# Precompiled headers: the standard library and third-party headers most files include are
# parsed once per PCH instead of once per file (in a test file that parse is most of its
# compile time). Four PCHs, each hosted by one target and reused by the targets with the same
# flags (REUSE_FROM):
#   base    the standard library and nlohmann/json      config nft sessions remote remote_ssh wire
#   client  base + CLI11 and sd-journal                 jitd_client
#   daemon  base + spdlog/fmt and CLI11                 jitd_daemon
#   test    base + gtest                                jitd_fake_kernel: jitd_test_support and
#                                                       every gtest binary
# GCC refuses a PCH (-Winvalid-pch, an error under -Werror) built with other flags, or where a
# macro defined when it was built is not defined alike, or a macro its headers test is defined
# otherwise. So a host has no definitions of its own, and spdlog's and fmt's (SPDLOG_*,
# FMT_SHARED) stay in the daemon's PCH.
# Off for the libFuzzer build (clang, its fuzz flags differ per target).
option(JITD_PCH "Precompile the standard library and third-party headers" ON)
if(JITD_FUZZ)
  set(JITD_PCH OFF)
endif()

set(jitd_pch_base
    <algorithm> <array> <atomic> <charconv> <chrono> <cstddef> <cstdint> <cstdio> <cstdlib>
    <cstring> <filesystem> <fstream> <functional> <map> <memory> <mutex> <optional> <set>
    <sstream> <stdexcept> <string> <string_view> <system_error> <thread> <unordered_map>
    <utility> <variant> <vector> <nlohmann/json.hpp>)
set(jitd_pch_client ${jitd_pch_base} <CLI/CLI.hpp> <systemd/sd-journal.h>)
set(jitd_pch_daemon ${jitd_pch_base} <CLI/CLI.hpp> <fmt/format.h> <spdlog/spdlog.h>)
set(jitd_pch_test ${jitd_pch_base} <gtest/gtest.h>)

# jitd_pch(TARGET KIND): TARGET hosts the KIND precompiled header.
function(jitd_pch target kind)
  if(JITD_PCH)
    target_precompile_headers(${target} PRIVATE ${jitd_pch_${kind}})
  endif()
endfunction()

# jitd_pch_reuse(TARGET HOST): TARGET uses HOST's precompiled header.
function(jitd_pch_reuse target host)
  if(JITD_PCH)
    target_precompile_headers(${target} REUSE_FROM ${host})
  endif()
endfunction()

# ccache caches a compile that uses a PCH only with this sloppiness (ccache(1), "Precompiled
# headers"); a developer's ccache launcher gets it here, their ccache.conf stays as it is.
if(JITD_PCH AND CMAKE_CXX_COMPILER_LAUNCHER MATCHES "(^|/)ccache$")
  set(CMAKE_CXX_COMPILER_LAUNCHER
      ${CMAKE_COMMAND} -E env
      CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
      ${CMAKE_CXX_COMPILER_LAUNCHER})
endif()
