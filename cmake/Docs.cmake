# Docs.cmake - the man pages and the shell completions, generated at build
# time from the command and option tables by tools/oaiusage-gen.c (linked
# against oaiusage_core, which holds the tables), so they cannot drift from
# the binary; and their install rules (GNUInstallDirs).
#
#   build/man/oaiusage.1, build/man/oaiusage-mock.1 (and .gz, as installed)
#   build/completions/oaiusage (bash), _oaiusage (zsh), oaiusage.fish
find_program(OAIUSAGE_GZIP gzip REQUIRED)

add_executable(oaiusage-gen ${PROJECT_SOURCE_DIR}/tools/oaiusage-gen.c)
target_link_libraries(oaiusage-gen PRIVATE oaiusage_core)

set(OAIUSAGE_MAN_DIR ${PROJECT_BINARY_DIR}/man)
set(OAIUSAGE_COMPLETION_DIR ${PROJECT_BINARY_DIR}/completions)
set(_oaiusage_generated)

# oaiusage_generate(WHAT OUTPUT): OUTPUT is oaiusage-gen WHAT's text.
function(oaiusage_generate what output)
  get_filename_component(_dir ${output} DIRECTORY)
  add_custom_command(OUTPUT ${output}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${_dir}
    COMMAND oaiusage-gen ${what} ${output}
    DEPENDS oaiusage-gen
    COMMENT "Generating ${output}"
    VERBATIM)
  set(_oaiusage_generated ${_oaiusage_generated} ${output} PARENT_SCOPE)
endfunction()

# A gzip'd copy (gzip -9n: no name or time inside, as Debian wants).
function(oaiusage_gzip input)
  add_custom_command(OUTPUT ${input}.gz
    COMMAND ${OAIUSAGE_GZIP} -9nc ${input} > ${input}.gz
    DEPENDS ${input}
    VERBATIM)
  set(_oaiusage_generated ${_oaiusage_generated} ${input}.gz PARENT_SCOPE)
endfunction()

oaiusage_generate(man ${OAIUSAGE_MAN_DIR}/oaiusage.1)
oaiusage_generate(mock-man ${OAIUSAGE_MAN_DIR}/oaiusage-mock.1)
oaiusage_generate(bash ${OAIUSAGE_COMPLETION_DIR}/oaiusage)
oaiusage_generate(zsh ${OAIUSAGE_COMPLETION_DIR}/_oaiusage)
oaiusage_generate(fish ${OAIUSAGE_COMPLETION_DIR}/oaiusage.fish)
oaiusage_gzip(${OAIUSAGE_MAN_DIR}/oaiusage.1)
oaiusage_gzip(${OAIUSAGE_MAN_DIR}/oaiusage-mock.1)

# The Debian changelog of this (native) package, gzip'd.
string(TIMESTAMP OAIUSAGE_CHANGELOG_DATE "%a, %d %b %Y %H:%M:%S +0000" UTC)
configure_file(${PROJECT_SOURCE_DIR}/cmake/changelog.in
               ${PROJECT_BINARY_DIR}/doc/changelog @ONLY)
oaiusage_gzip(${PROJECT_BINARY_DIR}/doc/changelog)

add_custom_target(oaiusage-docs ALL DEPENDS ${_oaiusage_generated})

install(FILES ${OAIUSAGE_MAN_DIR}/oaiusage.1.gz
        DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
# oaiusage-mock(1) goes with oaiusage-mock, which only a build with the
# tests has (server/, OAIUSAGE_TESTS).
if(OAIUSAGE_TESTS)
  install(FILES ${OAIUSAGE_MAN_DIR}/oaiusage-mock.1.gz
          DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endif()
install(FILES ${OAIUSAGE_COMPLETION_DIR}/oaiusage
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)
install(FILES ${OAIUSAGE_COMPLETION_DIR}/_oaiusage
        DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
install(FILES ${OAIUSAGE_COMPLETION_DIR}/oaiusage.fish
        DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/examples/
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples
        FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE
        DESTINATION ${CMAKE_INSTALL_DOCDIR} RENAME copyright)
install(FILES ${PROJECT_BINARY_DIR}/doc/changelog.gz
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
