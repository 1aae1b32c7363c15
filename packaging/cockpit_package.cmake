# The third package, jitd-cockpit (CPack component `cockpit`): jitd's page for Cockpit, plain
# files under /usr/share/cockpit/jitd (no build step). Architecture all / noarch. It needs
# cockpit-bridge (which serves the page and opens the socket channel as the logged-in user) and
# jit-request of the same version (the Activity view reads the journal with it); jitd itself
# is only recommended: the page also says when jitd is not running. cockpit-ws is not needed on
# a host that is reached from another host's Cockpit over SSH.
set(cockpit_page_dir ${CMAKE_INSTALL_DATAROOTDIR}/cockpit/jitd)
install(FILES ${PROJECT_SOURCE_DIR}/cockpit/manifest.json ${PROJECT_SOURCE_DIR}/cockpit/index.html
              ${PROJECT_SOURCE_DIR}/cockpit/jitd-api.js ${PROJECT_SOURCE_DIR}/cockpit/jitd.js
              ${PROJECT_SOURCE_DIR}/cockpit/jitd.css
        DESTINATION ${cockpit_page_dir} COMPONENT cockpit)

set(cockpit_summary "Cockpit page for jitd: just-in-time access from the web console")
set(cockpit_body
    "This package adds a page for jitd to Cockpit, the Linux web console: the
protected ports, a form to request access for the browser's address, the
active grants with a countdown, extend and revoke, pending approvals, and
the audit trail with a CSV download. It talks to jitd over jitd's local
socket as the logged-in user, so the policy's roles apply as they do for
jit-request on the command line.")
set(CPACK_COMPONENT_COCKPIT_DESCRIPTION "${cockpit_summary}\n${cockpit_body}")

set(CPACK_DEBIAN_COCKPIT_PACKAGE_NAME jitd-cockpit)
set(CPACK_DEBIAN_COCKPIT_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_COCKPIT_PACKAGE_ARCHITECTURE all)
set(CPACK_DEBIAN_COCKPIT_PACKAGE_SHLIBDEPS OFF)
set(CPACK_DEBIAN_COCKPIT_PACKAGE_DEPENDS "cockpit-bridge, jit-request (= ${PROJECT_VERSION}-1)")
set(CPACK_DEBIAN_COCKPIT_PACKAGE_RECOMMENDS "jitd (= ${PROJECT_VERSION}-1), cockpit-ws")

set(CPACK_RPM_COCKPIT_PACKAGE_NAME jitd-cockpit)
set(CPACK_RPM_COCKPIT_PACKAGE_ARCHITECTURE noarch)
set(CPACK_RPM_COCKPIT_PACKAGE_SUMMARY "Cockpit page for jitd: just-in-time access from the web console")
set(CPACK_RPM_COCKPIT_PACKAGE_DESCRIPTION ${cockpit_body})
set(CPACK_RPM_COCKPIT_PACKAGE_GROUP "Applications/System")
set(CPACK_RPM_COCKPIT_PACKAGE_REQUIRES "cockpit-bridge, jit-request = ${PROJECT_VERSION}-1")
set(CPACK_RPM_COCKPIT_PACKAGE_SUGGESTS "jitd = ${PROJECT_VERSION}-1")
set(CPACK_RPM_COCKPIT_USER_FILELIST "%exclude /usr/share/doc/jitd-cockpit/changelog.Debian.gz")
# /usr/share/cockpit is cockpit-bridge's.
list(APPEND CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION /usr/share/cockpit)
