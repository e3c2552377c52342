# Package.cmake - a Debian package of the installed tree with CPack:
#   cmake -S . -B build-deb -DCMAKE_BUILD_TYPE=Release \
#         -DCMAKE_INSTALL_PREFIX=/usr && cmake --build build-deb &&
#   (cd build-deb && cpack -G DEB)
# scripts/test-deb.sh builds it, runs lintian, installs and removes it.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME oaiusage)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "OpenAI organization usage and costs reports")
# The extended description: CPack puts the summary above it and indents
# its lines (an empty line becomes the " ." paragraph break).
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
"oaiusage reads an OpenAI organization's usage and billed costs from the
Administration API and reports them as terminal tables, CSV, JSON,
NDJSON, OpenMetrics, SVG, XLSX or an HTML report, with exit codes a cron
job can trust. Token counts are exact integers and money is summed in
exact decimal arithmetic; a run that fails prints nothing.

It keeps an optional history store (SQLite or PostgreSQL) for offline
reports, and checks spend against budgets. The package also holds
oaiusage-mock, a local server of the same API with synthetic data, as a
test tool.")
set(CPACK_PACKAGE_CONTACT "${OAIUSAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${OAIUSAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# --tz reads the zones from the system database (not a linked library).
set(CPACK_DEBIAN_PACKAGE_DEPENDS "tzdata")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
include(CPack)
