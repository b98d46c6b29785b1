#include "rules_watcher.hpp"

#include "core/log.hpp"

#include <cerrno>
#include <cstring>
#include <sys/inotify.h>
#include <unistd.h>

namespace vigil::daemon {

namespace asio = boost::asio;

namespace {
constexpr std::uint32_t watched_events = IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_FROM |
                                         IN_MOVED_TO | IN_DELETE_SELF | IN_MODIFY | IN_ATTRIB;
}

rules_watcher::rules_watcher(asio::io_context& io, std::vector<std::filesystem::path> roots,
                             std::chrono::milliseconds debounce, std::function<void()> on_change)
    : roots_(std::move(roots)), debounce_(debounce), on_change_(std::move(on_change)),
      descriptor_(io), quiet_(io) {}

rules_watcher::~rules_watcher() {
    stop();
}

std::expected<void, std::string> rules_watcher::start() {
    const int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0) {
        return std::unexpected(std::string("inotify_init1: ") + std::strerror(errno));
    }
    descriptor_.assign(fd);
    for (const auto& root : roots_) {
        watch_tree(root);
    }
    read();
    return {};
}

void rules_watcher::stop() {
    stopping_ = true;
    quiet_.cancel();
    boost::system::error_code ignored;
    descriptor_.close(ignored);
}

void rules_watcher::watch_tree(const std::filesystem::path& dir) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) {
        return;
    }
    const int wd = inotify_add_watch(descriptor_.native_handle(), dir.c_str(), watched_events);
    if (wd < 0) {
        core::log_warning("cannot watch " + dir.string() + ": " + std::strerror(errno));
        return;
    }
    watches_[wd] = dir;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
        if (entry.is_directory(ec) && !entry.path().filename().string().starts_with('.')) {
            watch_tree(entry.path());
        }
    }
}

void rules_watcher::read() {
    descriptor_.async_read_some(
        asio::buffer(buffer_), [this](boost::system::error_code ec, std::size_t n) {
            if (ec || stopping_) {
                return;
            }
            bool relevant = false;
            for (std::size_t at = 0; at + sizeof(inotify_event) <= n;) {
                inotify_event event{};
                std::memcpy(&event, buffer_.data() + at, sizeof event);
                const std::string name =
                    event.len > 0 ? std::string(buffer_.data() + at + sizeof event) : "";
                at += sizeof(inotify_event) + event.len;
                // Editors' swap and backup files do not change the rules.
                if (name.starts_with('.') || name.ends_with('~') || name.ends_with(".swp")) {
                    continue;
                }
                relevant = true;
                if ((event.mask & IN_ISDIR) && (event.mask & (IN_CREATE | IN_MOVED_TO))) {
                    if (auto it = watches_.find(event.wd); it != watches_.end()) {
                        watch_tree(it->second / name); // a new folder of rules
                    }
                }
                if (event.mask & IN_IGNORED) {
                    watches_.erase(event.wd);
                }
            }
            if (relevant) {
                changed();
            }
            read();
        });
}

void rules_watcher::changed() {
    // Every change restarts the quiet period; the reload happens when it runs out.
    quiet_.expires_after(debounce_);
    quiet_.async_wait([this](boost::system::error_code ec) {
        if (!ec && !stopping_) {
            on_change_();
        }
    });
}

} // namespace vigil::daemon
