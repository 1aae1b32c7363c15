# Read by cpack itself (CPACK_PROJECT_CONFIG_FILE), once per generator run. CMake 3.25's
# CPackRPM asks `${RPM_EXECUTABLE} --suggests` whether rpm knows weak dependencies but never
# sets RPM_EXECUTABLE, and so drops the client's Suggests; find rpm for it.
if(CPACK_GENERATOR STREQUAL "RPM" AND NOT RPM_EXECUTABLE)
  find_program(RPM_EXECUTABLE rpm)
endif()
