#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace vigil::ingest {

// Receives the frames a syslog_framer cuts.
class frame_sink {
public:
    virtual ~frame_sink() = default;
    // `frame` is valid only during the call.
    virtual void on_frame(std::string_view frame) = 0;
};

// Cuts a syslog TCP byte stream into records (RFC 6587): octet counting ("LEN SP MSG") or
// newline-terminated ("non-transparent") framing, decided per connection from its first frame.
// One per connection, used by the I/O thread that owns the connection.
//
// Bad input never stops the stream:
// - a frame longer than the limit is counted and skipped; the connection stays usable;
// - a malformed octet count is counted, and the stream resynchronises at the next newline or
//   the next "LEN <" header, whichever comes first; the damaged bytes before it become one
//   record, so nothing around the damage is lost. Damage longer than a frame is skipped and
//   its bytes counted.
class syslog_framer {
public:
    enum class framing : std::uint8_t { undecided, octet_counting, newline };

    struct counts {
        std::uint64_t frames = 0;          // records delivered
        std::uint64_t oversize = 0;        // frames skipped for exceeding the limit
        std::uint64_t bad_octet_count = 0; // octet-count headers that were not "digits SP"
        std::uint64_t truncated = 0;       // frames cut short by the end of the stream
        std::uint64_t skipped_bytes = 0;   // damaged bytes dropped while resynchronising
    };

    // `fixed`: a framing the stream must use (RFC 5425: syslog over TLS is octet-counted);
    // frames that do not follow it are counted as damaged and kept as records.
    explicit syslog_framer(std::size_t max_frame_bytes, framing fixed = framing::undecided);

    // Processes the next bytes of the stream, calling `sink` for every complete frame.
    void feed(std::string_view data, frame_sink& sink);
    // The stream ended: delivers a final unterminated line, a truncated octet-counted frame or
    // the damaged bytes being resynchronised.
    void finish(frame_sink& sink);

    [[nodiscard]] framing mode() const { return mode_; }
    [[nodiscard]] const counts& stats() const { return counts_; }

private:
    enum class state : std::uint8_t {
        frame_start,
        count_digits,
        body,
        skip_body,
        line,
        skip_line,
        resync
    };

    // Processes one chunk; may leave bytes to process again in replay_.
    void feed_chunk(std::string_view data, frame_sink& sink);
    void emit(std::string_view frame, frame_sink& sink);
    // Decides the framing from the first bytes; false when more bytes are needed.
    bool decide(std::string_view data, std::size_t pos);
    // The octet count (in count_) is complete and valid: read or skip the frame body.
    void end_count();
    // Looks in partial_ (from resync_scanned_) for a newline or an octet-count header.
    void resync(frame_sink& sink);

    const std::size_t max_frame_bytes_;
    framing mode_ = framing::undecided;
    state state_ = state::frame_start;
    std::string partial_; // bytes of a frame that began in an earlier feed
    std::string replay_;  // bytes to process again after resynchronising
    std::size_t resync_scanned_ = 0;
    std::uint64_t count_ = 0; // octet count being read
    std::size_t count_digits_ = 0;
    std::uint64_t remaining_ = 0; // bytes still to read (body) or skip (skip_body)
    counts counts_;
};

} // namespace vigil::ingest
