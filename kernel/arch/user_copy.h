#pragma once

// Copies between kernel and user memory. A bad user address — outside the user half, unmapped,
// or not writable for a copy out — gives BadAddress, never a kernel fault.

#include <base/result.h>

namespace arch {

base::ErrorOr<void> copy_from_user(void* destination, u64 user_source, usize count);
base::ErrorOr<void> copy_to_user(u64 user_destination, const void* source, usize count);

// Whether [address, address + count) lies inside the user half without wrapping.
bool is_user_range(u64 address, usize count);

}  // namespace arch
