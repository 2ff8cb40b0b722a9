#include <arch/arch.h>
#include <arch/paging.h>
#include <arch/timer.h>
#include <boot/boot_info.h>
#include <debug/log.h>
#include <debug/panic.h>
#include <loader/spawn.h>
#include <main.h>
#include <mm/heap.h>
#include <mm/physical_memory.h>
#include <object/service_scope.h>
#include <sched/scheduler.h>
#include <sched/wait.h>
#include <sched/work_queue.h>
#include <services/kernel_services.h>
#include <services/log_service.h>
#include <services/lookup.h>
#include <services/time_service.h>
#include <test/scenarios.h>

namespace {

void apply_log_level() {
    base::StringView level = boot::command_line_option("log");
    if (level == "debug") log::set_minimum_level(log::Level::Debug);
    if (level == "warning") log::set_minimum_level(log::Level::Warning);
}

// What init's root scope allows: registering, narrowing, handing on.
constexpr u32 root_service_scope_rights =
    poplar::abi::rights::duplicate | poplar::abi::rights::transfer | poplar::abi::rights::write;

// The first user task. When it ends, the run ends, with its status.
void watch_init(void* task_pointer) {
    auto* task = static_cast<Task*>(task_pointer);
    sched::WaitSource ended{task, poplar::abi::signals::terminated};
    while (sched::wait_for_any(base::Span<sched::WaitSource>(&ended, 1), poplar::abi::deadline_infinite).is_error()) {
    }
    // Through the kernel's services: the log, and the clock for how long the run took.
    auto time = MUST(services::lookup<services::TimeService>("kernel.time"));
    auto log = MUST(services::lookup<services::LogService>("kernel.log"));
    log->record(log::Level::Info, "init watcher", services::LogService::kernel,
                "init exited with status {} after {} ms; shutting down", task->exit_status(), time->now() / 1'000'000);
    arch::shut_down(task->exit_status() == 0);
}

void start_init() {
    base::StringView name = boot::command_line_option("init");
    if (name.is_empty()) name = "init";
    if (!boot::find_module(name)) {
        log::info("kernel: no init module \"{}\"; nothing more to run", name);
        arch::shut_down(true);
    }
    auto prepared = loader::prepare(name, 1);
    if (prepared.is_error()) panic("cannot start init: {}", base::error_name(prepared.error()));
    prepared.value().task->set_root_weight_limit();
    // Its one start handle: the root of the service name space (object/service_scope.h).
    auto root_scope = ServiceScope::create_root(ServiceRegistry::max_services);
    if (root_scope.is_error()) panic("cannot start init: {}", base::error_name(root_scope.error()));
    Handle scope(base::move(root_scope.value()), root_service_scope_rights);
    auto task =
        loader::start(base::move(prepared.value()), base::Span<Handle>(&scope, 1), boot::command_line_option("run"));
    auto watcher = MUST(Thread::create_kernel("init-watcher", watch_init, task.leak(), sched::kernel_group()));
    sched::make_runnable(*watcher.leak());
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
    services::register_kernel_services();
    arch::start_console_input();
    log::info("kernel: start-up complete");

    base::StringView scenario = boot::command_line_option("test");
    if (!scenario.is_empty()) {
        test::run_scenario(scenario);
        log::error("kernel: unknown test scenario \"{}\"", scenario);
        arch::shut_down(false);
    }

    for (const boot::Module& module : boot::boot_info().module_list())
        log::info("boot module {} ({} bytes)", module.name, module.size);
    sched::initialize();
    start_init();
    sched::start();
}
