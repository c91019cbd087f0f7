# The Debian package of the whole install (`cpack -G DEB` in a build folder):
# runner, workers, plugins, SDK (headers, library, CMake and pkg-config files),
# the man page and bash completion, the documentation and the systemd unit of `benchaas serve`.
install(FILES ${PROJECT_SOURCE_DIR}/packaging/benchaas.service
        DESTINATION lib/systemd/system COMPONENT service)
# (benchaas.1 and the bash completion are written from the command tables and
# installed by core/cli/CMakeLists.txt)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/docs/serve.md
              ${PROJECT_SOURCE_DIR}/docs/database.md ${PROJECT_SOURCE_DIR}/docs/formats.md
              ${PROJECT_SOURCE_DIR}/docs/slurm.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_PACKAGE_NAME benchaas)
set(CPACK_PACKAGE_VENDOR "BenchaaS")
set(CPACK_PACKAGE_CONTACT "BenchaaS maintainers <maintainers@example.org>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "sqlite3")
set(CPACK_DEB_COMPONENT_INSTALL OFF)
include(CPack)
