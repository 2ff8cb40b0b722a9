// A partner for hardening_test: spawns copies of itself until the kernel refuses (its quota of
// live children, or the machine's memory), then waits to be killed.

#include <poplar/start.h>
#include <poplar/task.h>

int main(const poplar::abi::StartInfo&) {
    static poplar::Task children[64];
    for (auto& child : children) {
        auto spawned = poplar::Task::spawn("fork_bomb");
        if (spawned.is_error()) break;
        child = spawned.release_value();
    }
    (void)poplar::sys::sleep(poplar::abi::deadline_infinite);
    return 0;
}
