// Multiboot (v1) entry. QEMU's -kernel loads us through the header's address fields (the "a.out
// kludge"), since it refuses 64-bit ELF files. We arrive in 32-bit protected mode without
// paging, build early page tables, enter long mode and jump to the higher half.

#define MULTIBOOT_MAGIC 0x1badb002
#define MULTIBOOT_FLAGS ((1 << 0) | (1 << 1) | (1 << 16))  // align modules, memory map, addresses
#define KERNEL_VIRTUAL_OFFSET 0xffffffff80000000

.section .multiboot, "a"
.align 4
multiboot_header:
    .long MULTIBOOT_MAGIC
    .long MULTIBOOT_FLAGS
    .long -(MULTIBOOT_MAGIC + MULTIBOOT_FLAGS)
    .long multiboot_header
    .long __kernel_physical_start
    .long __load_end - KERNEL_VIRTUAL_OFFSET
    .long __bss_end - KERNEL_VIRTUAL_OFFSET
    .long boot_entry32

.section .boot.data, "aw"
.align 4096
early_pml4: .skip 4096
early_pdpt_low: .skip 4096
early_pdpt_high: .skip 4096
early_page_directory: .skip 4096

.align 16
early_gdt:
    .quad 0
    .quad 0x00af9a000000ffff  // 0x08: 64-bit kernel code
    .quad 0x00cf92000000ffff  // 0x10: kernel data
early_gdt_end:
early_gdt_pointer:
    .word early_gdt_end - early_gdt - 1
    .long early_gdt

no_long_mode_message: .asciz "boot: this CPU has no long mode\n"

.section .boot.text, "ax"
.code32
.global boot_entry32
boot_entry32:
    cli
    cld
    mov %eax, %edi  // multiboot magic: first argument of kernel_entry
    mov %ebx, %esi  // multiboot information (physical): second argument

    // Long mode present? (CPUID 0x80000001, EDX bit 29)
    mov $0x80000000, %eax
    cpuid
    cmp $0x80000001, %eax
    jb .Lno_long_mode
    mov $0x80000001, %eax
    cpuid
    test $(1 << 29), %edx
    jz .Lno_long_mode

    // Identity-map and higher-half-map the first 1 GiB with 2 MiB pages. The same 1 GiB also
    // appears at the start of the direct map (PML4 slot 256) until the kernel builds its own.
    mov $early_page_directory, %ebx
    xor %ecx, %ecx
1:  mov %ecx, %eax
    shl $21, %eax
    or $0x83, %eax  // present, writable, 2 MiB page
    mov %eax, (%ebx, %ecx, 8)
    movl $0, 4(%ebx, %ecx, 8)
    inc %ecx
    cmp $512, %ecx
    jb 1b

    movl $(early_page_directory + 3), early_pdpt_low
    movl $(early_page_directory + 3), early_pdpt_high + 510 * 8
    movl $(early_pdpt_low + 3), early_pml4
    movl $(early_pdpt_low + 3), early_pml4 + 256 * 8
    movl $(early_pdpt_high + 3), early_pml4 + 511 * 8

    mov $early_pml4, %eax
    mov %eax, %cr3
    mov %cr4, %eax
    or $(1 << 5), %eax  // PAE
    mov %eax, %cr4
    mov $0xc0000080, %ecx  // EFER: long mode enable, no-execute enable
    rdmsr
    or $((1 << 8) | (1 << 11)), %eax
    wrmsr
    mov %cr0, %eax
    or $((1 << 31) | (1 << 16)), %eax  // paging, write protect
    mov %eax, %cr0

    lgdt early_gdt_pointer
    ljmp $0x08, $boot_entry64

.Lno_long_mode:
    mov $no_long_mode_message, %ebx
2:  movb (%ebx), %al
    test %al, %al
    jz 3f
    mov $0x3f8, %dx
    outb %al, %dx
    inc %ebx
    jmp 2b
3:  hlt
    jmp 3b

.code64
boot_entry64:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    xor %ax, %ax
    mov %ax, %fs
    mov %ax, %gs
    movabs $higher_half_entry, %rax
    jmp *%rax

.text
higher_half_entry:
    movabs $boot_stack_top, %rsp
    xor %ebp, %ebp
    // %edi = multiboot magic, %esi = multiboot information (physical), both zero-extended.
    mov %edi, %edi
    mov %esi, %esi
    call kernel_entry
4:  cli
    hlt
    jmp 4b

.bss
.align 16
.global boot_stack_bottom
boot_stack_bottom:
    .skip 65536
.global boot_stack_top
boot_stack_top:

.section .note.GNU-stack, "", @progbits
