# Thin wrappers over LLVM/MLIR's CMake helpers, so every dlc target is built
# the same way: against the shared libMLIR.so / libLLVM.so, never a mix of
# static MLIR* archives and the dylib (two copies of every registry).

# add_dlc_library(name SOURCES... [DEPENDS tgt...] [LINK_LIBS lib...])
function(add_dlc_library name)
  cmake_parse_arguments(ARG "" "" "DEPENDS;LINK_LIBS" ${ARGN})
  add_library(${name} STATIC ${ARG_UNPARSED_ARGUMENTS})
  if(ARG_DEPENDS)
    add_dependencies(${name} ${ARG_DEPENDS})
  endif()
  target_link_libraries(${name} PUBLIC ${ARG_LINK_LIBS} MLIR LLVM)
  set_property(GLOBAL APPEND PROPERTY DLC_ALL_LIBS ${name})
endfunction()

# add_dlc_tool(name SOURCES... [LINK_LIBS lib...])
function(add_dlc_tool name)
  cmake_parse_arguments(ARG "" "" "LINK_LIBS" ${ARGN})
  add_executable(${name} ${ARG_UNPARSED_ARGUMENTS})
  set_target_properties(${name} PROPERTIES
    RUNTIME_OUTPUT_DIRECTORY ${DLC_TOOLS_DIR})
  target_link_libraries(${name} PRIVATE ${ARG_LINK_LIBS} MLIR LLVM)
endfunction()

# add_dlc_doc(td_file name command [extra tblgen args])
# Generates markdown from ODS into <build>/docs/<name>.md; the `dlc-doc`
# target collects them, and a lit test checks that docs/ in the source tree is
# current with them.
function(add_dlc_doc td_file name command)
  set(LLVM_TARGET_DEFINITIONS ${td_file})
  tablegen(MLIR ${name}.md ${command} ${ARGN})
  set(out ${DLC_BINARY_DIR}/docs/${name}.md)
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -E copy
            ${CMAKE_CURRENT_BINARY_DIR}/${name}.md ${out}
    DEPENDS ${CMAKE_CURRENT_BINARY_DIR}/${name}.md)
  add_custom_target(dlc-doc-${name} DEPENDS ${out})
  add_dependencies(dlc-doc dlc-doc-${name})
endfunction()
