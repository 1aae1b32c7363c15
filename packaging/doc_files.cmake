# /usr/share/doc/PACKAGE for each package (jitd, jit-request, jitd-cockpit): the machine-readable copyright
# file and the changelog (Debian's name and format, gzipped -9n; the rpms carry their own
# %changelog and leave this one out). Debian wants both in every binary package.
set(changelog_gz ${CMAKE_CURRENT_BINARY_DIR}/changelog.Debian.gz)
add_custom_command(
  OUTPUT ${changelog_gz}
  COMMAND ${GZIP_EXECUTABLE} -9nc ${CMAKE_CURRENT_SOURCE_DIR}/debian/changelog > ${changelog_gz}
  DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/debian/changelog
  COMMENT "changelog.Debian.gz"
  VERBATIM)
add_custom_target(jitd_changelog ALL DEPENDS ${changelog_gz})
foreach(package_component jitd:jitd jit-request:client jitd-cockpit:cockpit)
  string(REPLACE ":" ";" pair ${package_component})
  list(GET pair 0 package)
  list(GET pair 1 component)
  set(doc_dir ${CMAKE_INSTALL_DATAROOTDIR}/doc/${package})
  install(FILES ${changelog_gz} DESTINATION ${doc_dir} COMPONENT ${component})
  install(FILES debian/copyright DESTINATION ${doc_dir} COMPONENT ${component})
endforeach()
