// The first link pass's stand-in for the symbol table (see tools/kernel_symbols.py).
.section .kernel_symbols, "a"
.balign 8
.global kernel_symbol_table
kernel_symbol_table:
    .long 0x4d59534b
    .long 0
.section .note.GNU-stack, "", @progbits
