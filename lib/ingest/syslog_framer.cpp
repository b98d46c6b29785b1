#include "ingest/syslog_framer.hpp"

#include <algorithm>

namespace vigil::ingest {
namespace {

// At most ten digits of octet count: more than that is not a count but garbage.
constexpr std::size_t max_count_digits = 10;

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

bool is_frame_separator(char c) {
    return c == '\n' || c == '\r' || c == '\0';
}

} // namespace

syslog_framer::syslog_framer(std::size_t max_frame_bytes) : max_frame_bytes_(max_frame_bytes) {}

void syslog_framer::emit(std::string_view frame, frame_sink& sink) {
    if (!frame.empty() && frame.back() == '\r') {
        frame.remove_suffix(1);
    }
    ++counts_.frames;
    sink.on_frame(frame);
}

bool syslog_framer::decide(std::string_view data, std::size_t pos) {
    // Octet counting is "[1-9][0-9]* SP <": a message after the count begins with its PRI. Any
    // other start means newline framing. Look at the bytes kept from earlier feeds plus these.
    std::string head = partial_;
    head.append(
        data.substr(pos, max_count_digits + 2 - std::min(head.size(), max_count_digits + 2)));
    std::size_t digits = 0;
    while (digits < head.size() && is_digit(head[digits])) {
        ++digits;
    }
    if (digits == 0 || head[0] == '0' || digits > max_count_digits) {
        mode_ = framing::newline;
        return true;
    }
    if (digits == head.size() || digits + 1 == head.size()) {
        if (digits + 1 == head.size() && head[digits] != ' ') {
            mode_ = framing::newline;
            return true;
        }
        return false; // "123" or "123 " so far: wait for the next byte
    }
    mode_ =
        head[digits] == ' ' && head[digits + 1] == '<' ? framing::octet_counting : framing::newline;
    return true;
}

void syslog_framer::end_count() {
    partial_.clear();
    remaining_ = count_;
    if (count_ > max_frame_bytes_) {
        ++counts_.oversize;
        state_ = state::skip_body;
    } else {
        state_ = state::body;
    }
}

void syslog_framer::feed(std::string_view data, frame_sink& sink) {
    std::size_t pos = 0;
    while (pos < data.size()) {
        switch (state_) {
        case state::frame_start: {
            if (partial_.empty() && is_frame_separator(data[pos])) {
                ++pos; // line ends between frames
                break;
            }
            if (mode_ == framing::undecided && !decide(data, pos)) {
                partial_.append(data.substr(pos));
                return;
            }
            if (mode_ == framing::octet_counting) {
                state_ = state::count_digits;
                count_ = 0;
                count_digits_ = 0;
                // Bytes kept while deciding ("123" or "123 ") are the start of this header.
                const std::string kept = std::move(partial_);
                partial_.clear();
                for (char c : kept) {
                    if (!is_digit(c)) {
                        end_count(); // the kept space ends the header
                        break;
                    }
                    count_ = count_ * 10 + static_cast<std::uint64_t>(c - '0');
                    partial_ += c;
                    ++count_digits_;
                }
            } else {
                state_ = state::line;
            }
            break;
        }
        case state::count_digits: {
            while (pos < data.size() && is_digit(data[pos]) && count_digits_ <= max_count_digits) {
                count_ = count_ * 10 + static_cast<std::uint64_t>(data[pos] - '0');
                partial_ += data[pos];
                ++count_digits_;
                ++pos;
            }
            if (pos == data.size()) {
                return; // the header continues in the next feed
            }
            if (data[pos] == ' ' && count_digits_ > 0 && count_digits_ <= max_count_digits &&
                count_ > 0) {
                ++pos;
                end_count();
                break;
            }
            // Not "digits SP": resynchronise on the next newline, keeping the bytes (the digits
            // read so far are in partial_) as a record.
            ++counts_.bad_octet_count;
            state_ = state::line;
            break;
        }
        case state::body: {
            const auto n =
                static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, data.size() - pos));
            if (partial_.empty() && n == remaining_) {
                emit(data.substr(pos, n), sink); // whole frame in this read: no copy
            } else {
                partial_.append(data.substr(pos, n));
                if (n == remaining_) {
                    emit(partial_, sink);
                    partial_.clear();
                }
            }
            pos += n;
            remaining_ -= n;
            if (remaining_ == 0) {
                state_ = state::frame_start;
            }
            break;
        }
        case state::skip_body: {
            const auto n =
                static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, data.size() - pos));
            pos += n;
            remaining_ -= n;
            if (remaining_ == 0) {
                state_ = state::frame_start;
            }
            break;
        }
        case state::line: {
            const std::size_t newline = data.find('\n', pos);
            const std::size_t end = newline == std::string_view::npos ? data.size() : newline;
            const std::size_t length = partial_.size() + (end - pos);
            if (length > max_frame_bytes_) {
                ++counts_.oversize;
                partial_.clear();
                state_ = state::skip_line;
                pos = end; // skip_line consumes the newline, if there is one
                break;
            }
            if (newline == std::string_view::npos) {
                partial_.append(data.substr(pos));
                return;
            }
            if (partial_.empty()) {
                emit(data.substr(pos, end - pos), sink);
            } else {
                partial_.append(data.substr(pos, end - pos));
                emit(partial_, sink);
                partial_.clear();
            }
            pos = newline + 1;
            state_ = state::frame_start;
            break;
        }
        case state::skip_line: {
            const std::size_t newline = data.find('\n', pos);
            if (newline == std::string_view::npos) {
                return;
            }
            pos = newline + 1;
            state_ = state::frame_start;
            break;
        }
        }
    }
}

void syslog_framer::finish(frame_sink& sink) {
    switch (state_) {
    case state::frame_start:
    case state::line:
        // An unterminated last line (or undecided first bytes) is still a record.
        if (!partial_.empty()) {
            emit(partial_, sink);
        }
        break;
    case state::body:
        ++counts_.truncated;
        if (!partial_.empty()) {
            emit(partial_, sink);
        }
        break;
    case state::count_digits:
        if (count_digits_ > 0) {
            ++counts_.truncated;
        }
        break;
    case state::skip_body:
    case state::skip_line:
        break;
    }
    partial_.clear();
    state_ = state::frame_start;
}

} // namespace vigil::ingest
