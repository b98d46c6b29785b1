#include "ingest/syslog_framer.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using vigil::ingest::frame_sink;
using vigil::ingest::syslog_framer;

namespace {

struct collect final : frame_sink {
    std::vector<std::string> frames;
    void on_frame(std::string_view frame) override { frames.emplace_back(frame); }
};

std::string octet(const std::string& message) {
    return std::to_string(message.size()) + " " + message;
}

// Feeds `stream` in pieces of `chunk` bytes, then ends it.
std::vector<std::string> frame_in_chunks(const std::string& stream, std::size_t chunk,
                                         std::size_t max_frame = 1024,
                                         syslog_framer::counts* counts = nullptr) {
    syslog_framer framer(max_frame);
    collect out;
    for (std::size_t i = 0; i < stream.size(); i += chunk) {
        framer.feed(std::string_view(stream).substr(i, chunk), out);
    }
    framer.finish(out);
    if (counts != nullptr) {
        *counts = framer.stats();
    }
    return out.frames;
}

} // namespace

TEST_CASE("framer detects octet counting and cuts frames", "[ingest][framer]") {
    const std::string a = "<13>1 2026-11-21T10:00:00Z host app - - - first";
    const std::string b = "<13>1 2026-11-21T10:00:01Z host app - - - second\nwith a newline";
    syslog_framer framer(1024);
    collect out;
    framer.feed(octet(a) + octet(b), out);
    CHECK(framer.mode() == syslog_framer::framing::octet_counting);
    REQUIRE(out.frames.size() == 2);
    CHECK(out.frames[0] == a);
    CHECK(out.frames[1] == b); // octet counting carries newlines inside a message
}

TEST_CASE("framer detects newline framing and strips CR", "[ingest][framer]") {
    syslog_framer framer(1024);
    collect out;
    framer.feed("<13>Nov 21 10:00:00 host app: one\r\n<13>Nov 21 10:00:01 host app: two\n\n", out);
    CHECK(framer.mode() == syslog_framer::framing::newline);
    REQUIRE(out.frames.size() == 2);
    CHECK(out.frames[0] == "<13>Nov 21 10:00:00 host app: one");
    CHECK(out.frames[1] == "<13>Nov 21 10:00:01 host app: two");
}

TEST_CASE("a first line that starts with digits is newline framed", "[ingest][framer]") {
    // An ISO timestamp without PRI, and a count not followed by "<".
    for (const std::string stream :
         {"2021-03-12T14:10:18Z host kernel: x\nnext\n", "123 abc\nnext\n"}) {
        syslog_framer framer(1024);
        collect out;
        framer.feed(stream, out);
        CHECK(framer.mode() == syslog_framer::framing::newline);
        CHECK(out.frames.size() == 2);
    }
}

TEST_CASE("octet-counted frames without a PRI are detected from the whole first frame",
          "[ingest][framer]") {
    // Forwarders re-sending files frame lines whose header is an ISO timestamp (RFC 6587
    // allows any MSG after the count).
    const std::vector<std::string> messages{
        "2020-03-24 08:38:42.344447-0700 mbp sshd[2519]: Failed password for root",
        "2020-03-24 08:38:43.001000-0700 mbp sshd[2519]: Connection closed\nby peer",
        "Mar 24 08:38:44 mbp sudo: alice : TTY=pts/0 ; COMMAND=/bin/id"};
    std::string stream;
    for (const auto& m : messages) {
        stream += octet(m);
    }
    for (std::size_t chunk = 1; chunk <= stream.size(); ++chunk) {
        INFO("chunk size " << chunk);
        CHECK(frame_in_chunks(stream, chunk) == messages);
    }
    // One frame alone, then the stream ends: still that frame.
    CHECK(frame_in_chunks(octet(messages[0]), 7) == std::vector<std::string>{messages[0]});
    syslog_framer framer(1024);
    collect out;
    framer.feed(stream, out);
    CHECK(framer.mode() == syslog_framer::framing::octet_counting);
    CHECK(framer.stats().bad_octet_count == 0);
}

