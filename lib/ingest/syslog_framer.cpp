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

// Position of the first "[1-9][0-9]{0,9} <" in `text` at or after `from` (the digits must not
// follow another digit), or npos.
std::size_t find_octet_header(std::string_view text, std::size_t from) {
    for (std::size_t p = text.find(" <", from); p != std::string_view::npos;
         p = text.find(" <", p + 1)) {
        std::size_t d = p;
        while (d > 0 && is_digit(text[d - 1]) && p - d <= max_count_digits) {
            --d;
        }
        const std::size_t digits = p - d;
        if (digits >= 1 && digits <= max_count_digits && text[d] != '0' &&
            (d == 0 || !is_digit(text[d - 1]))) {
            return d;
        }
    }
    return std::string_view::npos;
}

} // namespace

syslog_framer::syslog_framer(std::size_t max_frame_bytes, framing fixed)
    : max_frame_bytes_(max_frame_bytes), mode_(fixed) {}

void syslog_framer::emit(std::string_view frame, frame_sink& sink) {
    // The one way out: nothing longer than the limit leaves, whichever path cut it (damaged
    // bytes gathered while resynchronising can outgrow it before the stream ends).
    if (frame.size() > max_frame_bytes_) {
        ++counts_.oversize;
        return;
    }
    ++counts_.frames;
    sink.on_frame(frame);
}

bool syslog_framer::decide(std::string_view data, std::size_t pos) {
    // Octet counting is "[1-9][0-9]* SP MSG". When MSG begins with a PRI ("<"), the first bytes
    // decide. Without one, the whole first frame must look like a frame: no line end inside,
    // and either nothing after it yet or the next "LEN SP" header; anything else means newline
    // framing ("1493738863000 host CEF:..." and "12 foo" are lines). Look at the bytes kept from
    // earlier feeds plus these.
    std::string_view head = data.substr(pos);
    std::string joined;
    if (!partial_.empty()) {
        joined = partial_;
        joined.append(head);
        head = joined;
    }
    std::size_t digits = 0;
    std::uint64_t count = 0;
    while (digits < head.size() && digits <= max_count_digits && is_digit(head[digits])) {
        count = count * 10 + static_cast<std::uint64_t>(head[digits] - '0');
        ++digits;
    }
    if (digits == 0 || digits > max_count_digits || (digits < head.size() && head[digits] != ' ')) {
        mode_ = framing::newline;
        return true;
    }
    if (digits + 1 >= head.size()) {
        return false; // "123" or "123 " so far: wait for the next byte
    }
    // A count with leading zeros ("0042 <13>...") is outside RFC 6587 but unambiguous before
    // a PRI; taken for a line, its message swallowed the next frame.
    if (head[digits + 1] == '<' && count > 0) {
        mode_ = framing::octet_counting;
        return true;
    }
    if (head[0] == '0') {
        mode_ = framing::newline;
        return true;
    }
    const std::size_t body = digits + 1;
    const std::size_t line_end = head.find('\n', body);
    if (count > max_frame_bytes_ ||
        (line_end != std::string_view::npos && line_end < body + count)) {
        mode_ = framing::newline;
        return true;
    }
    if (head.size() < body + count) {
        return false; // the first frame is not complete yet
    }
    const char after = head.size() == body + count ? '1' : head[body + count];
    mode_ = after >= '1' && after <= '9' ? framing::octet_counting : framing::newline;
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
    feed_chunk(data, sink);
    // Bytes found after a resynchronisation point are framed again; each round consumes at
    // least the damaged record, so this ends.
    while (!replay_.empty()) {
        const std::string again = std::move(replay_);
        replay_.clear();
        feed_chunk(again, sink);
    }
}

void syslog_framer::resync(frame_sink& sink) {
    const std::size_t from = resync_scanned_;
    const std::size_t newline = partial_.find('\n', from);
    const std::size_t header = find_octet_header(partial_, from > 0 ? from - 1 : 0);
    const std::size_t cut = std::min(newline, header);
    if (cut == std::string::npos) {
        if (partial_.size() > max_frame_bytes_) {
            // Damage longer than any frame: drop it, but keep a tail that may hold the start
            // of the next header.
            const std::size_t keep = max_count_digits + 1;
            counts_.skipped_bytes += partial_.size() - keep;
            partial_.erase(0, partial_.size() - keep);
        }
        resync_scanned_ =
            partial_.size() > max_count_digits ? partial_.size() - max_count_digits : 0;
        return;
    }
    if (cut > max_frame_bytes_) {
        // The damage arrived in one piece longer than any frame: skip it like longer damage.
        counts_.skipped_bytes += cut;
    } else if (cut > 0) {
        emit(std::string_view(partial_).substr(0, cut), sink);
    }
    replay_ = partial_.substr(cut == newline ? cut + 1 : cut);
    partial_.clear();
    resync_scanned_ = 0;
    state_ = state::frame_start;
}

void syslog_framer::feed_chunk(std::string_view data, frame_sink& sink) {
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
            if (mode_ == framing::octet_counting && !partial_.empty()) {
                // Bytes kept while deciding (a header, or a whole frame without a PRI): frame
                // them again, now that the framing is known.
                replay_ = std::move(partial_);
                replay_.append(data.substr(pos));
                partial_.clear();
                return;
            }
            if (mode_ == framing::octet_counting) {
                state_ = state::count_digits;
                count_ = 0;
                count_digits_ = 0;
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
            // Not "digits SP": resynchronise, keeping the bytes from here (the digits read so
            // far are in partial_) until the next newline or header as one record.
            ++counts_.bad_octet_count;
            state_ = state::resync;
            resync_scanned_ = 0;
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
            std::size_t length = partial_.size() + (end - pos);
            // The CR of a CRLF line end is not part of the record.
            const bool cr = newline != std::string_view::npos &&
                            (end > pos ? data[end - 1] == '\r'
                                       : (!partial_.empty() && partial_.back() == '\r'));
            if (cr) {
                --length;
            }
            if (length > max_frame_bytes_ + (newline == std::string_view::npos ? 1 : 0)) {
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
                emit(data.substr(pos, length), sink);
            } else {
                partial_.append(data.substr(pos, end - pos));
                emit(std::string_view(partial_).substr(0, length), sink);
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
        case state::resync: {
            partial_.append(data.substr(pos));
            pos = data.size();
            resync(sink);
            if (!replay_.empty()) {
                return; // feed() frames the rest again
            }
            break;
        }
        }
    }
}

void syslog_framer::finish(frame_sink& sink) {
    switch (state_) {
    case state::frame_start:
    case state::line:
    case state::resync:
        // An unterminated last line, undecided first bytes or damaged bytes: still a record.
        if (!partial_.empty()) {
            std::string_view rest = partial_;
            if (state_ == state::line && rest.back() == '\r') {
                rest.remove_suffix(1);
            }
            emit(rest, sink);
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
    replay_.clear();
    state_ = state::frame_start;
}

} // namespace vigil::ingest
