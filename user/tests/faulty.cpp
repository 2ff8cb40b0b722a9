// Ends badly on purpose, for supervision (docs/services.md). Built three times:
//   faulty         writes to address 0 (a page fault) on its first run only, and exits 0 once a
//                  supervisor had it restarted (StartInfo::restarts)
//   faulty_always  faults on every run (a crash loop)
//   failing        exits with status 3 on its first run (an abnormal exit, no fault), 0 after

#include <base/string_view.h>
#include <poplar/print.h>
#include <poplar/start.h>

int main(const poplar::abi::StartInfo& start_info) {
    base::StringView name(start_info.name);
    bool first_run = start_info.restarts == 0;
    if (name == "failing") {
        poplar::println("failing: run {} ({})", start_info.restarts + 1, first_run ? "exiting 3" : "exiting 0");
        return first_run ? 3 : 0;
    }
    bool fault = name == "faulty_always" || first_run;
    poplar::println("{}: run {} ({}); arguments \"{}\"", name, start_info.restarts + 1,
                    fault ? "faulting" : "exiting 0", start_info.arguments);
    if (fault) *reinterpret_cast<volatile u64*>(u64(0)) = 1;
    return 0;
}
