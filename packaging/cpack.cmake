# CPack: two packages from one build, as CPack components (.deb and .rpm each):
#   jitd         the daemon, its unit, users, policy and state; Depends on jit-request (= version)
#   jit-request  the client alone (binary, jit-request(1), completion): what a laptop installs
#                for `jit-request open --host`, with no daemon that would close its ports
#   jitd-cockpit the Cockpit page (packaging/cockpit_package.cmake)
#   cpack -G DEB (or RPM) --config BUILD/CPackConfig.cmake     (scripts/package runs both)
set(CPACK_PACKAGE_NAME jitd)
set(CPACK_PACKAGE_VENDOR "jitd developers")
set(CPACK_PACKAGE_CONTACT "jitd developers <jitd@example.org>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_HOMEPAGE_URL ${PROJECT_HOMEPAGE_URL})
# CPack's own default summary, the one value CPackDeb takes for "none": any other (by default
# the project's DESCRIPTION) it puts on top of both packages' descriptions, and each component's
# description starts with its own summary line.
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${CMAKE_PROJECT_NAME} built using CMake")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_RELOCATABLE OFF)
set(CPACK_SOURCE_IGNORE_FILES "/build.*/" "/\\\\.git/")
set(CPACK_GENERATOR DEB RPM)

set(CPACK_COMPONENTS_ALL jitd client cockpit)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_RPM_COMPONENT_INSTALL ON)
set(jitd_summary "just-in-time access to management ports with nftables")
set(jitd_body
    "jitd keeps a host's management ports (SSH, RDP, WinRM) closed and opens
exactly one door - one source address or prefix, one port, one time
window - when an authorized local user asks for it with jit-request.
The door is an nftables set element with a kernel timeout, so it closes
on time even if jitd is not running. A YAML policy says which ports are
protected, for how long they may be opened and who may ask; every
decision is written to the journal as a structured audit entry.")
set(client_summary "client for jitd: ask for just-in-time access to a port")
set(client_body
    "jit-request asks a jitd daemon to open a management port for a while:
on this host over jitd's local socket, or on another host with a request
signed by an SSH key (ssh-agent or a key file) and sent over UDP. It also
manages jitd's remote keys and reads its audit trail. This package holds
the client alone, for machines that ask for access but protect nothing.")
set(CPACK_COMPONENT_JITD_DESCRIPTION "${jitd_summary}\n${jitd_body}")
set(CPACK_COMPONENT_CLIENT_DESCRIPTION "${client_summary}\n${client_body}")

# Debian: version 0.1.0-1 (not native), dependencies from dpkg-shlibdeps.
set(jitd_deb_version ${PROJECT_VERSION}-1)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "jitd developers <jitd@example.org>")
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE ${PROJECT_HOMEPAGE_URL})
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_JITD_PACKAGE_NAME jitd)
set(CPACK_DEBIAN_JITD_PACKAGE_SECTION net)
# jit-request by an explicit (= version-release): CPack's own component dependency leaves the
# Debian revision out. procps: /bin/kill for ExecReload; nftables: nft(8) deletes the table on
# purge.
set(CPACK_DEBIAN_JITD_PACKAGE_DEPENDS "jit-request (= ${jitd_deb_version}), procps")
set(CPACK_DEBIAN_JITD_PACKAGE_RECOMMENDS "nftables")
set(CPACK_DEBIAN_JITD_PACKAGE_CONTROL_EXTRA
    ${CMAKE_CURRENT_SOURCE_DIR}/debian/conffiles ${CMAKE_CURRENT_SOURCE_DIR}/debian/postinst
    ${CMAKE_CURRENT_SOURCE_DIR}/debian/prerm ${CMAKE_CURRENT_SOURCE_DIR}/debian/postrm)
# The client: no maintainer scripts, no conffiles. openssh-client: ssh-agent, and ssh-keygen,
# which signs with a passphrase-protected or security key file (--key).
set(CPACK_DEBIAN_CLIENT_PACKAGE_NAME jit-request)
set(CPACK_DEBIAN_CLIENT_PACKAGE_SECTION net)
set(CPACK_DEBIAN_CLIENT_PACKAGE_RECOMMENDS "openssh-client")

