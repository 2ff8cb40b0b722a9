#include <arch/arch.h>
#include <arch/paging.h>
#include <arch/timer.h>
#include <boot/boot_info.h>
#include <debug/log.h>
#include <main.h>
#include <mm/heap.h>
#include <mm/physical_memory.h>
#include <test/scenarios.h>

namespace {

void apply_log_level() {
    base::StringView level = boot::command_line_option("log");
    if (level == "debug") log::set_minimum_level(log::Level::Debug);
    if (level == "warning") log::set_minimum_level(log::Level::Warning);
}

void print_banner() {
    log::info("poplar kernel 0.1 (x86_64, C++20) booting");
    log::info("command line: \"{}\"", boot::boot_info().command_line);
}

}  // namespace

void kernel_main() {
    apply_log_level();
    print_banner();
    mm::initialize_physical_memory();
    arch::initialize_kernel_page_tables();
    mm::initialize_heap();
    arch::initialize_timer();
    arch::enable_interrupts();
    log::info("kernel: start-up complete");

    base::StringView scenario = boot::command_line_option("test");
    if (!scenario.is_empty()) {
        test::run_scenario(scenario);
        log::error("kernel: unknown test scenario \"{}\"", scenario);
        arch::shut_down(false);
    }

    for (const boot::Module& module : boot::boot_info().module_list())
        log::info("boot module {} ({} bytes)", module.name, module.size);
    log::info("kernel: nothing more to run; shutting down");
    arch::shut_down(true);
}
