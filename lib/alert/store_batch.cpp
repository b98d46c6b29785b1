#include "alert/store_batch.hpp"

#include "core/varint.hpp"

#include <cstring>
#include <rocksdb/write_batch.h>

namespace vigil::alert {
namespace {

// Sequence number (8 bytes) and count (4), little-endian; RocksDB sets the sequence.
constexpr std::size_t header_size = 12;
// Record tags: RocksDB's ValueType (db/dbformat.h), of the default family and of another.
constexpr char type_deletion = 0x0;
constexpr char type_value = 0x1;
constexpr char type_family_deletion = 0x4;
constexpr char type_family_value = 0x5;

// A WriteBatch over a serialized form, which gives the form back after the write (rep_ is
// WriteBatch's protected member for such subclasses).
class owned_batch : public rocksdb::WriteBatch {
public:
    explicit owned_batch(std::string&& rep) : WriteBatch(std::move(rep)) {}
    std::string release() { return std::move(rep_); }
};

} // namespace

void store_batch::Clear() {
    rep_.assign(header_size, '\0');
}

void store_batch::add_record(char tag_default, char tag_family, rocksdb::ColumnFamilyHandle* family,
                             const rocksdb::Slice& key, const rocksdb::Slice* value) {
    // Written in place, at most this long (a varint32 takes up to five bytes).
    const std::uint32_t id = family->GetID();
    const std::size_t at = rep_.size();
    const std::size_t longest = 1 + 5 + 5 + key.size() + (value ? 5 + value->size() : 0);
    rep_.resize_and_overwrite(at + longest, [&](char* data, std::size_t) {
        char* end = data + at;
        if (id == 0) {
            *end++ = tag_default;
        } else {
            *end++ = tag_family;
            end = core::put_varint(end, id);
        }
        end = core::put_length_prefixed(end, key.ToStringView());
        if (value) {
            end = core::put_length_prefixed(end, value->ToStringView());
        }
        return static_cast<std::size_t>(end - data);
    });
    const std::uint32_t count = Count() + 1;
    for (std::size_t i = 0; i < 4; ++i) {
        rep_[8 + i] = static_cast<char>((count >> (8 * i)) & 0xff);
    }
}

std::uint32_t store_batch::Count() const {
    std::uint32_t count = 0;
    for (std::size_t i = 0; i < 4; ++i) {
        count |= std::uint32_t{static_cast<unsigned char>(rep_[8 + i])} << (8 * i);
    }
    return count;
}

void store_batch::Put(rocksdb::ColumnFamilyHandle* family, const rocksdb::Slice& key,
                      const rocksdb::Slice& value) {
    add_record(type_value, type_family_value, family, key, &value);
}

void store_batch::Delete(rocksdb::ColumnFamilyHandle* family, const rocksdb::Slice& key) {
    add_record(type_deletion, type_family_deletion, family, key, nullptr);
}

rocksdb::Status store_batch::write(rocksdb::DB& db, const rocksdb::WriteOptions& options) {
    owned_batch batch(std::move(rep_));
    auto status = db.Write(options, &batch);
    rep_ = batch.release();
    return status;
}

void store_batch::shrink_past(std::size_t bytes) {
    if (rep_.capacity() > bytes) {
        rep_ = std::string();
        Clear();
    }
}

} // namespace vigil::alert
