# Man pages: written in scdoc (man/*.scd), turned into roff and gzipped (-9n: reproducible, as
# Debian wants) at build time. The date in the pages is the release's (reproducible builds).
set(JITD_RELEASE_EPOCH 1795435200 CACHE STRING "Release date (Unix time) printed in the man pages")
find_program(SCDOC_EXECUTABLE scdoc)
find_program(GZIP_EXECUTABLE gzip REQUIRED)
if(NOT SCDOC_EXECUTABLE)
  message(WARNING "scdoc not found (apt-get install scdoc): man pages are not built")
else()

set(jitd_man_gz)
foreach(page jitd.8 jit-request.1 jitd-policy.5)
  set(src ${CMAKE_CURRENT_SOURCE_DIR}/man/${page}.scd)
  set(roff ${CMAKE_CURRENT_BINARY_DIR}/man/${page})
  string(REGEX REPLACE ".*\\.([0-9])$" "\\1" section ${page})
  add_custom_command(
    OUTPUT ${roff}.gz
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_CURRENT_BINARY_DIR}/man
    COMMAND ${CMAKE_COMMAND} -E env SOURCE_DATE_EPOCH=${JITD_RELEASE_EPOCH} ${SCDOC_EXECUTABLE} < ${src} > ${roff}
    COMMAND ${GZIP_EXECUTABLE} -9nf ${roff}
    DEPENDS ${src}
    COMMENT "Man page ${page}"
    VERBATIM)
  list(APPEND jitd_man_gz ${roff}.gz)
  # jit-request(1) goes with the client package, the daemon's pages with jitd.
  if(page STREQUAL "jit-request.1")
    set(component client)
  else()
    set(component jitd)
  endif()
  install(FILES ${roff}.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section} COMPONENT ${component})
endforeach()
add_custom_target(jitd_man_pages ALL DEPENDS ${jitd_man_gz})
endif()
