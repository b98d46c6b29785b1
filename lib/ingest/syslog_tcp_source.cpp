#include "ingest/syslog_tcp_source.hpp"

#include "core/log.hpp"
#include "ingest/syslog_framer.hpp"
#include "net/asio_peer.hpp"
#include "net/endpoint_text.hpp"

#include <algorithm>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <type_traits>
#include <vector>

namespace vigil::ingest {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {
constexpr std::size_t read_buffer_bytes = 64 * 1024;
constexpr auto max_backoff = std::chrono::milliseconds(50);
} // namespace

// What the source needs of a connection, whatever its stream.
class syslog_tcp_source::connection_base {
public:
    virtual ~connection_base() = default;
    virtual void stop() = 0;
};

template <typename Stream>
class syslog_tcp_source::connection : public connection_base,
                                      public std::enable_shared_from_this<connection<Stream>>,
                                      private frame_sink {
    static constexpr bool tls = !std::is_same_v<Stream, tcp::socket>;

public:
    template <typename... StreamArgs>
    connection(syslog_tcp_source& owner, StreamArgs&&... stream_args)
        : owner_(owner), socket_(std::forward<StreamArgs>(stream_args)...),
          framer_(owner.config_.max_frame_bytes,
                  tls ? syslog_framer::framing::octet_counting : syslog_framer::framing::undecided),
          buffer_(read_buffer_bytes), batch_(std::make_unique<core::raw_batch>()),
          retry_(socket_.get_executor()), idle_(socket_.get_executor()) {
        boost::system::error_code ec;
        const auto remote = socket_.lowest_layer().remote_endpoint(ec);
        if (!ec) {
            peer_ = net::to_peer_address(remote);
        }
        admitted_ = owner_.limiter_.admit(peer_);
        // Each connection is an input of its own (one ordered stream of event times).
        input_ = (static_cast<core::input_id>(owner_.kind_) << 56) | ++owner_.connections_seen_;
        owner_.connections_.insert(this);
        owner_.probe_.connections.add();
        owner_.probe_.open_connections.add(1);
    }

    ~connection() override {
        if (admitted_) {
            owner_.limiter_.release(peer_);
        }
        owner_.connections_.erase(this);
        owner_.probe_.open_connections.add(-1);
    }

    void start() {
        if (!admitted_) {
            close(); // over a connection limit (counted by the limiter)
            return;
        }
        if constexpr (tls) {
            // A client that does not finish its handshake in time is dropped.
            retry_.expires_after(owner_.config_.handshake_timeout);
            retry_.async_wait([self = this->shared_from_this()](boost::system::error_code ec) {
                if (!ec && !self->handshaken_) {
                    self->close();
                }
            });
            socket_.async_handshake(asio::ssl::stream_base::server,
                                    [self = this->shared_from_this()](
                                        boost::system::error_code ec) { self->on_handshake(ec); });
        } else {
            announce();
        }
    }

    // Keeps `resource` (the TLS context) alive as long as the connection.
    void hold(std::shared_ptr<void> resource) { held_ = std::move(resource); }

    void stop() override {
        closing_ = true;
        stop_deadline_ = std::chrono::steady_clock::now() + owner_.config_.stop_grace;
        boost::system::error_code ignored;
        socket_.lowest_layer().close(ignored); // a pending read completes with operation_aborted
        retry_.cancel(); // a back-pressure wait re-checks the deadline at once
        idle_.cancel();
    }

private:
    void on_handshake(boost::system::error_code ec) {
        handshaken_ = !ec;
        retry_.cancel();
        if (ec) {
            // Plaintext on the TLS port, an old protocol, no or an untrusted client certificate.
            owner_.handshake_failures_->add();
            core::log(core::log_level::debug, "syslog TLS: handshake with " + peer_.to_string() +
                                                  " failed: " + ec.message());
            close();
            return;
        }
        announce();
    }

    // The connection is an input from now on: event time waits for it (ARCHITECTURE.md,
    // "Time") until it sends, goes idle or closes. Then reading starts.
    void announce() {
        batch_->input_changes.push_back(
            {input_, true, core::input_name(owner_.kind_, peer_, true), owner_.clock_.now_ns()});
        announced_ = true;
        submit([this] { read(); });
    }

    void read() {
        if (closing_) {
            finish_and_close();
            return;
        }
        // Too much read is not yet durable: wait (the sender is slowed by TCP flow control).
        const bool room = owner_.window_.has_room();
        owner_.unconfirmed_gauge_->set(static_cast<std::int64_t>(owner_.window_.unconfirmed()));
        if (!room) {
            owner_.window_waits_->add();
            owner_.window_.wait_for_room([self = this->shared_from_this()] { self->read(); });
            return;
        }
        socket_.async_read_some(
            asio::buffer(buffer_),
            [self = this->shared_from_this()](boost::system::error_code ec, std::size_t n) {
                self->on_read(ec, n);
            });
        // Only while waiting for the peer: a back-pressure wait is not the peer's idleness.
        idle_.expires_after(owner_.config_.idle_timeout);
        idle_.async_wait([self = this->shared_from_this()](boost::system::error_code ec) {
            if (!ec && !self->closing_) {
                self->owner_.idle_closed_->add();
                core::log(core::log_level::debug, "syslog TCP: closing " + self->peer_.to_string() +
                                                      ", idle for the idle timeout");
                boost::system::error_code ignored;
                self->socket_.lowest_layer().close(ignored); // the read ends; what was read is kept
            }
        });
    }

    void on_read(boost::system::error_code ec, std::size_t n) {
        idle_.cancel();
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
        if (announced_) {
            batch_->input_changes.push_back({input_, false, {}, owner_.clock_.now_ns()});
        }
        submit([this] { close(); });
    }

    void on_frame(std::string_view frame) override {
        batch_->add(frame, owner_.kind_, recv_ns_, peer_, input_);
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
        const std::uint64_t sequence = owner_.acks_.next_sequence();
        const std::size_t records = batch_->size();
        if (batch_->empty() || owner_.sink_.try_submit(batch_)) {
            if (!batch_) {
                batch_ = std::make_unique<core::raw_batch>();
                owner_.window_.taken(sequence, records);
                owner_.unconfirmed_gauge_->set(
                    static_cast<std::int64_t>(owner_.window_.unconfirmed()));
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
        retry_.async_wait([self = this->shared_from_this(), next](boost::system::error_code) {
            self->submit(next);
        });
    }

    void close() {
        boost::system::error_code ignored;
        socket_.lowest_layer().shutdown(tcp::socket::shutdown_both, ignored);
        socket_.lowest_layer().close(ignored);
    }

    syslog_tcp_source& owner_;
    std::shared_ptr<void> held_; // declared before the stream, so destroyed after it
    Stream socket_;
    syslog_framer framer_;
    std::vector<char> buffer_;
    std::unique_ptr<core::raw_batch> batch_;
    asio::steady_timer retry_;
    asio::steady_timer idle_;
    std::chrono::milliseconds backoff_{1};
    core::peer_address peer_;
    core::input_id input_ = 0;
    std::int64_t recv_ns_ = 0;
    syslog_framer::counts seen_;
    std::chrono::steady_clock::time_point stop_deadline_ =
        std::chrono::steady_clock::time_point::max();
    bool closing_ = false;
    bool finished_ = false;
    bool handshaken_ = false;
    bool admitted_ = false;
    bool announced_ = false;
};

syslog_tcp_source::syslog_tcp_source(asio::io_context& io, syslog_tcp_config config,
                                     batch_sink& sink, durable_acks& acks,
                                     core::metrics_registry& metrics, const core::clock& clock)
    : config_(std::move(config)), sink_(sink), acks_(acks),
      window_(acks, config_.max_unconfirmed_records),
      kind_(config_.tls ? core::source_kind::syslog_tls : core::source_kind::syslog_tcp),
      probe_(metrics, std::string(core::to_string(kind_))), clock_(clock),
      limiter_(config_.limits, metrics, std::string(core::to_string(kind_))),
      listener_(
          io, config_.tls ? "syslog TLS listener" : "syslog TCP listener",
          [this](tcp::socket socket) {
              if (config_.tls) {
                  // The connection keeps the context it started with (a reload swaps in
                  // another for later connections).
                  auto context = config_.tls->current();
                  auto c = std::make_shared<connection<asio::ssl::stream<tcp::socket>>>(
                      *this, std::move(socket), *context);
                  c->hold(std::move(context));
                  c->start();
              } else {
                  std::make_shared<connection<tcp::socket>>(*this, std::move(socket))->start();
              }
          }) {
    unconfirmed_gauge_ = &metrics.make_gauge(
        "vigil_unconfirmed_records",
        "Records a source without acknowledgements has read that are not yet durable (what a "
        "crash would lose); reading pauses at syslog.max_unconfirmed_records.",
        {{"source", std::string(core::to_string(kind_))}});
    window_waits_ = &metrics.make_counter(
        "vigil_unconfirmed_window_waits_total",
        "Times a connection stopped reading because syslog.max_unconfirmed_records records read "
        "were not yet durable.",
        {{"source", std::string(core::to_string(kind_))}});
    idle_closed_ = &limiter_.closed_counter("idle");
    if (config_.tls) {
        handshake_failures_ = &metrics.make_counter(
            "vigil_tls_handshake_failures_total",
            "TLS connections closed because their handshake failed (plaintext, old protocol, "
            "client certificate), per source.",
            {{"source", std::string(core::to_string(kind_))}});
    }
}

syslog_tcp_source::~syslog_tcp_source() = default;

std::expected<void, std::string> syslog_tcp_source::start() {
    return listener_.start(config_.address);
}

tcp::endpoint syslog_tcp_source::local_endpoint() const {
    return listener_.local_endpoint();
}

std::string syslog_tcp_source::description() const {
    return std::string("listening: syslog/") + (config_.tls ? "tls " : "tcp ") +
           net::endpoint_text(local_endpoint());
}

void syslog_tcp_source::stop() {
    listener_.stop();
    // Copy first: stopping a connection may end it, which erases it from the set.
    const std::vector<connection_base*> open(connections_.begin(), connections_.end());
    for (auto* c : open) {
        c->stop();
    }
    window_.release_all();
}

} // namespace vigil::ingest
