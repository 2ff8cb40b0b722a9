#pragma once

// What the boot loader handed us, copied into kernel memory before anything else runs, in a
// form that does not depend on the boot protocol.

#include <base/span.h>
#include <base/string_view.h>

namespace boot {

struct MemoryRange {
    u64 base;
    u64 length;
    u64 end() const { return base + length; }
};

struct Module {
    char name[64];
    u64 physical_start;
    u64 size;
    base::StringView name_view() const { return base::StringView(name); }
};

struct BootInfo {
    static constexpr usize max_ranges = 64;
    static constexpr usize max_modules = 32;

    char command_line[256];
    MemoryRange usable[max_ranges];
    usize usable_count;
    MemoryRange reserved[max_ranges];  // the image, modules and loader data inside usable memory
    usize reserved_count;
    Module modules[max_modules];
    usize module_count;

    base::Span<const Module> module_list() const { return {modules, module_count}; }
};

const BootInfo& boot_info();

// The value of `key=value` on the kernel command line, or an empty view.
base::StringView command_line_option(base::StringView key);

// A module's bytes, read through the direct map.
base::ReadonlyBytes module_contents(const Module& module);

const Module* find_module(base::StringView name);

}  // namespace boot