TEST_CASE("lines that start with a number are not taken for PRI-less octet counting",
          "[ingest][framer]") {
    // The count would end inside the line, or the line goes on after it, or the line ends
    // exactly where the count says but the next line is no header.
    for (const std::string& stream :
         {std::string("12 abc def ghi jkl mno\n12 next line\n"), std::string("5 abcdefgh\nnext\n"),
          std::string("5 abcde\nnext\n"),
          std::string("1493738863000 host CEF:0|a|b|1|2|n|3|\nnext\n")}) {
        INFO(stream);
        syslog_framer framer(1024);
        collect out;
        framer.feed(stream, out);
        framer.finish(out);
        CHECK(framer.mode() == syslog_framer::framing::newline);
        CHECK(out.frames.size() == 2);
    }
}

TEST_CASE("framer gives the same frames for every split of the stream", "[ingest][framer]") {
    const std::vector<std::string> messages{"<34>1 2026-11-21T10:00:00Z h a - - - one",
                                            "<34>1 2026-11-21T10:00:00Z h a - - - two two",
                                            "<34>Nov 21 10:00:00 h a: three"};
    std::string octet_stream;
    std::string newline_stream;
    for (const auto& m : messages) {
        octet_stream += octet(m);
        newline_stream += m + "\n";
    }
    for (std::size_t chunk = 1; chunk <= octet_stream.size(); ++chunk) {
        INFO("chunk size " << chunk);
        CHECK(frame_in_chunks(octet_stream, chunk) == messages);
        CHECK(frame_in_chunks(newline_stream, chunk) == messages);
    }
}

TEST_CASE("an oversize octet-counted frame is skipped and the connection stays usable",
          "[ingest][framer]") {
    const std::string big(300, 'x');
    const std::string stream = octet("<13>1 - h a - - - small") +
                               octet("<13>1 - h a - - - " + big) + octet("<13>1 - h a - - - after");
    for (std::size_t chunk : {stream.size(), std::size_t{7}, std::size_t{1}}) {
        syslog_framer::counts counts;
        auto frames = frame_in_chunks(stream, chunk, 100, &counts);
        REQUIRE(frames.size() == 2);
        CHECK(frames[0] == "<13>1 - h a - - - small");
        CHECK(frames[1] == "<13>1 - h a - - - after");
        CHECK(counts.oversize == 1);
        CHECK(counts.frames == 2);
    }
}

TEST_CASE("an oversize line is skipped up to its newline", "[ingest][framer]") {
    const std::string stream = "<13>Nov 21 10:00:00 h a: ok\n<13>" + std::string(500, 'y') +
                               "\n<13>Nov 21 10:00:01 h a: after\n";
    for (std::size_t chunk : {stream.size(), std::size_t{13}, std::size_t{1}}) {
        syslog_framer::counts counts;
        auto frames = frame_in_chunks(stream, chunk, 100, &counts);
        REQUIRE(frames.size() == 2);
        CHECK(frames[1] == "<13>Nov 21 10:00:01 h a: after");
        CHECK(counts.oversize == 1);
    }
}

TEST_CASE("a frame of exactly the limit is accepted", "[ingest][framer]") {
    const std::string message = "<13>" + std::string(96, 'z');
    syslog_framer::counts counts;
    auto frames = frame_in_chunks(octet(message), 5, 100, &counts);
    REQUIRE(frames.size() == 1);
    CHECK(frames[0] == message);
    CHECK(counts.oversize == 0);
}

TEST_CASE("a malformed octet count resynchronises at the next newline", "[ingest][framer]") {
    const std::string good1 = "<13>1 - h a - - - first";
    const std::string good2 = "<13>1 - h a - - - second";
    // After a valid frame, a header that is not "digits SP", then a valid frame again.
    const std::string stream = octet(good1) + "12x<13>garbage line\n" + octet(good2);
    for (std::size_t chunk : {stream.size(), std::size_t{3}, std::size_t{1}}) {
        syslog_framer::counts counts;
        auto frames = frame_in_chunks(stream, chunk, 1024, &counts);
        REQUIRE(frames.size() == 3);
        CHECK(frames[0] == good1);
        CHECK(frames[1] == "12x<13>garbage line"); // kept as a record, not lost
        CHECK(frames[2] == good2);
        CHECK(counts.bad_octet_count == 1);
    }
}

