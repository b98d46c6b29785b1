#pragma once

#include <filesystem>
#include <string>
#include <unistd.h>

namespace vigil::testing {

// A directory of one test's own under the system's temporary directory (not created: what the
// test opens there creates it), removed with everything in it afterwards.
struct temp_dir {
    std::filesystem::path path =
        std::filesystem::temp_directory_path() /
        ("vigil-test-" + std::to_string(::getpid()) + "-" + std::to_string(++count));
    temp_dir() { std::filesystem::remove_all(path); }
    ~temp_dir() { std::filesystem::remove_all(path); }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    static inline int count = 0;
};

} // namespace vigil::testing
