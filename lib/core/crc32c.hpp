#pragma once

#include <cstdint>
#include <string_view>

namespace vigil::core {

// CRC-32C (Castagnoli, as iSCSI, ext4 and RocksDB use it) of `bytes`, continuing `crc` (0 to
// start). With the processor's CRC32 instruction where it has one (SSE 4.2), chosen when the
// program starts; a table otherwise.
[[nodiscard]] std::uint32_t crc32c(std::string_view bytes, std::uint32_t crc = 0);

} // namespace vigil::core
