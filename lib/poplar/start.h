#pragma once

// A user program's entry point. The runtime's _start aligns the stack, runs global constructors,
// calls main with the StartInfo the kernel placed on the stack, and exits with main's status.

#include <poplar/abi/syscalls.h>

int main(const poplar::abi::StartInfo& start_info);
