# The Debian packages, made by CPack from the install rules (README "Install the package"):
#   ergon-console      the console and its CLI, the engine's libraries, the bundled plugins, the
#                      desktop entry and icons, the manual page, the systemd units
#   ergon-console-dev  the headers and the CMake package (find_package(Ergon)) for plugin authors
# `scripts/ergon.sh package` builds them into build/packages/. Included last from the top
# CMakeLists.txt, once every install rule exists.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ergon-console)
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_CONTACT "Ergon Console developers <ergon@localhost>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_DIRECTORY "${CMAKE_BINARY_DIR}/packages")
# Debug information stays in the build: the package is four times smaller without it.
set(CPACK_STRIP_FILES ON)

set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL console dev)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_CONSOLE_PACKAGE_NAME ergon-console)
set(CPACK_DEBIAN_DEV_PACKAGE_NAME ergon-console-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
# The runtime's dependencies come from its binaries (dpkg-shlibdeps), plus the Qt plugins it
# loads by name at run time, which no binary links: the SQLite and PostgreSQL drivers.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS "${CMAKE_BINARY_DIR}/lib")
set(CPACK_DEBIAN_CONSOLE_PACKAGE_DEPENDS "libqt6sql6-sqlite")
set(CPACK_DEBIAN_CONSOLE_PACKAGE_RECOMMENDS "libqt6sql6-psql")
set(CPACK_DEBIAN_CONSOLE_PACKAGE_CONTROL_EXTRA "${PROJECT_SOURCE_DIR}/resources/package/postinst")
set(CPACK_DEBIAN_CONSOLE_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# A plugin author builds against the same Qt and QCoro, with their CMake packages.
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS
    "ergon-console (= ${PROJECT_VERSION}), qt6-base-dev, qcoro-qt6-dev, cmake (>= 3.25)")

include(CPack)
cpack_add_component(console DISPLAY_NAME "Ergon Console" REQUIRED)
cpack_add_component(dev DISPLAY_NAME "Ergon development files" DEPENDS console)
