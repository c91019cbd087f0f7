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