TEST_CASE("damage longer than a frame is skipped even when it arrives in one piece",
          "[ingest][framer]") {
    // Found by the framer fuzz target: a malformed header followed, in the same read, by more
    // damaged bytes than the frame limit before the next newline was delivered whole.
    const std::string good = "<13>1 - h a - - - ok";
    const std::string damage = "12x" + std::string(200, 'd');
    const std::string stream = octet(good) + damage + "\n" + octet(good);
    for (std::size_t chunk : {stream.size(), std::size_t{7}}) {
        syslog_framer::counts counts;
        auto frames = frame_in_chunks(stream, chunk, 64, &counts);
        for (const auto& f : frames) {
            INFO(chunk << ": " << f);
            CHECK(f.size() <= 64);
        }
        // In small reads, the last bytes of the damage (kept in case they start a header) may
        // come out as one short record of their own.
        REQUIRE(frames.size() >= 2);
        CHECK(frames.front() == good);
        CHECK(frames.back() == good);
        CHECK(counts.bad_octet_count == 1);
        CHECK(counts.skipped_bytes >= 64);
    }
}

TEST_CASE("damaged bytes still gathered when the stream ends never exceed the limit",
          "[ingest][framer]") {
    // Found by the framer fuzz target: a malformed header, then more than a frame of damage
    // with no newline before the end of the stream.
    const std::string stream = octet("<13>1 - h a - - - ok") + "5x" + std::string(100, 'd');
    for (std::size_t chunk : {stream.size(), std::size_t{9}}) {
        syslog_framer::counts counts;
        auto frames = frame_in_chunks(stream, chunk, 64, &counts);
        REQUIRE_FALSE(frames.empty());
        CHECK(frames.front() == "<13>1 - h a - - - ok");
        for (const auto& f : frames) {
            CHECK(f.size() <= 64);
        }
        CHECK(counts.bad_octet_count == 1);
    }
}

TEST_CASE("a count that is zero, too long or missing is malformed", "[ingest][framer]") {
    const std::string first = octet("<13>1 - h a - - - ok");
    for (const std::string bad :
         {"0 <13>zero\n", "12345678901 <13>eleven digits\n", "<13>no count\n"}) {
        INFO(bad);
        syslog_framer::counts counts;
        auto frames =
            frame_in_chunks(first + bad + octet("<13>1 - h a - - - end"), 4, 1024, &counts);
        CHECK(counts.bad_octet_count == 1);
        REQUIRE(frames.size() == 3);
        CHECK(frames[2] == "<13>1 - h a - - - end");
    }
}

TEST_CASE("an unterminated last line is still a record", "[ingest][framer]") {
    syslog_framer::counts counts;
    auto frames = frame_in_chunks("<13>Nov 21 10:00:00 h a: one\n<13>Nov 21 10:00:00 h a: two", 6,
                                  1024, &counts);
    REQUIRE(frames.size() == 2);
    CHECK(frames[1] == "<13>Nov 21 10:00:00 h a: two");
    CHECK(counts.truncated == 0);
}

TEST_CASE("a stream that ends inside an octet-counted frame is counted as truncated",
          "[ingest][framer]") {
    syslog_framer::counts counts;
    auto frames = frame_in_chunks("50 <13>1 - h a - - - cut short", 4, 1024, &counts);
    REQUIRE(frames.size() == 1);
    CHECK(frames[0] == "<13>1 - h a - - - cut short");
    CHECK(counts.truncated == 1);
}

TEST_CASE("framer waits for enough bytes to decide the framing", "[ingest][framer]") {
    const std::string message = "<13>1 2026-11-21T10:00:00Z h a - - - split header";
    const std::string header = std::to_string(message.size()) + " ";
    syslog_framer framer(1024);
    collect out;
    framer.feed(header.substr(0, 1), out);
    framer.feed(header.substr(1), out);
    CHECK(framer.mode() == syslog_framer::framing::undecided);
    framer.feed(message.substr(0, 10), out);
    CHECK(framer.mode() == syslog_framer::framing::octet_counting);
    framer.feed(message.substr(10), out);
    REQUIRE(out.frames.size() == 1);
    CHECK(out.frames[0] == message);
}

