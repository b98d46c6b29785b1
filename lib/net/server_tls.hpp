#pragma once

#include <boost/asio/ssl/context.hpp>
#include <expected>
#include <memory>
#include <string>

namespace vigil::net {

// The PEM files of a TLS server.
struct tls_files {
    std::string certificate; // the server certificate (chain)
    std::string private_key;
    std::string client_ca; // empty: clients are not asked for certificates
};

// A TLS server's context, reloadable for certificate rotation. Every listener with TLS (syslog
// over TLS, the HTTP server) takes its context from here: TLS 1.2 or later only, the chain and
// key from PEM files; with `client_ca`, clients must present a certificate that CA signed.
// reload() reads the files again: new connections get the new context, open ones keep theirs
// (each holds its context); when the files are damaged the old context stays and the error
// says which file and why. I/O thread only.
class server_tls {
public:
    [[nodiscard]] static std::expected<std::shared_ptr<server_tls>, std::string>
    load(tls_files files);

    [[nodiscard]] std::shared_ptr<boost::asio::ssl::context> current() const { return current_; }
    [[nodiscard]] std::expected<void, std::string> reload();
    [[nodiscard]] const tls_files& files() const { return files_; }

private:
    explicit server_tls(tls_files files) : files_(std::move(files)) {}

    tls_files files_;
    std::shared_ptr<boost::asio::ssl::context> current_;
};

// A server context from `files`; the error names the file and OpenSSL's reason.
[[nodiscard]] std::expected<std::shared_ptr<boost::asio::ssl::context>, std::string>
make_tls_context(const tls_files& files);

} // namespace vigil::net
