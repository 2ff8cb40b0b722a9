#pragma once

// The portable system-call handler the arch entry calls with the decoded registers.

#include <base/types.h>

struct SyscallArguments;

void handle_syscall(u64 number, SyscallArguments& arguments, u64& status, u64& value);
