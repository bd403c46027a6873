"""A real OpenLDAP server (Debian's slapd) for the tests, in a temporary folder on free ports.

`Slapd(folder).start()` writes a slapd.conf (mdb database, the memberOf overlay, ACLs that let
only the service account read entries), a CA and a server certificate for 127.0.0.1, adds the
entries of an LDIF through the running server (so the overlay writes memberOf), and serves
ldap:// (StartTLS offered) and ldaps:// on two free 127.0.0.1 ports until `stop()`. `make test`
installs slapd and ldap-utils when they are missing.
"""
import datetime
import ipaddress
import shutil
import socket
import subprocess
import time
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

SLAPD = "/usr/sbin/slapd"
SUFFIX = "dc=example,dc=org"
ROOT_DN = "cn=admin," + SUFFIX
ROOT_PASSWORD = "root-secret"
SERVICE_DN = "cn=knowhow-service," + SUFFIX
SERVICE_PASSWORD = "service-secret"
SCHEMAS = ("core", "cosine", "inetorgperson", "nis")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def make_ca(common_name):
    """A self-signed CA: (private key, certificate)."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    certificate = (x509.CertificateBuilder().subject_name(_name(common_name)).issuer_name(_name(common_name))
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(days=1))
                   .not_valid_after(now + datetime.timedelta(days=30))
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                   .sign(key, hashes.SHA256()))
    return key, certificate


def make_server_certificate(ca_key, ca_certificate, names=("127.0.0.1",)):
    """A server certificate for `names` (IP addresses or host names), signed by the CA."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    alternative = []
    for name in names:
        try:
            alternative.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            alternative.append(x509.DNSName(name))
    certificate = (x509.CertificateBuilder().subject_name(_name(names[0])).issuer_name(ca_certificate.subject)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(days=1))
                   .not_valid_after(now + datetime.timedelta(days=30))
                   .add_extension(x509.SubjectAlternativeName(alternative), critical=False)
                   .sign(ca_key, hashes.SHA256()))
    return key, certificate


def write_pem(path, certificate=None, key=None):
    if certificate is not None:
        path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    else:
        path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(path)


class Slapd:
    """One slapd in `folder`: `url` (ldap://, StartTLS offered), `ldaps_url`, `ca_file`."""

    def __init__(self, folder):
        self.folder = Path(folder)
        self.port, self.ldaps_port = free_port(), free_port()
        self.url = "ldap://127.0.0.1:%d" % self.port
        self.ldaps_url = "ldaps://127.0.0.1:%d" % self.ldaps_port
        self.process = None

    def _write_config(self):
        ca_key, ca_certificate = make_ca("Knowhow test CA")
        key, certificate = make_server_certificate(ca_key, ca_certificate)
        self.ca_file = write_pem(self.folder / "ca.pem", certificate=ca_certificate)
        certificate_file = write_pem(self.folder / "server.pem", certificate=certificate)
        key_file = write_pem(self.folder / "server.key", key=key)
        (self.folder / "data").mkdir()
        lines = ["include /etc/ldap/schema/%s.schema" % schema for schema in SCHEMAS] + [
            "modulepath /usr/lib/ldap",
            "moduleload back_mdb",
            "moduleload memberof",
            "pidfile %s" % (self.folder / "slapd.pid"),
            "TLSCACertificateFile %s" % self.ca_file,
            "TLSCertificateFile %s" % certificate_file,
            "TLSCertificateKeyFile %s" % key_file,
            "database mdb",
            'suffix "%s"' % SUFFIX,
            'rootdn "%s"' % ROOT_DN,
            "rootpw %s" % ROOT_PASSWORD,
            "directory %s" % (self.folder / "data"),
            "maxsize 10485760",
            "overlay memberof",
            "access to attrs=userPassword by self write by anonymous auth by * none",
            'access to * by dn.exact="%s" read by self read by * none' % SERVICE_DN,
        ]
        self.config_file = self.folder / "slapd.conf"
        self.config_file.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def start(self, ldif):
        """Start the server and add the entries of `ldif` (text) through it."""
        if not Path(SLAPD).exists():
            raise RuntimeError("slapd is not installed: run `make test`, or apt-get install slapd ldap-utils")
        self._write_config()
        # Only the base entry offline; the rest through the server, so memberOf is maintained.
        base = "dn: %s\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: Example\n" % SUFFIX
        subprocess.run(["/usr/sbin/slapadd", "-f", str(self.config_file)], input=base.encode(),
                       check=True, capture_output=True)
        self.process = subprocess.Popen(
            [SLAPD, "-f", str(self.config_file), "-h", "%s/ %s/" % (self.url, self.ldaps_url), "-d", "0"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self._wait_until_ready()
        self.modify(ldif, add=True)
        return self

    def _wait_until_ready(self, seconds=15):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("slapd stopped at start: %s" % self.process.stderr.read().decode(errors="replace"))
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("slapd did not listen on %s within %d s" % (self.url, seconds))

    def modify(self, ldif, add=False):
        """Apply LDIF changes as the root DN (`add`: the LDIF holds new entries)."""
        command = [shutil.which("ldapadd" if add else "ldapmodify"), "-x", "-H", self.url,
                   "-D", ROOT_DN, "-w", ROOT_PASSWORD]
        subprocess.run(command, input=ldif.encode("utf-8"), check=True, capture_output=True)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process is not None:
            self.process.stderr.close()
