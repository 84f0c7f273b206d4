# Writes the kernel files named in INPUTS into OUTPUT as C++ raw strings:
#   static const char *const kKernelLibrary[] = {R"dlc(...)dlc", ...};
set(text "// Generated from lib/Target/ARM/Kernels by EmbedKernels.cmake.\n")
string(APPEND text "static const char *const kKernelLibrary[] = {\n")
foreach(input ${INPUTS})
  file(READ ${input} content)
  string(APPEND text "R\"dlc(${content})dlc\",\n")
endforeach()
string(APPEND text "};\n")
file(WRITE ${OUTPUT} "${text}")
