"""A local certification authority and time-stamping authority for the seal's tests.

certomancer (by pyHanko's author) builds the PKI of ``certomancer.yml`` and its Animator
serves it over real HTTP on a free 127.0.0.1 port: RFC 3161 time stamps, OCSP, CRLs and
the CA certificates, at the URLs written in the certificates it issues.
"""

import logging
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

CONFIG = Path(__file__).with_name("certomancer.yml")
ARCH = "cosge"
KEYS = ("root", "interm", "interm-ocsp", "tsa", "seal")

logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request


@dataclass
class LocalPKI:
    url: str
    root: Path
    tsa: Path
    seal_key: Path
    seal_cert: Path
    chain: Path
    server: object

    @property
    def tsa_url(self) -> str:
        return f"{self.url}/{ARCH}/tsa/tsa"

    def stop(self) -> None:
        self.server.shutdown()


def _write_key(path: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def _write_cert(arch, label: str, path: Path) -> Path:
    path.write_bytes(arch.get_cert(label).dump())
    return path


def _write_chain(arch, labels: tuple[str, ...], path: Path) -> Path:
    """The CA certificates in one PEM file, as a CA delivers them."""
    from asn1crypto import pem

    path.write_bytes(b"".join(pem.armor("CERTIFICATE", arch.get_cert(x).dump()) for x in labels))
    return path


def start(folder: Path) -> LocalPKI:
    """Create the keys in ``folder``, build the PKI and serve it until ``stop()``."""
    from certomancer.integrations.animator import Animator, AnimatorArchStore
    from certomancer.registry import CertomancerConfig
    from werkzeug.serving import make_server

    (folder / "keys").mkdir(parents=True)
    for label in KEYS:
        _write_key(folder / "keys" / f"{label}.key.pem")
    config = shutil.copy(CONFIG, folder / "certomancer.yml")

    application = {}
    server = make_server(
        "127.0.0.1", 0, lambda env, start: application["app"](env, start), threaded=True
    )
    url = f"http://127.0.0.1:{server.server_port}"
    certomancer = CertomancerConfig.from_file(config, external_url_prefix=url)
    application["app"] = Animator(AnimatorArchStore(certomancer.pki_archs), with_web_ui=False)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    arch = certomancer.get_pki_arch(ARCH)
    return LocalPKI(
        url=url,
        root=_write_cert(arch, "root", folder / "root.der"),
        tsa=_write_cert(arch, "tsa", folder / "tsa.der"),
        seal_key=folder / "keys" / "seal.key.pem",
        seal_cert=_write_cert(arch, "seal", folder / "seal.der"),
        chain=_write_chain(arch, ("interm", "root"), folder / "chain.pem"),
        server=server,
    )
