// User copies run `rep movsb` at a known address range; a page fault there resumes at a fix-up
// that returns failure (see trap.cpp). SMAP stays on except across the copy itself.

#include <arch/arch.h>
#include <arch/paging.h>
#include <arch/user_copy.h>
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/per_cpu.h>
#include <poplar/abi/syscalls.h>

extern "C" u64 copy_user_bytes(void* destination, const void* source, u64 count);

namespace arch {
namespace {

class UserAccessWindow {
public:
    UserAccessWindow() {
        if (x86_64::smap_enabled()) asm volatile("stac" ::: "memory");
    }
    ~UserAccessWindow() {
        if (x86_64::smap_enabled()) asm volatile("clac" ::: "memory");
    }
};

}  // namespace

bool is_user_range(u64 address, usize count) {
    u64 end;
    if (!base::checked_add<u64>(address, count, end)) return false;
    return address >= poplar::abi::user_space_start && end <= poplar::abi::user_space_end;
}

base::ErrorOr<void> copy_from_user(void* destination, u64 user_source, usize count) {
    if (count == 0) return {};
    if (!is_user_range(user_source, count)) return base::Error::BadAddress;
    UserAccessWindow window;
    if (copy_user_bytes(destination, reinterpret_cast<const void*>(user_source), count)) return base::Error::BadAddress;
    return {};
}

base::ErrorOr<void> copy_to_user(u64 user_destination, const void* source, usize count) {
    if (count == 0) return {};
    if (!is_user_range(user_destination, count)) return base::Error::BadAddress;
    UserAccessWindow window;
    if (copy_user_bytes(reinterpret_cast<void*>(user_destination), source, count)) return base::Error::BadAddress;
    return {};
}

base::ErrorOr<void> copy_to_address_space(u64 page_table_root, u64 user_destination, const void* source, usize count) {
    u64 own_root = x86_64::read_cr3();
    switch_page_tables(page_table_root);
    auto copied = copy_to_user(user_destination, source, count);
    switch_page_tables(own_root);
    return copied;
}

}  // namespace arch
