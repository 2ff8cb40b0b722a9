#pragma once

// The kernel's own symbol table, linked into the image by a second link pass (see
// kernel/CMakeLists.txt), so backtraces name their functions without any help from outside.

#include <base/format.h>

namespace debug {

struct SymbolLookup {
    base::StringView name;
    u64 offset;
};

// The function containing `address`, if it is known.
bool find_symbol(u64 address, SymbolLookup& result);

// Prints "  0xADDRESS  name+0xOFFSET" (or just the address).
void print_address(base::FormatSink& sink, u64 address);

}  // namespace debug
