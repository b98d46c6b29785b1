#pragma once

#include <rocksdb/db.h>
#include <rocksdb/slice.h>
#include <string>

namespace vigil::alert {

// The entries of one atomic write to the alert store, kept in the serialized form of a RocksDB
// WriteBatch (db/write_batch.cc: the form the WAL's records hold and WriteBatch(std::string)
// takes) and appended to it directly. RocksDB's own WriteBatch::Put looks the column family
// up, appends in five steps and keeps a save point: about 700 instructions an entry, and the
// alert stage writes eight entries per alert. A unit test holds the bytes equal to what
// RocksDB's Put and Delete make. The buffer is kept from one write to the next.
class store_batch {
public:
    store_batch() { Clear(); }

    // As rocksdb::WriteBatch's, so code builds either the same way.
    void Put(rocksdb::ColumnFamilyHandle* family, const rocksdb::Slice& key,
             const rocksdb::Slice& value);
    void Delete(rocksdb::ColumnFamilyHandle* family, const rocksdb::Slice& key);
    void Clear();
    [[nodiscard]] std::size_t GetDataSize() const { return rep_.size(); }
    [[nodiscard]] std::uint32_t Count() const; // as the header holds it
    [[nodiscard]] const std::string& Data() const { return rep_; }

    // Writes the entries in one WriteBatch (they stay until Clear).
    [[nodiscard]] rocksdb::Status write(rocksdb::DB& db, const rocksdb::WriteOptions& options);
    // Lets a buffer grown past `bytes` (a burst's) go.
    void shrink_past(std::size_t bytes);

private:
    // One entry: its tag, family, key and (a Put's) value.
    void add_record(char tag_default, char tag_family, rocksdb::ColumnFamilyHandle* family,
                    const rocksdb::Slice& key, const rocksdb::Slice* value);

    std::string rep_;
};

} // namespace vigil::alert
