// Where every interrupt and exception lands (from trap_entry.S).

#include <arch/arch.h>
#include <arch/x86_64/apic.h>
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/idt.h>
#include <arch/x86_64/serial.h>
#include <arch/x86_64/trap_frame.h>
#include <console/console_input.h>
#include <debug/log.h>
#include <debug/panic.h>
#include <debug/symbols.h>
#include <mm/heap.h>
#include <object/task.h>
#include <sched/scheduler.h>
#include <services/log_service.h>
#include <services/lookup.h>
#include <services/supervision.h>
#include <time/clock.h>

extern "C" char user_copy_begin[], user_copy_end[], user_copy_fault[];

namespace x86_64 {
namespace {

const char* const exception_names[32] = {"divide error",
                                         "debug",
                                         "non-maskable interrupt",
                                         "breakpoint",
                                         "overflow",
                                         "bound range exceeded",
                                         "invalid opcode",
                                         "device not available",
                                         "double fault",
                                         "coprocessor segment overrun",
                                         "invalid TSS",
                                         "segment not present",
                                         "stack-segment fault",
                                         "general protection fault",
                                         "page fault",
                                         "reserved",
                                         "x87 floating-point error",
                                         "alignment check",
                                         "machine check",
                                         "SIMD floating-point error",
                                         "virtualization exception",
                                         "control protection",
                                         "reserved",
                                         "reserved",
                                         "reserved",
                                         "reserved",
                                         "reserved",
                                         "reserved",
                                         "hypervisor injection",
                                         "VMM communication",
                                         "security exception",
                                         "reserved"};

class RawSink final : public base::FormatSink {
public:
    void write(base::StringView text) override { log::write_raw(text); }
};

void describe_page_fault(base::FormatSink& sink, u64 error_code) {
    base::format(sink, "page fault at address {:#018x}: {} {} in {} mode{}\n", read_cr2(),
                 error_code & 1 ? "protection violation on" : "no page for",
                 error_code & 16 ? "instruction fetch" : (error_code & 2 ? "write" : "read"),
                 error_code & 4 ? "user" : "kernel", error_code & 8 ? " (reserved bit set)" : "");
}

// Running off the bottom of a kernel stack faults on its guard page; pushing that page fault's
// frame on the same stack faults again, so it arrives as a double fault (on its own stack).
void describe_stack_overflow(base::FormatSink& sink, const TrapFrame& frame) {
    Thread* thread = sched::current_thread_if_started();
    if (!thread) return;
    u64 bottom = thread->kernel_stack().bottom;
    bool faulted_on_guard = (frame.vector == vector::double_fault || frame.vector == vector::page_fault) &&
                            mm::is_stack_guard(read_cr2(), bottom);
    if (faulted_on_guard || mm::is_stack_guard(frame.rsp, bottom))
        base::format(sink, "kernel stack overflow in thread {}\n", thread->name());
}

[[noreturn]] void report_fatal_exception(const TrapFrame& frame) {
    arch::disable_interrupts();
    RawSink sink;
    base::format(sink, "\nKERNEL PANIC: CPU exception {} ({}), error code {:#x}\n", frame.vector,
                 exception_names[frame.vector], frame.error_code);
    if (frame.vector == vector::page_fault) describe_page_fault(sink, frame.error_code);
    describe_stack_overflow(sink, frame);
    base::format(sink, "rip {:#018x} cs {:#x} rflags {:#x} rsp {:#018x} ss {:#x}\n", frame.rip, frame.cs, frame.rflags,
                 frame.rsp, frame.ss);
    base::format(sink, "rax {:#018x} rbx {:#018x} rcx {:#018x} rdx {:#018x}\n", frame.rax, frame.rbx, frame.rcx,
                 frame.rdx);
    base::format(sink, "rsi {:#018x} rdi {:#018x} rbp {:#018x} r8  {:#018x}\n", frame.rsi, frame.rdi, frame.rbp,
                 frame.r8);
    base::format(sink, "r9  {:#018x} r10 {:#018x} r11 {:#018x} r12 {:#018x}\n", frame.r9, frame.r10, frame.r11,
                 frame.r12);
    base::format(sink, "r13 {:#018x} r14 {:#018x} r15 {:#018x} cr3 {:#018x}\n", frame.r13, frame.r14, frame.r15,
                 read_cr3());
    base::format(sink, "faulting instruction:\n");
    debug::print_address(sink, frame.rip);
    debug::print_backtrace(frame.rbp);
    arch::shut_down(false);
}

// A fault inside a user copy resumes at its fix-up, which reports BadAddress.
bool fix_up_user_copy(TrapFrame& frame) {
    if (frame.vector != vector::page_fault || frame.from_user()) return false;
    if (frame.rip < reinterpret_cast<u64>(user_copy_begin) || frame.rip >= reinterpret_cast<u64>(user_copy_end))
        return false;
    frame.rip = reinterpret_cast<u64>(user_copy_fault);
    return true;
}

// A task's fault ends that task alone.
// Through kernel.log, as a record about the task (the plain log should it not be there).
void report_fault(const Task& task, const TrapFrame& frame) {
    char buffer[200];
    base::StringView text =
        frame.vector == vector::page_fault
            ? base::format_to(buffer, sizeof(buffer), "{} at {:#x} (address {:#x}, error {:#x}); killed",
                              exception_names[frame.vector], frame.rip, read_cr2(), frame.error_code)
            : base::format_to(buffer, sizeof(buffer), "{} at {:#x} (error {:#x}); killed",
                              exception_names[frame.vector], frame.rip, frame.error_code);
    auto log = services::lookup<services::LogService>("kernel.log");
    if (log.is_ok())
        log.value()->record_text(log::Level::Warning, "trap", {task.id(), task.name()}, text);
    else
        log::warning("task {}: {}", task.name(), text);
}

[[noreturn]] void kill_faulting_task(const TrapFrame& frame) {
    Task& task = *sched::current_thread().task();
    report_fault(task, frame);
    i64 status = -1000 - static_cast<i64>(frame.vector);
    // Only the fault that ends the task is supervised (not a second thread's, nor one in a task
    // being killed anyway). Its spawner link holds until this thread, still in it, has gone.
    if (task.kill(status))
        services::supervise_fault(
            task, {static_cast<u8>(frame.vector), frame.error_code, frame.vector == vector::page_fault ? read_cr2() : 0,
                   frame.rip, frame.rsp, status});
    sched::exit_current();
}

u32 interrupt_depth = 0;

void handle_interrupt(TrapFrame& frame) {
    ++interrupt_depth;
    switch (frame.vector) {
        case vector::timer:
            time::handle_timer_interrupt();
            apic_end_of_interrupt();
            break;
        case vector::serial: {
            // Drained until empty: the line is edge-triggered, and a byte left behind would keep
            // it high with no new edge. Bounded, so that a babbling line cannot hold the CPU.
            u8 bytes[16];
            for (int round = 0; round < 64; ++round) {
                usize count = serial::read_received(bytes, sizeof(bytes));
                if (count == 0) break;
                console::receive(base::ReadonlyBytes(bytes, count));
            }
            apic_end_of_interrupt();
            break;
        }
        case vector::spurious:
            --interrupt_depth;
            return;
        default:
            log::warning("unexpected interrupt vector {}", frame.vector);
            apic_end_of_interrupt();
            break;
    }
    --interrupt_depth;
    // Preempt only where interrupts were on: never inside a critical section.
    if (frame.from_user() || (frame.rflags & rflags::interrupt_enable)) sched::preempt_if_needed();
}

}  // namespace

extern "C" void trap_dispatch(TrapFrame* frame) {
    if (frame->from_user()) sched::enter_kernel_from_user();
    if (frame->vector < 32) {
        if (fix_up_user_copy(*frame)) return;
        if (frame->from_user()) kill_faulting_task(*frame);
        report_fatal_exception(*frame);
    }
    handle_interrupt(*frame);
    if (frame->from_user()) sched::leave_kernel_to_user();
}

}  // namespace x86_64

bool arch::in_interrupt_handler() { return x86_64::interrupt_depth > 0; }
