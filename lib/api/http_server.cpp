#include "api/http_server.hpp"

#include "net/asio_peer.hpp"

#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <memory>
#include <optional>
#include <type_traits>
#include <vector>

namespace vigil::api {

std::expected<http_server_config, std::string>
http_server_settings(const config::vigil_config::http_section& http) {
    http_server_config out;
    if (http.listen) {
        out.address = *http.listen;
    }
    out.max_body_bytes = http.max_body_bytes;
    out.request_timeout = std::chrono::milliseconds(http.request_timeout_ns / 1'000'000);
    out.limits = {http.max_connections, http.max_connections_per_client};
    if (!http.tls.certificate.empty()) {
        auto context =
            net::server_tls::load({http.tls.certificate, http.tls.private_key, http.tls.client_ca});
        if (!context) {
            return std::unexpected("http.tls: " + context.error());
        }
        out.tls = *context;
    }
    return out;
}

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

// What the server needs of a connection, plain or TLS.
class http_server::session_base {
public:
    virtual ~session_base() = default;
    virtual void stop_after_reply() = 0;
};

template <typename Stream>
class http_server::session : public session_base,
                             public std::enable_shared_from_this<session<Stream>> {
    static constexpr bool tls = !std::is_same_v<Stream, beast::tcp_stream>;

public:
    template <typename... StreamArgs>
    session(http_server& owner, std::shared_ptr<void> held, StreamArgs&&... stream_args)
        : owner_(owner), held_(std::move(held)), stream_(std::forward<StreamArgs>(stream_args)...) {
        beast::error_code ec;
        const auto remote = socket().remote_endpoint(ec);
        if (!ec) {
            peer_ = net::to_peer_address(remote);
        }
        admitted_ = owner_.limiter_.admit(peer_);
        owner_.sessions_.insert(this);
    }
    ~session() {
        if (admitted_) {
            owner_.limiter_.release(peer_);
        }
        owner_.sessions_.erase(this);
    }

    void start() {
        if (!admitted_) {
            stop(); // over a connection limit (counted by the limiter)
            return;
        }
        if constexpr (tls) {
            // A client that does not finish its handshake within the request timeout is dropped.
            beast::get_lowest_layer(stream_).expires_after(owner_.config_.request_timeout);
            stream_.async_handshake(asio::ssl::stream_base::server,
                                    [self = this->shared_from_this()](beast::error_code ec) {
                                        if (ec) {
                                            self->owner_.handshake_failures_->add();
                                            self->stop();
                                            return;
                                        }
                                        self->read();
                                    });
        } else {
            read();
        }
    }

    // Server stop: a request being handled still gets its answer (an ingest request waits for
    // durability), then the connection closes; an idle connection closes now.
    void stop_after_reply() override {
        if (handling_) {
            closing_ = true;
            return;
        }
        stop();
    }

    void stop() {
        beast::error_code ignored;
        socket().shutdown(tcp::socket::shutdown_both, ignored);
        socket().close(ignored);
    }

private:
    tcp::socket& socket() { return beast::get_lowest_layer(stream_).socket(); }

    void read() {
        parser_.emplace();
        parser_->header_limit(static_cast<std::uint32_t>(owner_.config_.max_header_bytes));
        parser_->body_limit(owner_.config_.max_body_bytes);
        beast::get_lowest_layer(stream_).expires_after(owner_.config_.request_timeout);
        // The head first: requests whose framing is ambiguous are refused before their body is
        // read (request smuggling), then the body.
        http::async_read_header(stream_, buffer_, *parser_,
                                [self = this->shared_from_this()](
                                    beast::error_code ec, std::size_t) { self->on_header(ec); });
    }

    void on_header(beast::error_code ec) {
        if (ec) {
            on_read(ec);
            return;
        }
        if (auto problem = framing_problem(parser_->get())) {
            respond(http_router::error(400, *problem), false);
            return;
        }
        http::async_read(stream_, buffer_, *parser_,
                         [self = this->shared_from_this()](beast::error_code ec2, std::size_t) {
                             self->on_read(ec2);
                         });
    }

    // Content-Length together with Transfer-Encoding, or Content-Lengths that disagree, let a
    // proxy and this server see different requests in the same bytes (RFC 9112 §6.3): refused.
    static std::optional<std::string> framing_problem(const http::request<http::string_body>& r) {
        std::optional<std::string_view> length;
        bool transfer_encoding = false;
        for (const auto& field : r) {
            if (field.name() == http::field::content_length) {
                if (length && *length != field.value()) {
                    return "conflicting Content-Length headers";
                }
                length = field.value();
            } else if (field.name() == http::field::transfer_encoding) {
                transfer_encoding = true;
            }
        }
        if (length && transfer_encoding) {
            return "both Content-Length and Transfer-Encoding";
        }
        return std::nullopt;
    }

    void on_read(beast::error_code ec) {
        if (ec == beast::error::timeout) {
            // No whole request within http.request_timeout.
            (parser_->got_some() ? owner_.slow_closed_ : owner_.idle_closed_).add();
            stop();
            return;
        }
        if (ec == http::error::end_of_stream || ec == asio::error::operation_aborted ||
            ec == asio::error::connection_reset) {
            stop();
            return;
        }
        if (ec == http::error::body_limit) {
            respond(http_router::error(413, "request body larger than " +
                                                std::to_string(owner_.config_.max_body_bytes) +
                                                " bytes"),
                    false);
            return;
        }
        if (ec == http::error::header_limit) {
            respond(http_router::error(431, "request header larger than " +
                                                std::to_string(owner_.config_.max_header_bytes) +
                                                " bytes"),
                    false);
            return;
        }
        if (ec) {
            respond(http_router::error(400, "bad request: " + ec.message()), false);
            return;
        }
        auto request = parser_->release();
        http_request req;
        req.method = std::string(request.method_string());
        const std::string_view target = request.target();
        const std::size_t q = target.find('?');
        req.path = std::string(target.substr(0, q));
        if (q != std::string_view::npos) {
            req.query = std::string(target.substr(q + 1));
        }
        req.body = std::move(request.body());
        for (const auto& field : request) {
            std::string name(field.name_string());
            for (char& c : name) {
                c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
            }
            req.headers.emplace_back(std::move(name), std::string(field.value()));
        }
        req.peer = peer_;
        const bool keep_alive = request.keep_alive();
        handling_ = true;
        // The reply may come later and from another thread (a rule reload): hop back onto the
        // connection's executor to write it.
        owner_.router_.dispatch(
            req, [self = this->shared_from_this(), keep_alive](http_reply reply) {
                auto executor = self->stream_.get_executor();
                asio::post(executor, [self, keep_alive, reply = std::move(reply)]() mutable {
                    self->respond(std::move(reply), keep_alive);
                });
            });
    }

    void respond(http_reply reply, bool keep_alive) {
        handling_ = false;
        keep_alive = keep_alive && !closing_;
        auto response = std::make_shared<http::response<http::string_body>>();
        response->version(11);
        response->result(reply.status);
        response->set(http::field::server, "vigil");
        response->set(http::field::content_type, reply.content_type);
        for (const auto& [name, value] : reply.headers) {
            response->set(name, value);
        }
        response->keep_alive(keep_alive);
        response->body() = std::move(reply.body);
        response->prepare_payload();
        http::async_write(
            stream_, *response,
            [self = this->shared_from_this(), response](beast::error_code ec, std::size_t) {
                if (ec || !response->keep_alive()) {
                    self->stop();
                    return;
                }
                self->read();
            });
    }

    http_server& owner_;
    std::shared_ptr<void> held_; // the TLS context; declared before the stream it outlives
    Stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    core::peer_address peer_;
    bool admitted_ = false;
    bool handling_ = false; // a request was read and its answer is not written yet
    bool closing_ = false;  // the server stops: close after that answer
};

http_server::http_server(asio::io_context& io, http_server_config config, const http_router& router,
                         core::metrics_registry& metrics)
    : config_(std::move(config)), router_(router), limiter_(config_.limits, metrics, "http"),
      idle_closed_(limiter_.closed_counter("idle")),
      slow_closed_(limiter_.closed_counter("slow_request")),
      listener_(io, config_.tls ? "HTTPS listener" : "HTTP listener", [this](tcp::socket socket) {
          if (config_.tls) {
              // A connection keeps the context it started with; a reload serves later ones.
              auto context = config_.tls->current();
              auto& ctx = *context;
              std::make_shared<session<beast::ssl_stream<beast::tcp_stream>>>(
                  *this, std::move(context), std::move(socket), ctx)
                  ->start();
          } else {
              std::make_shared<session<beast::tcp_stream>>(*this, nullptr, std::move(socket))
                  ->start();
          }
      }) {
    if (config_.tls) {
        handshake_failures_ = &metrics.make_counter(
            "vigil_tls_handshake_failures_total",
            "TLS connections closed because their handshake failed (plaintext, old protocol, "
            "client certificate), per source.",
            {{"source", "http"}});
    }
}

http_server::~http_server() = default;

std::expected<void, std::string> http_server::start() {
    return listener_.start(config_.address);
}

tcp::endpoint http_server::local_endpoint() const {
    return listener_.local_endpoint();
}

void http_server::stop() {
    listener_.stop();
    const std::vector<session_base*> open(sessions_.begin(), sessions_.end());
    for (auto* s : open) {
        s->stop_after_reply();
    }
}

} // namespace vigil::api
