# Flags belong to our own targets, never to global flag strings.
function(jitd_target_defaults target)
  target_compile_features(${target} PUBLIC cxx_std_20)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror -Wshadow -Wnon-virtual-dtor
                                           -Wformat=2 -Wvla)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    # GCC 12 at -O3 reports false -Wrestrict and -Wstringop-overflow inside libstdc++ (GCC bugs
    # 105329, 106199): warnings about the library, not our code.
    target_compile_options(${target} PRIVATE -Wno-restrict -Wno-stringop-overflow)
  endif()
  # Unity builds (scripts/test's sanitizer build, -DCMAKE_UNITY_BUILD=ON): glibc's <netinet/in.h>
  # must come before any <linux/*.h> that pulls in <linux/in.h>, or the two collide; one file
  # of a batch may include them in the other order than the next.
  set_property(TARGET ${target} PROPERTY UNITY_BUILD_CODE_BEFORE_INCLUDE "#include <netinet/in.h>")
  if(JITD_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined
                                             -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
    target_link_options(${target} PUBLIC -fsanitize=address,undefined)
  endif()
  if(JITD_COVERAGE)
    # -O0 keeps the line counts true to the source; gcov data lands beside the objects.
    target_compile_options(${target} PRIVATE --coverage -O0)
    target_link_options(${target} PUBLIC --coverage)
  endif()
endfunction()
