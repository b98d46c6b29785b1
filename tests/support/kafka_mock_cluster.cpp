// A Kafka cluster for tests: librdkafka's mock cluster (rdkafka_mock.h), a real Kafka protocol
// listener on loopback. Usage: vigil_kafka_mock TOPIC[:PARTITIONS] ...
// Prints "bootstrap=HOST:PORT" on a line of its own once the topics exist, then serves until its
// standard input closes (or SIGTERM).
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <string>
#include <unistd.h>

int main(int argc, char** argv) {
    char error[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "log_level", "3", error, sizeof error) != RD_KAFKA_CONF_OK) {
        std::fprintf(stderr, "%s\n", error);
        return 2;
    }
    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
    if (rk == nullptr) {
        std::fprintf(stderr, "cannot create a Kafka handle: %s\n", error);
        return 1;
    }
    rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(rk, 1);
    if (cluster == nullptr) {
        std::fprintf(stderr, "cannot create the mock cluster\n");
        return 1;
    }
    for (int i = 1; i < argc; ++i) {
        std::string spec = argv[i];
        int partitions = 1;
        if (auto colon = spec.find(':'); colon != std::string::npos) {
            partitions = std::atoi(spec.c_str() + colon + 1);
            spec.resize(colon);
        }
        if (rd_kafka_mock_topic_create(cluster, spec.c_str(), partitions, 1) !=
            RD_KAFKA_RESP_ERR_NO_ERROR) {
            std::fprintf(stderr, "cannot create topic %s\n", spec.c_str());
            return 1;
        }
    }
    std::printf("bootstrap=%s\n", rd_kafka_mock_cluster_bootstraps(cluster));
    std::fflush(stdout);
    // Serve until stdin closes: the test holds the pipe.
    char buffer[256];
    while (read(STDIN_FILENO, buffer, sizeof buffer) > 0) {
    }
    rd_kafka_mock_cluster_destroy(cluster);
    rd_kafka_destroy(rk);
    return 0;
}
