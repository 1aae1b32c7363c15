# /usr/share/doc/jitd: the machine-readable copyright file and the changelog (Debian's name and
# format, gzipped -9n; the rpm carries its own %changelog and leaves this one out).
set(jitd_doc_dir ${CMAKE_INSTALL_DATAROOTDIR}/doc/jitd)
set(changelog_gz ${CMAKE_CURRENT_BINARY_DIR}/changelog.Debian.gz)
add_custom_command(
  OUTPUT ${changelog_gz}
  COMMAND ${GZIP_EXECUTABLE} -9nc ${CMAKE_CURRENT_SOURCE_DIR}/debian/changelog > ${changelog_gz}
  DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/debian/changelog
  COMMENT "changelog.Debian.gz"
  VERBATIM)
add_custom_target(jitd_changelog ALL DEPENDS ${changelog_gz})
install(FILES ${changelog_gz} DESTINATION ${jitd_doc_dir})
install(FILES debian/copyright DESTINATION ${jitd_doc_dir})
