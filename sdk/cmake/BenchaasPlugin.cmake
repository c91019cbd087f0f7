# benchaas_add_plugin(NAME SOURCES src1.c ... [LIBRARIES lib ...] [NO_INSTALL])
#
# Builds NAME.so, a BenchaaS plugin: a MODULE library without the "lib"
# prefix, hidden visibility (only benchaas_plugin_entry is exported), linked
# statically with benchaas::sdk, installed into the plugin folder (the
# installed runner's lib/benchaas/plugins, or BENCHAAS_PLUGIN_INSTALL_DIR).
function(benchaas_add_plugin name)
  cmake_parse_arguments(BXP "NO_INSTALL" "" "SOURCES;LIBRARIES" ${ARGN})
  if(NOT BXP_SOURCES)
    message(FATAL_ERROR "benchaas_add_plugin(${name}): SOURCES is required")
  endif()
  add_library(${name} MODULE ${BXP_SOURCES})
  set_target_properties(${name} PROPERTIES
    PREFIX "" OUTPUT_NAME ${name}
    C_VISIBILITY_PRESET hidden CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON
    POSITION_INDEPENDENT_CODE ON)
  if(BENCHAAS_PLUGIN_DIR_FOR_BUILD)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${BENCHAAS_PLUGIN_DIR_FOR_BUILD}")
  endif()
  target_link_libraries(${name} PRIVATE benchaas::sdk ${BXP_LIBRARIES})
  if(NOT BXP_NO_INSTALL)
    if(DEFINED BENCHAAS_PLUGIN_SUBDIR)
      set(_dest "${BENCHAAS_PLUGIN_SUBDIR}")
    elseif(BENCHAAS_PLUGIN_INSTALL_DIR)
      set(_dest "${BENCHAAS_PLUGIN_INSTALL_DIR}")
    else()
      set(_dest "lib/benchaas/plugins")
    endif()
    install(TARGETS ${name} LIBRARY DESTINATION "${_dest}")
  endif()
endfunction()

# benchaas_add_plugin_test(PLUGIN FILE CASE COMMAND cmd [arg ...]
#                          [TIMEOUT seconds] [ENVIRONMENT VAR=value ...]
#                          [PROPERTIES property value ...] [PLUGIN_DIR dir])
#
# Registers the ctest PLUGIN.FILE.CASE, the one name every BenchaaS test has
# (LIBRARY.FILE.CASE, the plugin standing for the library): FILE is the
# plugin's source file the test mainly exercises, FILE.c in PLUGIN_DIR (by
# default the calling folder, or its parent when that is a tests/ folder:
# plugins/PLUGIN/ seen from plugins/PLUGIN/tests/), CASE the test's own name.  The test is labelled
# PLUGIN (`ctest -L PLUGIN`); PROPERTIES go to set_tests_properties as they
# are.  A name of another shape, or a FILE that is not a source file of the
# plugin, stops the configure step: `ctest -R '^PLUGIN\.FILE\.'` must find
# every test of FILE.c.
function(benchaas_add_plugin_test plugin file case)
  cmake_parse_arguments(BXT "" "TIMEOUT;PLUGIN_DIR" "COMMAND;ENVIRONMENT;PROPERTIES" ${ARGN})
  set(_id "^[a-z0-9_]+$")
  if(NOT plugin MATCHES "${_id}" OR NOT file MATCHES "${_id}" OR NOT case MATCHES "${_id}")
    message(FATAL_ERROR "benchaas_add_plugin_test(${plugin} ${file} ${case}): PLUGIN, FILE and CASE are [a-z0-9_]+")
  endif()
  if(NOT BXT_COMMAND OR BXT_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "benchaas_add_plugin_test(${plugin} ${file} ${case}): COMMAND is required; unknown: ${BXT_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT BXT_PLUGIN_DIR)
    set(BXT_PLUGIN_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    get_filename_component(_here "${CMAKE_CURRENT_SOURCE_DIR}" NAME)
    if(_here STREQUAL "tests")
      get_filename_component(BXT_PLUGIN_DIR "${CMAKE_CURRENT_SOURCE_DIR}/.." ABSOLUTE)
    endif()
  endif()
  if(NOT EXISTS "${BXT_PLUGIN_DIR}/${file}.c")
    message(FATAL_ERROR "benchaas_add_plugin_test(${plugin} ${file} ${case}): ${file} is not a source file of the plugin (${BXT_PLUGIN_DIR}/${file}.c)")
  endif()
  set(_name ${plugin}.${file}.${case})
  add_test(NAME ${_name} COMMAND ${BXT_COMMAND})
  set_tests_properties(${_name} PROPERTIES LABELS ${plugin} ${BXT_PROPERTIES})
  if(BXT_TIMEOUT)
    set_tests_properties(${_name} PROPERTIES TIMEOUT ${BXT_TIMEOUT})
  endif()
  if(BXT_ENVIRONMENT)
    # one property whose value is the whole list
    set_tests_properties(${_name} PROPERTIES ENVIRONMENT "${BXT_ENVIRONMENT}")
  endif()
endfunction()
