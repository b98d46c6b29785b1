// A main for fuzz targets in builds without libFuzzer: runs the target on every file named on
// the command line (directories are read recursively), so the seed corpora and the inputs that
// once crashed a target (tests/fuzz/regressions) run as ordinary tests.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

void run_file(const std::filesystem::path& file, std::size_t& count) {
    std::ifstream in(file, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), {});
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    ++count;
}

} // namespace

int main(int argc, char** argv) {
    std::size_t count = 0;
    for (int i = 1; i < argc; ++i) {
        const std::filesystem::path path = argv[i];
        if (std::filesystem::is_directory(path)) {
            std::vector<std::filesystem::path> files;
            for (const auto& e : std::filesystem::recursive_directory_iterator(path)) {
                if (e.is_regular_file()) {
                    files.push_back(e.path());
                }
            }
            for (const auto& f : files) {
                run_file(f, count);
            }
        } else {
            run_file(path, count);
        }
    }
    std::cout << "ran " << count << " input(s)\n";
    return 0;
}
