#pragma once

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <expected>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace vigil::daemon {

// Watches the rules and schemas directories (recursively, with inotify) and calls `on_change`
// once the tree has been quiet for `debounce`: a set of files copied in one by one causes one
// reload, of the final set. Lives on the I/O thread.
class rules_watcher {
public:
    rules_watcher(boost::asio::io_context& io, std::vector<std::filesystem::path> roots,
                  std::chrono::milliseconds debounce, std::function<void()> on_change);
    ~rules_watcher();
    rules_watcher(const rules_watcher&) = delete;
    rules_watcher& operator=(const rules_watcher&) = delete;

    [[nodiscard]] std::expected<void, std::string> start();
    void stop();

private:
    void watch_tree(const std::filesystem::path& dir);
    void read();
    void changed();

    std::vector<std::filesystem::path> roots_;
    std::chrono::milliseconds debounce_;
    std::function<void()> on_change_;
    boost::asio::posix::stream_descriptor descriptor_;
    boost::asio::steady_timer quiet_;
    std::map<int, std::filesystem::path> watches_; // watch descriptor -> directory
    std::array<char, 16 * 1024> buffer_{};
    bool stopping_ = false;
};

} // namespace vigil::daemon
