#include <ptah/error.h>

namespace ptah {

const char* error_name(Error error) {
    switch (error) {
#define PTAH_ERROR_NAME(name) \
    case Error::name:         \
        return #name;
        PTAH_ERROR_NAME(Truncated)
        PTAH_ERROR_NAME(LengthExceedsInput)
        PTAH_ERROR_NAME(TrailingBytes)
        PTAH_ERROR_NAME(InvalidBool)
        PTAH_ERROR_NAME(InvalidOptionMarker)
        PTAH_ERROR_NAME(UnknownVariant)
        PTAH_ERROR_NAME(InvalidChar)
        PTAH_ERROR_NAME(Utf8InvalidByte)
        PTAH_ERROR_NAME(Utf8Truncated)
        PTAH_ERROR_NAME(Utf8Overlong)
        PTAH_ERROR_NAME(Utf8Surrogate)
        PTAH_ERROR_NAME(Utf8TooLarge)
        PTAH_ERROR_NAME(UnsortedMapKeys)
        PTAH_ERROR_NAME(DuplicateMapKey)
        PTAH_ERROR_NAME(InvalidHandleByte)
        PTAH_ERROR_NAME(HandleSlotOutOfRange)
        PTAH_ERROR_NAME(HandleSlotReused)
        PTAH_ERROR_NAME(WrongHandleType)
        PTAH_ERROR_NAME(UnusedHandle)
        PTAH_ERROR_NAME(TooDeep)
        PTAH_ERROR_NAME(AllocationLimit)
        PTAH_ERROR_NAME(OutOfMemory)
        PTAH_ERROR_NAME(NoAllocator)
        PTAH_ERROR_NAME(BufferTooSmall)
        PTAH_ERROR_NAME(TooManyHandles)
        PTAH_ERROR_NAME(TooLong)
#undef PTAH_ERROR_NAME
    }
    return "Unknown";
}

}  // namespace ptah
