// Faults on purpose, for supervision (docs/services.md): a write to address 0, a page fault.
// Built twice: `faulty` faults on its first run only and exits 0 once a supervisor had it
// restarted (StartInfo::restarts); `faulty_always` faults on every run (a crash loop).

#include <base/string_view.h>
#include <poplar/print.h>
#include <poplar/start.h>

int main(const poplar::abi::StartInfo& start_info) {
    base::StringView name(start_info.name);
    bool fault = name == "faulty_always" || start_info.restarts == 0;
    poplar::println("{}: run {} ({}); arguments \"{}\"", name, start_info.restarts + 1,
                    fault ? "faulting" : "exiting 0", start_info.arguments);
    if (fault) *reinterpret_cast<volatile u64*>(u64(0)) = 1;
    return 0;
}