TEST_CASE("after a bad octet count, frames without newlines are recovered at the next header",
          "[ingest][framer]") {
    // rsyslog-style octet streams never send a newline: resynchronising on newlines alone
    // would lose the rest of the connection.
    std::string stream = octet("<13>1 - h a - - - first") + "12x";
    for (int i = 0; i < 100; ++i) {
        stream += octet("<13>1 - h a - - - later " + std::to_string(i));
    }
    for (std::size_t chunk : {stream.size(), std::size_t{7}, std::size_t{1}}) {
        INFO("chunk " << chunk);
        syslog_framer::counts counts;
        auto frames = frame_in_chunks(stream, chunk, 256, &counts);
        REQUIRE(frames.size() == 102);
        CHECK(frames[0] == "<13>1 - h a - - - first");
        CHECK(frames[1] == "12x");
        CHECK(frames[2] == "<13>1 - h a - - - later 0");
        CHECK(frames[101] == "<13>1 - h a - - - later 99");
        CHECK(counts.bad_octet_count == 1);
        CHECK(counts.skipped_bytes == 0);
    }
}

TEST_CASE("damage longer than a frame is skipped and its bytes counted", "[ingest][framer]") {
    const std::string stream = octet("<13>1 - h a - - - first") + "9x" + std::string(1000, 'z') +
                               octet("<13>1 - h a - - - after");
    syslog_framer::counts counts;
    auto frames = frame_in_chunks(stream, 64, 256, &counts);
    // first, what is left of the damage after skipping (a few bytes), after.
    REQUIRE(frames.size() == 3);
    CHECK(frames[0] == "<13>1 - h a - - - first");
    CHECK(frames[1].find_first_not_of('z') == std::string::npos);
    CHECK(frames[1].size() < 256);
    CHECK(frames[2] == "<13>1 - h a - - - after");
    CHECK(counts.skipped_bytes + frames[1].size() == 1002);
    CHECK(counts.bad_octet_count == 1);
    CHECK(counts.skipped_bytes > 0);
}

TEST_CASE("octet-counted frames keep their bytes exactly, a trailing CR included",
          "[ingest][framer]") {
    auto frames =
        frame_in_chunks(octet("<13>1 - h a - - - ends in CR\r") + octet("<13>1 - h a - - - x"), 3);
    REQUIRE(frames.size() == 2);
    CHECK(frames[0] == "<13>1 - h a - - - ends in CR\r");
}

TEST_CASE("a CRLF line of exactly the limit is accepted", "[ingest][framer]") {
    const std::string line = "<13>" + std::string(96, 'c'); // 100 bytes
    for (std::size_t chunk : {std::size_t{1000}, std::size_t{1}}) {
        syslog_framer::counts counts;
        auto frames = frame_in_chunks(line + "\r\n" + line + "\r\n", chunk, 100, &counts);
        REQUIRE(frames.size() == 2);
        CHECK(frames[0] == line);
        CHECK(counts.oversize == 0);
    }
}

TEST_CASE("an octet count with leading zeros frames its message and loses no later frame",
          "[ingest][framer]") {
    // RFC 6587 counts start with a non-zero digit, but "0042" is still unambiguous; taken as
    // damage, its message swallowed the next frame. Also as the first frame of a connection.
    const std::string b = "<13>1 - h a - - - second ends in digits 22";
    const std::string c = "<13>1 - h a - - - third";
    for (const std::string& first : {octet("<13>1 - h a - - - first"), std::string()}) {
        const std::string stream = first + "00" + octet(b) + octet(c);
        for (std::size_t chunk : {stream.size(), std::size_t{5}, std::size_t{1}}) {
            INFO("chunk " << chunk << ", first frame " << !first.empty());
            syslog_framer::counts counts;
            auto frames = frame_in_chunks(stream, chunk, 1024, &counts);
            REQUIRE(frames.size() == (first.empty() ? 2u : 3u));
            CHECK(frames[frames.size() - 2] == b);
            CHECK(frames.back() == c);
            CHECK(counts.bad_octet_count == 0);
        }
    }
}
