#pragma once

// The portable kernel start-up, entered by the arch code once it can print and take exceptions.
[[noreturn]] void kernel_main();

// Runs the constructors of global objects; the arch entry calls it before anything else.
void run_global_constructors();

[[noreturn]] void panic_pure_virtual_call();
