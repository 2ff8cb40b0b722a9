// Reads the Multiboot (v1) information structure into boot::BootInfo.

#include <arch/x86_64/multiboot.h>
#include <boot/boot_info.h>
#include <boot/module_name.h>
#include <debug/panic.h>
#include <mm/physical_memory.h>

namespace boot {
BootInfo& mutable_boot_info();
}

namespace x86_64 {
namespace {

constexpr u32 loader_magic = 0x2badb002;

struct [[gnu::packed]] MultibootInfo {
    u32 flags;
    u32 memory_lower, memory_upper;
    u32 boot_device;
    u32 command_line;
    u32 module_count, module_address;
    u32 symbols[4];
    u32 memory_map_length, memory_map_address;
};

struct [[gnu::packed]] MultibootModule {
    u32 start, end;
    u32 string;
    u32 reserved;
};

struct [[gnu::packed]] MultibootMemoryEntry {
    u32 size;  // of the rest of this entry
    u64 base;
    u64 length;
    u32 type;  // 1 = available
};

namespace flag {
constexpr u32 command_line = 1 << 2;
constexpr u32 modules = 1 << 3;
constexpr u32 memory_map = 1 << 6;
}  // namespace flag

template <typename T>
const T* at_physical(u64 address) {
    return static_cast<const T*>(mm::physical_to_virtual(address));
}

void copy_string(char* destination, usize capacity, u64 physical) {
    const char* source = at_physical<char>(physical);
    usize i = 0;
    for (; i + 1 < capacity && source[i]; ++i) destination[i] = source[i];
    destination[i] = '\0';
}

void add_reserved(boot::BootInfo& info, u64 base, u64 length) {
    if (info.reserved_count < boot::BootInfo::max_ranges) info.reserved[info.reserved_count++] = {base, length};
}

void copy_module_name(char* destination, usize capacity, u64 physical) {
    char string[256];
    copy_string(string, sizeof(string), physical);
    base::StringView name = boot::module_name_from_string(string);
    usize i = 0;
    for (; i + 1 < capacity && i < name.length(); ++i) destination[i] = name[i];
    destination[i] = '\0';
}

}  // namespace

void read_multiboot_info(u32 magic, u64 info_physical) {
    if (magic != loader_magic) panic("not booted by a Multiboot loader (magic {:#x})", magic);
    boot::BootInfo& info = boot::mutable_boot_info();
    const auto* multiboot = at_physical<MultibootInfo>(info_physical);
    add_reserved(info, base::align_down(info_physical, 4096), 4096);

    if (multiboot->flags & flag::command_line)
        copy_string(info.command_line, sizeof(info.command_line), multiboot->command_line);

    if (!(multiboot->flags & flag::memory_map)) panic("the boot loader gave no memory map");
    add_reserved(info, multiboot->memory_map_address, multiboot->memory_map_length);
    u64 offset = 0;
    while (offset + sizeof(MultibootMemoryEntry) <= multiboot->memory_map_length) {
        const auto* entry = at_physical<MultibootMemoryEntry>(multiboot->memory_map_address + offset);
        if (entry->type == 1 && info.usable_count < boot::BootInfo::max_ranges)
            info.usable[info.usable_count++] = {entry->base, entry->length};
        offset += entry->size + sizeof(entry->size);
    }

    if (multiboot->flags & flag::modules) {
        const auto* modules = at_physical<MultibootModule>(multiboot->module_address);
        add_reserved(info, multiboot->module_address, multiboot->module_count * sizeof(MultibootModule));
        for (u32 i = 0; i < multiboot->module_count && info.module_count < boot::BootInfo::max_modules; ++i) {
            boot::Module& module = info.modules[info.module_count++];
            copy_module_name(module.name, sizeof(module.name), modules[i].string);
            module.physical_start = modules[i].start;
            module.size = modules[i].end - modules[i].start;
            add_reserved(info, modules[i].start, module.size);
        }
    }
}

}  // namespace x86_64
