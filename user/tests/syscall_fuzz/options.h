#pragma once

// The coordinator's options, from the argument init passes it (`run=syscall_fuzz:ARGUMENT`):
// words separated by ':'.
//
//   soak             10 million calls, with progress lines (instead of the suite's short run)
//   seed=N           the seed every worker's seed derives from (decimal or 0x...)
//   families=SPEC    "all" (the default), "random+races", "all-rflags-chains", or a number
//   workers=N        how many workers fuzz at once (1-8)
//   calls=N          how many calls they make in all

#include <base/string_view.h>
#include <base/types.h>

namespace fuzz {

struct Options {
    static constexpr u32 max_workers = 8;
    static constexpr u64 suite_calls = 1'000'000;
    static constexpr u64 soak_calls = 10'000'000;

    u64 seed = 0x5eed;
    u32 families = 0;
    u32 workers = 4;
    u64 calls = suite_calls;
    bool soak = false;
};

// False (with `error` naming the bad word) if the text is malformed.
bool parse_options(base::StringView text, Options& options, base::StringView& error);

}  // namespace fuzz
