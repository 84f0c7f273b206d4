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

# add_dlc_kernel_library(target inc_name file...): embeds the files (paths
# relative to the current source directory), in order, as the C++
# array kKernelLibrary in <binary dir>/<inc_name> (cmake/modules/
# EmbedKernels.cmake), and makes `target` depend on it. The backends copy
# their kernel library into every emitted model.
function(add_dlc_kernel_library target inc_name)
  set(paths)
  foreach(kernel ${ARGN})
    list(APPEND paths ${CMAKE_CURRENT_SOURCE_DIR}/${kernel})
  endforeach()
  set(inc ${CMAKE_CURRENT_BINARY_DIR}/${inc_name})
  set(script ${PROJECT_SOURCE_DIR}/cmake/modules/EmbedKernels.cmake)
  add_custom_command(
    OUTPUT ${inc}
    COMMAND ${CMAKE_COMMAND} -DOUTPUT=${inc} "-DINPUTS=${paths}" -P ${script}
    DEPENDS ${paths} ${script}
    COMMENT "Embedding ${inc_name}"
    VERBATIM)
  add_custom_target(${target}KernelLibrary DEPENDS ${inc})
  add_dependencies(${target} ${target}KernelLibrary)
  target_include_directories(${target} PRIVATE ${CMAKE_CURRENT_BINARY_DIR})
endfunction()
