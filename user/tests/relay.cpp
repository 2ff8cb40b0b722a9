// A partner for hardening_test: spawns another relay and exits at once; its exit kills that
// child before it has run, which must then never run (or the chain would go on).

#include <poplar/start.h>
#include <poplar/task.h>

int main(const poplar::abi::StartInfo&) {
    auto child = poplar::Task::spawn("relay");
    if (child.is_ok()) (void)child.value().release();  // its handle goes with this task
    return 0;
}