# RPM: version 0.1.0-1, requirements from rpm's own dependency generator.
set(CPACK_RPM_FILE_NAME RPM-DEFAULT)
set(CPACK_RPM_PACKAGE_RELEASE 1)
set(CPACK_RPM_PACKAGE_RELOCATABLE OFF)
set(CPACK_RPM_PACKAGE_LICENSE MIT)
set(CPACK_RPM_PACKAGE_URL ${PROJECT_HOMEPAGE_URL})
set(CPACK_RPM_PACKAGE_AUTOREQ ON)
set(CPACK_RPM_PACKAGE_AUTOPROV ON)
set(CPACK_RPM_CHANGELOG_FILE ${CMAKE_CURRENT_SOURCE_DIR}/rpm/changelog)
set(CPACK_RPM_JITD_PACKAGE_NAME jitd)
set(CPACK_RPM_JITD_PACKAGE_SUMMARY "Just-in-time access to management ports with nftables")
set(CPACK_RPM_JITD_PACKAGE_DESCRIPTION ${jitd_body})
set(CPACK_RPM_JITD_PACKAGE_GROUP "System Environment/Daemons")
set(CPACK_RPM_JITD_PACKAGE_REQUIRES "jit-request = ${PROJECT_VERSION}-1")
set(CPACK_RPM_JITD_PACKAGE_REQUIRES_POST systemd)
set(CPACK_RPM_JITD_PACKAGE_REQUIRES_PREUN systemd)
set(CPACK_RPM_JITD_PACKAGE_REQUIRES_POSTUN systemd)
# %pre creates the users from the sysusers.d entry itself, so that %attr's group jitd exists
# when rpm writes the policy. Scriptlets are per component: the client has none.
file(READ ${PROJECT_SOURCE_DIR}/systemd/jitd.sysusers.conf JITD_SYSUSERS)
configure_file(${CMAKE_CURRENT_SOURCE_DIR}/rpm/pre.sh.in ${CMAKE_CURRENT_BINARY_DIR}/rpm/pre.sh @ONLY)
set(CPACK_RPM_JITD_PRE_INSTALL_SCRIPT_FILE ${CMAKE_CURRENT_BINARY_DIR}/rpm/pre.sh)
set(CPACK_RPM_JITD_POST_INSTALL_SCRIPT_FILE ${CMAKE_CURRENT_SOURCE_DIR}/rpm/post.sh)
set(CPACK_RPM_JITD_PRE_UNINSTALL_SCRIPT_FILE ${CMAKE_CURRENT_SOURCE_DIR}/rpm/preun.sh)
set(CPACK_RPM_JITD_POST_UNINSTALL_SCRIPT_FILE ${CMAKE_CURRENT_SOURCE_DIR}/rpm/postun.sh)
set(CPACK_RPM_JITD_USER_FILELIST "%config(noreplace) %attr(0640,root,jitd) /etc/jitd/policy.yaml"
                                 "%exclude /usr/share/doc/jitd/changelog.Debian.gz")
set(CPACK_RPM_CLIENT_PACKAGE_NAME jit-request)
set(CPACK_RPM_CLIENT_PACKAGE_SUMMARY "Client for jitd: ask for just-in-time access to a port")
set(CPACK_RPM_CLIENT_PACKAGE_DESCRIPTION ${client_body})
set(CPACK_RPM_CLIENT_PACKAGE_GROUP "Applications/System")
set(CPACK_RPM_CLIENT_PACKAGE_SUGGESTS "openssh-clients")
set(CPACK_RPM_CLIENT_USER_FILELIST "%exclude /usr/share/doc/jit-request/changelog.Debian.gz")
# Directories that belong to the system (filesystem, systemd, man-db, bash-completion).
set(CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION
    /usr/lib/systemd /usr/lib/systemd/system /usr/lib/systemd/catalog /usr/lib/sysusers.d
    /usr/sbin /usr/share/man /usr/share/man/man1 /usr/share/man/man5 /usr/share/man/man8 /usr/share/bash-completion
    /usr/share/bash-completion/completions /usr/share/doc /var /var/lib)
include(${CMAKE_CURRENT_SOURCE_DIR}/cockpit_package.cmake)
set(CPACK_PROJECT_CONFIG_FILE ${CMAKE_CURRENT_SOURCE_DIR}/cpack_project_config.cmake)
set(CPACK_RPM_SPEC_MORE_DEFINE "%define _build_id_links none\n%define packager ${CPACK_PACKAGE_CONTACT}")

include(CPack)
