# Loads the kernel's symbols and attaches to QEMU started by tools/debug.sh.
set pagination off
set confirm off
set architecture i386:x86-64
file build/kernel/kernel.elf
target remote localhost:1234
break kernel_main
echo Attached. 'continue' runs to kernel_main.\n
