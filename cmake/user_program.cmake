# add_user_program(NAME SOURCES...): a static ELF64 user program, written to
# ${USER_PROGRAM_DIR}/NAME with no extension: the kernel names boot modules by file name, and
# task_spawn takes that name. The CMake target is user_NAME; `user_programs` builds them all.

set(USER_PROGRAM_DIR ${CMAKE_BINARY_DIR}/user CACHE INTERNAL "Where the user programs are written")

set(USER_LINK_OPTIONS -nostdlib -static -fuse-ld=lld -Wl,-T,${USER_LINKER_SCRIPT}
    -Wl,-z,max-page-size=4096 -Wl,-z,norelro -Wl,-z,noexecstack -Wl,--no-dynamic-linker
    -Wl,--build-id=none -Wl,--undefined=_start)

if(NOT TARGET user_programs)
    add_custom_target(user_programs ALL)
endif()

function(add_user_program name)
    set(target user_${name})
    add_executable(${target} ${ARGN})
    target_link_libraries(${target} PRIVATE poplar_user base_user)
    if(TARGET ptah_user)
        target_link_libraries(${target} PRIVATE ptah_user)
    endif()
    target_link_options(${target} PRIVATE ${USER_LINK_OPTIONS})
    set_target_properties(${target} PROPERTIES
        OUTPUT_NAME ${name}
        SUFFIX ""
        RUNTIME_OUTPUT_DIRECTORY ${USER_PROGRAM_DIR}
        LINK_DEPENDS ${USER_LINKER_SCRIPT})
    add_dependencies(user_programs ${target})
    set_property(GLOBAL APPEND PROPERTY USER_PROGRAMS ${name})
    set(USER_PROGRAM_${name} ${USER_PROGRAM_DIR}/${name} CACHE INTERNAL "")
endfunction()
