#include <loader/elf.h>
#include <object/address_space.h>

using namespace poplar::abi;

namespace loader {
namespace {

struct FileHeader {
    u8 identity[16];
    u16 type, machine;
    u32 version;
    u64 entry, program_header_offset, section_header_offset;
    u32 flags;
    u16 header_size, program_header_size, program_header_count, section_header_size, section_header_count,
        section_name_index;
};

struct ProgramHeader {
    u32 type, flags;
    u64 offset, virtual_address, physical_address, file_size, memory_size, alignment;
};

constexpr u32 segment_load = 1;
constexpr u32 flag_execute = 1, flag_write = 2;
constexpr u16 type_executable = 2, machine_x86_64 = 62;
constexpr u16 max_program_headers = 64;

bool within(u64 offset, u64 length, u64 size) {
    u64 end;
    return base::checked_add(offset, length, end) && end <= size;
}

base::ErrorOr<void> load_segment(AddressSpace& space, base::ReadonlyBytes file, const ProgramHeader& segment) {
    if (segment.file_size > segment.memory_size || !within(segment.offset, segment.file_size, file.size()))
        return base::Error::InvalidArgument;
    u64 start = base::align_down(segment.virtual_address, page_size);
    u64 end;
    if (!base::checked_add(segment.virtual_address, segment.memory_size, end) || end > user_space_end ||
        start < user_space_start)
        return base::Error::InvalidArgument;
    end = base::align_up_unchecked(end, page_size);

    u32 flags = (segment.flags & flag_write ? memory_flags::writable : 0) |
                (segment.flags & flag_execute ? memory_flags::executable : 0);
    auto object = TRY(MemoryObject::create(end - start, flags));
    TRY(object->write(segment.virtual_address - start, file.data() + segment.offset, segment.file_size));
    auto mapped = space.map(base::move(object), start, flags);
    if (mapped.is_error())
        return mapped.error() == base::Error::AlreadyExists ? base::Error::InvalidArgument : mapped.error();
    return {};
}

}  // namespace

base::ErrorOr<u64> load_elf(AddressSpace& space, base::ReadonlyBytes file) {
    if (file.size() < sizeof(FileHeader)) return base::Error::InvalidArgument;
    FileHeader header;
    __builtin_memcpy(&header, file.data(), sizeof(header));
    bool valid =
        header.identity[0] == 0x7f && header.identity[1] == 'E' && header.identity[2] == 'L' &&
        header.identity[3] == 'F' && header.identity[4] == 2 /* 64-bit */ &&
        header.identity[5] == 1 /* little-endian */ && header.type == type_executable &&
        header.machine == machine_x86_64 && header.program_header_size == sizeof(ProgramHeader) &&
        header.program_header_count <= max_program_headers &&
        within(header.program_header_offset, u64(header.program_header_count) * sizeof(ProgramHeader), file.size());
    if (!valid) return base::Error::InvalidArgument;

    bool loaded_any = false;
    for (u16 i = 0; i < header.program_header_count; ++i) {
        ProgramHeader segment;
        __builtin_memcpy(&segment, file.data() + header.program_header_offset + i * sizeof(ProgramHeader),
                         sizeof(segment));
        if (segment.type != segment_load || segment.memory_size == 0) continue;
        TRY(load_segment(space, file, segment));
        loaded_any = true;
    }
    if (!loaded_any || header.entry < user_space_start || header.entry >= user_space_end)
        return base::Error::InvalidArgument;
    return header.entry;
}

}  // namespace loader
