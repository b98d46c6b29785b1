#include "ingest/syslog_tcp_source.hpp"

#include "core/log.hpp"
#include "ingest/asio_peer.hpp"
#include "ingest/syslog_framer.hpp"

#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <vector>

namespace vigil::ingest {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {
constexpr std::size_t read_buffer_bytes = 64 * 1024;
constexpr auto max_backoff = std::chrono::milliseconds(50);
} // namespace

class syslog_tcp_source::connection : public std::enable_shared_from_this<connection>,
                                      private frame_sink {
public:
    connection(syslog_tcp_source& owner, tcp::socket socket)
        : owner_(owner), socket_(std::move(socket)), framer_(owner.config_.max_frame_bytes),
          buffer_(read_buffer_bytes), batch_(std::make_unique<core::raw_batch>()),
          retry_(socket_.get_executor()) {
        boost::system::error_code ec;
        const auto remote = socket_.remote_endpoint(ec);
        if (!ec) {
            peer_ = to_peer_address(remote);
        }
        owner_.connections_.insert(this);
        owner_.probe_.connections.add();
        owner_.probe_.open_connections.add(1);
    }

    ~connection() override {
        owner_.connections_.erase(this);
        owner_.probe_.open_connections.add(-1);
    }

    void start() { read(); }

    void stop() {
        closing_ = true;
        stop_deadline_ = std::chrono::steady_clock::now() + owner_.config_.stop_grace;
        boost::system::error_code ignored;
        socket_.close(ignored); // a pending read completes with operation_aborted
        retry_.cancel();        // a back-pressure wait re-checks the deadline at once
    }

private:
    void read() {
        if (closing_) {
            finish_and_close();
            return;
        }
        socket_.async_read_some(
            asio::buffer(buffer_),
            [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                self->on_read(ec, n);
            });
    }

    void on_read(boost::system::error_code ec, std::size_t n) {
        recv_ns_ = owner_.clock_.now_ns();
        if (!ec) {
            framer_.feed({buffer_.data(), n}, *this);
            account();
            submit([this] { read(); });
            return;
        }
        // End of stream, a reset, or stop(): what was read is still delivered.
        closing_ = true;
        finish_and_close();
    }

    // Delivers what the framer still holds (an unterminated line, a truncated frame), then
    // closes. Every way a connection ends goes through here once.
    void finish_and_close() {
        if (finished_) {
            close();
            return;
        }
        finished_ = true;
        framer_.finish(*this);
        account();
        submit([this] { close(); });
    }

    void on_frame(std::string_view frame) override {
        batch_->add(frame, core::source_kind::syslog_tcp, recv_ns_, peer_);
        owner_.probe_.bytes.add(frame.size());
    }

    // Moves the framer's new counts into the probe.
    void account() {
        const auto& now = framer_.stats();
        owner_.probe_.records.add(now.frames - seen_.frames);
        owner_.probe_.dropped_oversize.add(now.oversize - seen_.oversize);
        owner_.probe_.bad_octet_count.add(now.bad_octet_count - seen_.bad_octet_count);
        owner_.probe_.truncated.add(now.truncated - seen_.truncated);
        owner_.probe_.skipped_bytes.add(now.skipped_bytes - seen_.skipped_bytes);
        seen_ = now;
    }

    // Hands the batch to the pipeline, waiting (without reading) while it is full; then `next`.
    template <typename Next>
    void submit(Next next) {
        if (batch_->empty() || owner_.sink_.try_submit(batch_)) {
            if (!batch_) {
                batch_ = std::make_unique<core::raw_batch>();
            }
            backoff_ = std::chrono::milliseconds(1);
            next();
            return;
        }
        if (closing_ && std::chrono::steady_clock::now() >= stop_deadline_) {
            owner_.probe_.dropped_shutdown.add(batch_->size());
            core::log_error("syslog TCP: dropped " + std::to_string(batch_->size()) +
                            " records at shutdown: the pipeline did not take them in time");
            batch_ = std::make_unique<core::raw_batch>();
            next();
            return;
        }
        owner_.probe_.backpressure_waits.add();
        retry_.expires_after(backoff_);
        backoff_ = std::min(backoff_ * 2, max_backoff);
        retry_.async_wait(
            [self = shared_from_this(), next](boost::system::error_code) { self->submit(next); });
    }

    void close() {
        boost::system::error_code ignored;
        socket_.shutdown(tcp::socket::shutdown_both, ignored);
        socket_.close(ignored);
    }

    syslog_tcp_source& owner_;
    tcp::socket socket_;
    syslog_framer framer_;
    std::vector<char> buffer_;
    std::unique_ptr<core::raw_batch> batch_;
    asio::steady_timer retry_;
    std::chrono::milliseconds backoff_{1};
    core::peer_address peer_;
    std::int64_t recv_ns_ = 0;
    syslog_framer::counts seen_;
    std::chrono::steady_clock::time_point stop_deadline_ =
        std::chrono::steady_clock::time_point::max();
    bool closing_ = false;
    bool finished_ = false;
};

syslog_tcp_source::syslog_tcp_source(asio::io_context& io, syslog_tcp_config config,
                                     batch_sink& sink, core::metrics_registry& metrics,
                                     const core::clock& clock)
    : config_(std::move(config)), sink_(sink), probe_(metrics, "syslog_tcp"), clock_(clock),
      listener_(io, "syslog TCP listener", [this](tcp::socket socket) {
          std::make_shared<connection>(*this, std::move(socket))->start();
      }) {}

syslog_tcp_source::~syslog_tcp_source() = default;

std::expected<void, std::string> syslog_tcp_source::start() {
    return listener_.start(config_.address);
}

tcp::endpoint syslog_tcp_source::local_endpoint() const {
    return listener_.local_endpoint();
}

void syslog_tcp_source::stop() {
    listener_.stop();
    // Copy first: stopping a connection may end it, which erases it from the set.
    const std::vector<connection*> open(connections_.begin(), connections_.end());
    for (auto* c : open) {
        c->stop();
    }
}

} // namespace vigil::ingest
