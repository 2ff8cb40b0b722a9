// init: the first task. Runs the programs named by the kernel command line's run= value
// (comma-separated boot module names), one after the other, and exits 0 only if all exited 0.

#include <base/string_view.h>
#include <poplar/print.h>
#include <poplar/start.h>
#include <poplar/task.h>

using base::StringView;

namespace {

// The argument text, bounded by its buffer even if the kernel forgot the terminator.
StringView arguments_of(const poplar::abi::StartInfo& start_info) {
    usize length = 0;
    while (length < poplar::abi::StartInfo::max_arguments && start_info.arguments[length]) ++length;
    return StringView(start_info.arguments, length);
}

// Runs one program; true if it exited with status 0.
bool run(StringView name) {
    auto task = poplar::Task::spawn(name);
    if (task.is_error()) {
        poplar::println("init: {} failed to start: {}", name, base::error_name(task.error()));
        return false;
    }
    auto status = task.value().wait();
    if (status.is_error()) {
        poplar::println("init: waiting for {} failed: {}", name, base::error_name(status.error()));
        return false;
    }
    poplar::println("init: {} exited with status {}", name, status.value());
    return status.value() == 0;
}

}  // namespace

int main(const poplar::abi::StartInfo& start_info) {
    StringView list = arguments_of(start_info);
    bool all_passed = true;
    usize programs = 0;
    while (!list.is_empty()) {
        usize comma = list.find(',');
        StringView name = list.substring(0, comma);
        list = comma < list.length() ? list.substring(comma + 1) : StringView();
        if (name.is_empty()) continue;
        ++programs;
        all_passed = run(name) && all_passed;
    }
    if (programs == 0) {
        poplar::println("init: nothing to run");
        return 0;
    }
    return all_passed ? 0 : 1;
}
