#pragma once

#include "alert/alert_store.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <memory>
#include <rocksdb/db.h>
#include <string>
#include <vector>

namespace vigil::testing {

// Calls visit(name, handle, db) for every column family of the closed store in `data_dir`,
// opened with RocksDB itself (read-only unless `writable`).
template <typename Visit>
void with_families(const std::filesystem::path& data_dir, bool writable, Visit visit) {
    const std::string path = vigil::alert::alert_store::database_path(data_dir).string();
    std::vector<std::string> names;
    REQUIRE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const auto& n : names) {
        families.emplace_back(n, rocksdb::ColumnFamilyOptions());
    }
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    REQUIRE((writable ? rocksdb::DB::Open(rocksdb::DBOptions(), path, families, &handles, &raw)
                      : rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), path, families, &handles,
                                                     &raw))
                .ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    for (std::size_t i = 0; i < names.size(); ++i) {
        visit(names[i], handles[i], *db);
    }
    for (auto* h : handles) {
        REQUIRE(db->DestroyColumnFamilyHandle(h).ok());
    }
}

// The keys of one column family of a closed store, read with RocksDB itself.
inline std::vector<std::string> family_keys(const std::filesystem::path& data_dir,
                                            const std::string& name) {
    std::vector<std::string> keys;
    with_families(
        data_dir, false,
        [&](const std::string& family, rocksdb::ColumnFamilyHandle* handle, rocksdb::DB& db) {
            if (family != name) {
                return;
            }
            std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions(), handle));
            for (it->SeekToFirst(); it->Valid(); it->Next()) {
                keys.push_back(it->key().ToString());
            }
        });
    return keys;
}

} // namespace vigil::testing
