#include "alert/store_batch.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <rocksdb/write_batch.h>
#include <unistd.h>

using vigil::alert::store_batch;
namespace fs = std::filesystem;

TEST_CASE("store batch holds the bytes RocksDB's WriteBatch makes, and writes them",
          "[alert][store_batch]") {
    const fs::path dir = fs::temp_directory_path() / ("vigil-batch-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    rocksdb::Options options;
    options.create_if_missing = true;
    options.create_missing_column_families = true;
    std::vector<rocksdb::ColumnFamilyDescriptor> families = {
        {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()},
        {"one", rocksdb::ColumnFamilyOptions()}};
    // Enough families for an id past one byte of varint (RocksDB numbers them as created).
    for (int i = 0; i < 140; ++i) {
        families.emplace_back("f" + std::to_string(i), rocksdb::ColumnFamilyOptions());
    }
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    REQUIRE(rocksdb::DB::Open(rocksdb::DBOptions(options), dir.string(), families, &handles, &raw)
                .ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    rocksdb::ColumnFamilyHandle* deflt = handles[0];
    rocksdb::ColumnFamilyHandle* one = handles[1];
    rocksdb::ColumnFamilyHandle* far = handles.back();
    REQUIRE(far->GetID() >= 128);

    const std::string long_value(300, 'v'); // a length past one byte of varint
    rocksdb::WriteBatch reference;
    store_batch batch;
    for (int round = 0; round < 2; ++round) { // the second after Clear, on the kept buffer
        reference.Clear();
        batch.Clear();
        for (auto* b : {static_cast<void*>(&reference), static_cast<void*>(&batch)}) {
            auto put = [&](auto* family, const std::string& k, const std::string& v) {
                if (b == &reference) {
                    REQUIRE(reference.Put(family, k, v).ok());
                } else {
                    batch.Put(family, k, v);
                }
            };
            auto del = [&](auto* family, const std::string& k) {
                if (b == &reference) {
                    REQUIRE(reference.Delete(family, k).ok());
                } else {
                    batch.Delete(family, k);
                }
            };
            put(deflt, "a", "1");
            put(one, "key", long_value);
            put(far, "", "");
            del(one, "gone");
            del(deflt, "gone too");
            put(far, "k" + std::to_string(round), "v");
        }
        CHECK(batch.Data() == reference.Data());
        CHECK(batch.Count() == 6);
        CHECK(batch.GetDataSize() == reference.GetDataSize());
    }

    REQUIRE(batch.write(*db, rocksdb::WriteOptions()).ok());
    std::string value;
    REQUIRE(db->Get(rocksdb::ReadOptions(), one, "key", &value).ok());
    CHECK(value == long_value);
    REQUIRE(db->Get(rocksdb::ReadOptions(), far, "k1", &value).ok());
    CHECK(value == "v");
    CHECK(db->Get(rocksdb::ReadOptions(), one, "gone", &value).IsNotFound());
    CHECK(batch.Count() == 6); // the entries stay until Clear
    for (auto* h : handles) {
        REQUIRE(db->DestroyColumnFamilyHandle(h).ok());
    }
    db.reset();
    fs::remove_all(dir);
}
