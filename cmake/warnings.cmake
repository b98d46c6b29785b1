# Warning flags and sanitizers, applied to vigil's own targets through vigil::build_flags.

add_library(vigil_build_flags INTERFACE)
target_compile_options(vigil_build_flags INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
    -Wunused -Woverloaded-virtual -Wconversion -Wsign-conversion
    -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough
    # GCC 12 reports false -Wrestrict errors inside std::string concatenation at -O2 and above
    # (GCC bug 105651, fixed in GCC 13).
    -Wno-restrict)
if(VIGIL_WERROR)
    target_compile_options(vigil_build_flags INTERFACE -Werror)
endif()
if(VIGIL_SANITIZE)
    string(REPLACE ";" "," _vigil_sanitizers "${VIGIL_SANITIZE}")
    target_compile_options(vigil_build_flags INTERFACE
        -fsanitize=${_vigil_sanitizers} -fno-omit-frame-pointer)
    target_link_options(vigil_build_flags INTERFACE -fsanitize=${_vigil_sanitizers})
endif()
add_library(vigil::build_flags ALIAS vigil_build_flags)
