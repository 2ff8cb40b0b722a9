#pragma once

// The fuzzer's families of hostile input, each switchable on its own (a bitmask), so that a
// crash can be pinned to one family and replayed with its seed.

#include <base/string_view.h>
#include <base/types.h>

namespace fuzz {

namespace family {
constexpr u32 random = 1 << 0;        // any call number with any arguments
constexpr u32 handles = 1 << 1;       // stale, forged, high-bit and generation-bumped handle values
constexpr u32 pointers = 1 << 2;      // kernel, unmapped, read-only and page-straddling pointers
constexpr u32 sizes = 1 << 3;         // 0, 1, limit, limit + 1, ~0
constexpr u32 rflags = 1 << 4;        // random RFLAGS (NT, AC, DF...) set with popfq before syscall
constexpr u32 cycles = 1 << 5;        // channel ends queued in their own queue, or in each other's
constexpr u32 chains = 1 << 6;        // long chains of ends each queued in the previous one
constexpr u32 races = 1 << 7;         // tasks sharing channels: send, receive, close, call at once
constexpr u32 tasks = 1 << 8;         // spawn, kill and exit storms; faulting children
constexpr u32 generations = 1 << 9;   // one handle slot reused until its generation would wrap
constexpr u32 kernel_work = 1 << 10;  // debug_kernel_work submitted and cancelled in a tight loop
constexpr u32 count = 11;
constexpr u32 all = (1u << count) - 1;
}  // namespace family

// Parses "all", "random+races", "all-rflags-chains" or a number ("0x7ff"); false if malformed.
bool parse_families(base::StringView text, u32& families);

// Writes the names of the families in `families`, joined by '+', into `buffer`.
base::StringView describe_families(u32 families, char* buffer, usize capacity);

}  // namespace fuzz
