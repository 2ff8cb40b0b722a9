#include <boot/boot_info.h>
#include <mm/physical_memory.h>

namespace boot {

BootInfo& mutable_boot_info() {
    static BootInfo info;
    return info;
}

const BootInfo& boot_info() { return mutable_boot_info(); }

base::StringView command_line_option(base::StringView key) {
    base::StringView line(boot_info().command_line);
    usize position = 0;
    while (position < line.length()) {
        usize end = position;
        while (end < line.length() && line[end] != ' ') ++end;
        base::StringView word = line.substring(position, end - position);
        usize equals = word.find('=');
        if (equals < word.length() && word.substring(0, equals) == key) return word.substring(equals + 1);
        position = end + 1;
    }
    return {};
}

base::ReadonlyBytes module_contents(const Module& module) {
    return {static_cast<const u8*>(mm::physical_to_virtual(module.physical_start)), module.size};
}

const Module* find_module(base::StringView name) {
    for (const Module& module : boot_info().module_list())
        if (module.name_view() == name) return &module;
    return nullptr;
}

}  // namespace boot
