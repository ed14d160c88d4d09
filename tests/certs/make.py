#!/usr/bin/env python3
"""Write the test certificates of this directory (trustme; run again to renew them).

Every file is PEM. ``ca.pem`` signs ``server*`` and ``client*``; ``other-ca.pem``
signs ``stranger*`` (a client certificate the servers do not trust). The valid ones
last until 2099; ``expired`` ended in 2001; ``wronghost`` names only
``wrong.example``; ``selfsigned`` is a certificate that signed itself;
``server-with-root`` sends the CA's own certificate after the leaf.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import trustme

HERE = Path(__file__).resolve().parent
START = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
END = datetime.datetime(2099, 12, 31, tzinfo=datetime.UTC)


def write(name: str, data: bytes) -> None:
    (HERE / name).write_bytes(data)


def leaf(ca: trustme.CA, name: str, *identities: str, **dates: datetime.datetime) -> trustme.LeafCert:
    cert = ca.issue_cert(*identities, not_before=dates.get("not_before", START), not_after=dates.get("not_after", END))
    write(f"{name}.pem", b"".join(p.bytes() for p in cert.cert_chain_pems))
    write(f"{name}-key.pem", cert.private_key_pem.bytes())
    return cert


def main() -> None:
    ca = trustme.CA(organization_name="trio_nodestreams test CA")
    other = trustme.CA(organization_name="trio_nodestreams other CA")
    write("ca.pem", ca.cert_pem.bytes())
    write("other-ca.pem", other.cert_pem.bytes())
    server = leaf(ca, "server", "localhost", "127.0.0.1")
    write("server-with-root.pem", server.cert_chain_pems[0].bytes() + ca.cert_pem.bytes())
    leaf(ca, "client", "client@example.test")
    leaf(other, "stranger", "stranger@example.test")
    leaf(ca, "wronghost", "wrong.example")
    leaf(
        ca, "expired", "localhost", "127.0.0.1",
        not_before=datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC),
        not_after=datetime.datetime(2001, 1, 1, tzinfo=datetime.UTC),
    )  # fmt: skip
    # A self-signed server certificate: the other CA's own, with its key.
    write("selfsigned.pem", other.cert_pem.bytes())
    write("selfsigned-key.pem", other.private_key_pem.bytes())


if __name__ == "__main__":
    main()
