#pragma once

// Copies between kernel and user memory. A bad user address — outside the user half, unmapped,
// or not writable for a copy out — gives BadAddress, never a kernel fault.

#include <base/result.h>

namespace arch {

base::ErrorOr<void> copy_from_user(void* destination, u64 user_source, usize count);
base::ErrorOr<void> copy_to_user(u64 user_destination, const void* source, usize count);
// copy_to_user into another address space (its page tables' root), with interrupts off: the IPC
// fast path's copy straight into a blocked receiver's buffer.
base::ErrorOr<void> copy_to_address_space(u64 page_table_root, u64 user_destination, const void* source, usize count);

// Whether [address, address + count) lies inside the user half without wrapping.
bool is_user_range(u64 address, usize count);

}  // namespace arch
