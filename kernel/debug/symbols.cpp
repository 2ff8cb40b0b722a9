#include <debug/symbols.h>

// Layout written by tools/kernel_symbols.py: a header, entries sorted by address, then names.
struct SymbolTableHeader {
    u32 magic;
    u32 count;
};
struct SymbolEntry {
    u64 address;
    u32 name_offset;
    u32 name_length;
};
extern "C" const SymbolTableHeader kernel_symbol_table;

namespace debug {
namespace {

constexpr u32 symbol_table_magic = 0x4d59534b;  // "KSYM"

const SymbolEntry* entries() { return reinterpret_cast<const SymbolEntry*>(&kernel_symbol_table + 1); }

const char* names() { return reinterpret_cast<const char*>(entries() + kernel_symbol_table.count); }

}  // namespace

bool find_symbol(u64 address, SymbolLookup& result) {
    if (kernel_symbol_table.magic != symbol_table_magic || kernel_symbol_table.count == 0) return false;
    const SymbolEntry* table = entries();
    usize low = 0, high = kernel_symbol_table.count;
    while (high - low > 1) {
        usize middle = (low + high) / 2;
        if (table[middle].address <= address)
            low = middle;
        else
            high = middle;
    }
    if (table[low].address > address) return false;
    result.name = base::StringView(names() + table[low].name_offset, table[low].name_length);
    result.offset = address - table[low].address;
    return true;
}

void print_address(base::FormatSink& sink, u64 address) {
    SymbolLookup symbol;
    if (find_symbol(address, symbol))
        base::format(sink, "  {:#018x}  {}+{:#x}\n", address, symbol.name, symbol.offset);
    else
        base::format(sink, "  {:#018x}  ?\n", address);
}

}  // namespace debug
