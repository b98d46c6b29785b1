#include "gen/syslog_generator.hpp"

#include <cstdio>

namespace vigil::bench {
namespace {

constexpr const char* hosts[] = {"web01", "web02", "web03", "bastion", "db01", "app03", "lb01"};
constexpr const char* users[] = {"alice", "bob", "deploy", "backup", "jenkins", "carol", "dave"};
constexpr const char* bad_users[] = {"admin", "oracle", "test",    "ubuntu", "postgres",
                                     "pi",    "guest",  "support", "user1",  "ftpuser"};
constexpr const char* paths[] = {"/",
                                 "/index.html",
                                 "/api/v1/orders?page=2&size=50",
                                 "/static/js/app.4f1c2b.js",
                                 "/static/css/site.min.css",
                                 "/images/logo.svg",
                                 "/api/v1/cart/items",
                                 "/login",
                                 "/products/4711/reviews?sort=newest",
                                 "/favicon.ico",
                                 "/api/v1/search?q=winter+boots&lang=en"};
constexpr const char* agents[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "okhttp/4.12.0"};
constexpr const char* attack_requests[] = {
    "GET /item.php?id=1%20UNION%20SELECT%20username,password%20FROM%20users-- HTTP/1.1",
    "GET /../../../../etc/passwd HTTP/1.1",
    "POST /wp-login.php HTTP/1.1",
    "GET /.env HTTP/1.1",
    "GET /search?q=%3Cscript%3Ealert(1)%3C/script%3E HTTP/1.1",
    "GET /admin/config.php HTTP/1.1"};
constexpr const char* attack_agents[] = {
    "sqlmap/1.8.2#stable (https://sqlmap.org)", "python-requests/2.32.3", "Nikto/2.5.0",
    "masscan/1.3 (https://github.com/robertdavidgraham/masscan)"};
constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

} // namespace

syslog_generator::syslog_generator(std::uint64_t seed, double attack_share)
    : random_(seed), attack_share_(attack_share), clock_ms_(1'795'250'000'000) {}

template <typename T, std::size_t N>
const T& syslog_generator::pick(const T (&items)[N]) {
    return items[random_() % N];
}

std::string syslog_generator::ip(bool internal) {
    char buf[32];
    if (internal) {
        std::snprintf(buf, sizeof buf, "10.%u.%u.%u", static_cast<unsigned>(random_() % 8),
                      static_cast<unsigned>(random_() % 256),
                      static_cast<unsigned>(1 + random_() % 254));
    } else {
        // Documentation and otherwise unrouted ranges.
        static constexpr const char* prefixes[] = {"192.0.2", "198.51.100", "203.0.113"};
        std::snprintf(buf, sizeof buf, "%s.%u", pick(prefixes),
                      static_cast<unsigned>(1 + random_() % 254));
    }
    return buf;
}

syslog_generator::parts syslog_generator::next_parts() {
    clock_ms_ += static_cast<std::int64_t>(random_() % 40);
    const bool attack = std::uniform_real_distribution<double>(0, 1)(random_) < attack_share_;
    const unsigned kind = static_cast<unsigned>(random_() % 10);
    char buf[768];
    parts p;
    p.pid = static_cast<int>(1000 + random_() % 60000);
    if (kind < 5) {
        // nginx access log: half of all traffic.
        p.priority = 190;
        p.host = pick(hosts);
        p.app = "nginx";
        const bool bad = attack && random_() % 2 == 0;
        std::snprintf(
            buf, sizeof buf,
            "%s - - [21/Nov/2026:10:%02u:%02u +0000] \"%s\" %u %u "
            "\"https://shop.example.com/category/winter-sale?utm_source=newsletter\" \"%s\" "
            "rt=0.%03u uct=0.000 upstream=10.0.1.%u:8080",
            ip(false).c_str(), static_cast<unsigned>(random_() % 60),
            static_cast<unsigned>(random_() % 60),
            bad ? pick(attack_requests)
                : (std::string(random_() % 4 == 0 ? "POST " : "GET ") + pick(paths) + " HTTP/1.1")
                      .c_str(),
            bad ? 404u : (random_() % 20 == 0 ? 502u : 200u),
            static_cast<unsigned>(200 + random_() % 40000),
            bad ? pick(attack_agents) : pick(agents), static_cast<unsigned>(random_() % 1000),
            static_cast<unsigned>(10 + random_() % 4));
    } else if (kind < 7) {
        p.priority = 38;
        p.host = "bastion";
        p.app = "sshd";
        if (attack) {
            std::snprintf(buf, sizeof buf,
                          "Failed password for invalid user %s from %s port %u ssh2",
                          pick(bad_users), ip(false).c_str(),
                          static_cast<unsigned>(1024 + random_() % 60000));
        } else if (random_() % 3 == 0) {
            std::snprintf(
                buf, sizeof buf,
                "Accepted publickey for %s from %s port %u ssh2: ED25519 SHA256:%016llx%016llx",
                pick(users), ip(true).c_str(), static_cast<unsigned>(1024 + random_() % 60000),
                static_cast<unsigned long long>(random_()),
                static_cast<unsigned long long>(random_()));
        } else {
            std::snprintf(buf, sizeof buf,
                          "pam_unix(sshd:session): session opened for user %s(uid=%u) by (uid=0)",
                          pick(users), static_cast<unsigned>(1000 + random_() % 50));
        }
    } else if (kind < 8) {
        p.priority = 85;
        p.host = pick(hosts);
        p.app = "sudo";
        std::snprintf(buf, sizeof buf, "  %s : TTY=pts/%u ; PWD=/home/%s ; USER=root ; COMMAND=%s",
                      pick(users), static_cast<unsigned>(random_() % 5), pick(users),
                      attack ? "/bin/cat /etc/shadow" : "/usr/bin/systemctl restart nginx.service");
    } else if (kind < 9) {
        p.priority = 4;
        p.host = "lb01";
        p.app = "kernel";
        std::snprintf(
            buf, sizeof buf,
            "[%u.%06u] [UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 "
            "SRC=%s DST=10.0.0.5 LEN=44 TOS=0x00 PREC=0x00 TTL=%u ID=%u PROTO=TCP SPT=%u DPT=%u "
            "WINDOW=1024 RES=0x00 SYN URGP=0",
            static_cast<unsigned>(random_() % 900000), static_cast<unsigned>(random_() % 1000000),
            ip(false).c_str(), static_cast<unsigned>(40 + random_() % 200),
            static_cast<unsigned>(random_() % 65536),
            static_cast<unsigned>(1024 + random_() % 60000),
            attack ? 3389u : static_cast<unsigned>(1 + random_() % 1024));
    } else {
        p.priority = 78;
        p.host = pick(hosts);
        p.app = "CRON";
        std::snprintf(
            buf, sizeof buf,
            "(%s) CMD (/usr/local/bin/backup-rotate --keep 14 --target s3://backups-%s/daily "
            "--log /var/log/backup/rotate.log)",
            pick(users), pick(hosts));
    }
    p.message = buf;
    return p;
}

std::string syslog_generator::next_rfc3164() {
    const parts p = next_parts();
    const std::int64_t seconds = clock_ms_ / 1000;
    char head[96];
    std::snprintf(head, sizeof head, "<%d>%s %2lld %02lld:%02lld:%02lld %s %s[%d]: ", p.priority,
                  months[10], static_cast<long long>(21 + seconds / 86400 % 5),
                  static_cast<long long>(seconds / 3600 % 24),
                  static_cast<long long>(seconds / 60 % 60), static_cast<long long>(seconds % 60),
                  p.host.c_str(), p.app.c_str(), p.pid);
    return head + p.message;
}

std::string syslog_generator::next_rfc5424() {
    const parts p = next_parts();
    const std::int64_t seconds = clock_ms_ / 1000;
    char head[128];
    std::snprintf(head, sizeof head,
                  "<%d>1 2026-11-%02lldT%02lld:%02lld:%02lld.%03lldZ %s %s %d - - ", p.priority,
                  static_cast<long long>(21 + seconds / 86400 % 5),
                  static_cast<long long>(seconds / 3600 % 24),
                  static_cast<long long>(seconds / 60 % 60), static_cast<long long>(seconds % 60),
                  static_cast<long long>(clock_ms_ % 1000), p.host.c_str(), p.app.c_str(), p.pid);
    return head + p.message;
}

} // namespace vigil::bench
