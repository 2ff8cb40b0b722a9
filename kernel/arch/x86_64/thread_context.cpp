#include <arch/thread_context.h>
#include <arch/x86_64/gdt.h>
#include <arch/x86_64/per_cpu.h>
#include <arch/x86_64/rflags.h>
#include <arch/x86_64/trap_frame.h>
#include <base/assert.h>

extern "C" void switch_context(u64* save_stack_pointer, u64 load_stack_pointer);
extern "C" char thread_trampoline[];

namespace arch {
namespace {

// What switch_context (syscall_entry.S) keeps on a switched-out thread's stack.
struct SwitchFrame {
    u64 rflags;
    u64 r15, r14, r13, r12, rbx, rbp;
    u64 return_address;
};

// The initial FPU state: all exceptions masked (FCW 0x37f, MXCSR 0x1f80).
void initialize_fpu_state(u8* area) {
    for (usize i = 0; i < 512; ++i) area[i] = 0;
    area[0] = 0x7f;
    area[1] = 0x03;
    u32 mxcsr = 0x1f80;
    __builtin_memcpy(area + 24, &mxcsr, sizeof(mxcsr));
}

u64 place_frames(u64 kernel_stack_top, const x86_64::TrapFrame& trap_frame, void (*function)(void*), void* argument) {
    auto* trap = reinterpret_cast<x86_64::TrapFrame*>(kernel_stack_top - sizeof(x86_64::TrapFrame));
    *trap = trap_frame;
    auto* frame = reinterpret_cast<SwitchFrame*>(reinterpret_cast<u64>(trap) - sizeof(SwitchFrame));
    *frame = SwitchFrame{};
    frame->rflags = x86_64::rflags::new_thread;
    frame->r12 = reinterpret_cast<u64>(function);
    frame->r13 = reinterpret_cast<u64>(argument);
    frame->return_address = reinterpret_cast<u64>(thread_trampoline);
    return reinterpret_cast<u64>(frame);
}

}  // namespace

void prepare_user_thread(ThreadContext& context, u64 kernel_stack_top, u64 entry, u64 user_stack, u64 start_argument,
                         void (*first_run)(void*), void* argument) {
    ASSERT(kernel_stack_top % 16 == 0);
    x86_64::TrapFrame trap{};
    trap.rip = entry;
    trap.cs = x86_64::selector::user_code;
    trap.rflags = x86_64::rflags::new_user_thread;
    trap.rsp = user_stack;
    trap.ss = x86_64::selector::user_data;
    trap.rdi = start_argument;
    context.kernel_stack_top = kernel_stack_top;
    context.saved_stack_pointer = place_frames(kernel_stack_top, trap, first_run, argument);
    initialize_fpu_state(context.fpu_state);
}

void prepare_kernel_thread(ThreadContext& context, u64 kernel_stack_top, void (*function)(void*), void* argument) {
    ASSERT(kernel_stack_top % 16 == 0);
    context.kernel_stack_top = kernel_stack_top;
    context.saved_stack_pointer = place_frames(kernel_stack_top, x86_64::TrapFrame{}, function, argument);
    initialize_fpu_state(context.fpu_state);
}

void switch_threads(ThreadContext& from, ThreadContext& to) {
    asm volatile("fxsave64 %0" : "=m"(from.fpu_state));
    x86_64::set_kernel_stack(to.kernel_stack_top);
    x86_64::this_cpu().kernel_stack_top = to.kernel_stack_top;
    asm volatile("fxrstor64 %0" : : "m"(to.fpu_state));
    switch_context(&from.saved_stack_pointer, to.saved_stack_pointer);
}

}  // namespace arch
