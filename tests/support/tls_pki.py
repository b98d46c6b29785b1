"""A throw-away PKI for TLS tests, made with the openssl command line."""

import subprocess


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def make_pki(directory, names=("server", "client")):
    """A test CA and, per name, a certificate for 127.0.0.1 signed by it (<name>.pem, .key)."""
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
            "-subj", "/CN=vigil test CA", "-days", "1", cwd=directory)
    for name in names:
        make_certificate(directory, name)


def make_certificate(directory, name, common_name=None):
    """<name>.pem and <name>.key for 127.0.0.1, signed by the CA in `directory`."""
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.csr",
            "-subj", f"/CN={common_name or 'vigil test ' + name}", cwd=directory)
    (directory / f"{name}.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", f"{name}.pem", "-days", "1", "-extfile", f"{name}.ext", cwd=directory)
