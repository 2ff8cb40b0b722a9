#pragma once

// Loading ELF64 executables from boot modules into a new address space. The file is untrusted:
// every header, offset and size is checked before use, and a bad file gives InvalidArgument.

#include <base/result.h>
#include <base/span.h>

class AddressSpace;

namespace loader {

// Maps the file's loadable segments and returns its entry point.
base::ErrorOr<u64> load_elf(AddressSpace& space, base::ReadonlyBytes file);

}  // namespace loader
