# The three environments code is built for. Each is an INTERFACE target carrying its flags;
# a library shared between environments is built once per environment (name_kernel, name_user,
# name_host).

find_program(LD_LLD ld.lld REQUIRED)

# Freestanding code: no hosted library, no exceptions, no RTTI.
set(FREESTANDING_FLAGS
    -ffreestanding -fno-exceptions -fno-rtti -fno-stack-protector -fno-pic -fno-pie
    -fno-asynchronous-unwind-tables -fno-threadsafe-statics -fno-omit-frame-pointer
    -nostdlib)

add_library(env_kernel INTERFACE)
# The kernel is optimised across files (ThinLTO): the system-call and IPC paths cross many small
# functions in separate files, and inlining them matters for their cost. Functions with frames
# larger than a page probe each page as they grow the stack, so that an overflow cannot step over
# the guard page below a kernel stack (mm::allocate_stack).
target_compile_options(env_kernel INTERFACE ${FREESTANDING_FLAGS} -flto=thin
    -mcmodel=kernel -mno-red-zone -mno-mmx -mno-sse -mno-sse2 -mno-80387 -fstack-clash-protection
    -DPOPLAR_KERNEL=1)
target_include_directories(env_kernel INTERFACE ${CMAKE_SOURCE_DIR}/lib)

add_library(env_user INTERFACE)
target_compile_options(env_user INTERFACE ${FREESTANDING_FLAGS} -DPOPLAR_USER=1)
target_include_directories(env_user INTERFACE ${CMAKE_SOURCE_DIR}/lib)

add_library(env_host INTERFACE)
target_compile_options(env_host INTERFACE -DPOPLAR_HOST=1)
target_include_directories(env_host INTERFACE ${CMAKE_SOURCE_DIR}/lib)

# add_shared_library(NAME SOURCES...): builds NAME_kernel, NAME_user and NAME_host static libraries.
function(add_shared_library name)
    foreach(env kernel user host)
        add_library(${name}_${env} STATIC ${ARGN})
        target_link_libraries(${name}_${env} PUBLIC env_${env})
    endforeach()
endfunction()
