# Every third-party dependency is found here, and only here (STYLE.md, CMake).
# All of them come from Debian 12 packages; packaging/dev.sh installs them.

find_package(Threads REQUIRED)
find_package(Boost 1.74 REQUIRED)            # header-only: Asio, Beast
find_package(OpenSSL REQUIRED)
find_package(ZLIB REQUIRED)                 # ZLIB::ZLIB: gzip bodies of HTTP ingest
find_package(RocksDB REQUIRED CONFIG)        # RocksDB::rocksdb
find_package(simdjson REQUIRED CONFIG)       # simdjson::simdjson
find_package(yaml-cpp REQUIRED CONFIG)       # yaml-cpp
find_package(absl REQUIRED CONFIG)           # absl::time: time zones (system zoneinfo, TZif footer rules)

find_package(PkgConfig REQUIRED)
pkg_check_modules(HYPERSCAN REQUIRED IMPORTED_TARGET libhs)
pkg_check_modules(RDKAFKA REQUIRED IMPORTED_TARGET rdkafka++)
pkg_check_modules(RDKAFKA_C REQUIRED IMPORTED_TARGET rdkafka)  # the C API: consumer, mock cluster

add_library(vigil_boost INTERFACE)
target_link_libraries(vigil_boost INTERFACE Boost::headers Threads::Threads)
target_compile_definitions(vigil_boost INTERFACE
    BOOST_ASIO_NO_DEPRECATED
    BOOST_BEAST_USE_STD_STRING_VIEW)
add_library(vigil::boost ALIAS vigil_boost)

if(VIGIL_ENABLE_TESTS)
    find_package(Catch2 2 REQUIRED CONFIG)   # Catch2::Catch2 (v2, single header)
endif()
