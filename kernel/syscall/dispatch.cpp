// The system-call table and the one place where results become the ABI's registers.

#include <arch/syscall.h>
#include <syscall/syscall.h>

namespace {

constexpr auto make_table() {
    struct Table {
        SyscallHandler handlers[syscall_table_size] = {};
    } table;
#define SET_SYSCALL_HANDLER(name, number, ...) table.handlers[number] = sys_##name;
    POPLAR_SYSCALLS(SET_SYSCALL_HANDLER)
#undef SET_SYSCALL_HANDLER
    return table;
}

constexpr auto table = make_table();

}  // namespace

void handle_syscall(u64 number, SyscallArguments& arguments, u64& status, u64& value) {
    SyscallHandler handler = number < syscall_table_size ? table.handlers[number] : nullptr;
    if (!handler) {
        status = static_cast<u64>(base::Error::NotSupported);
        value = 0;
        return;
    }
    SyscallResult result = handler(arguments);
    if (result.is_ok()) {
        status = 0;
        value = result.value();
    } else {
        status = static_cast<u64>(result.error());
        value = arguments.error_detail;
    }
}
