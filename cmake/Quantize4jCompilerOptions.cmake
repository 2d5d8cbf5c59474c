# Compiler settings shared by Quantize4J's native targets.
#
# The calibration kernels must reproduce MXNet/numpy float32 results bit for bit, so floating point
# must stay IEEE: no -ffast-math, no fused multiply-add contraction, no excess precision.

if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
    set(CMAKE_BUILD_TYPE Release CACHE STRING "Build type" FORCE)
endif()

set(CMAKE_CXX_STANDARD 17)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(CMAKE_CXX_EXTENSIONS OFF)
set(CMAKE_POSITION_INDEPENDENT_CODE ON)

# quantize4j_strict_fp(<target>): warnings on, IEEE-exact float arithmetic.
function(quantize4j_strict_fp target)
    if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
        target_compile_options(${target} PRIVATE -Wall -Wextra -ffp-contract=off -fno-fast-math)
        if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64|i.86")
            target_compile_options(${target} PRIVATE -mfpmath=sse -msse2)
        endif()
    endif()
endfunction()
