#!/usr/bin/env python3
"""Writes the fuzz_signed_request seeds into corpus/signed_request/.

Usage: make_signed_request_seeds.py KEYDIR
KEYDIR holds the throwaway keys whose public halves signed_request_checks.cpp embeds: user (ed25519),
ecdsa, rsa, ca and cu (a user key) with cu-cert.pub (ssh-keygen -s ca -I fuzz -n alice
-V always:forever -O source-address=192.0.2.0/24) and cu2-cert.pub (critical:frob@example.com and
force-command). New keys mean new constants in signed_request_checks.cpp. Signs with ssh-keygen.
"""
import base64
import os
import struct
import subprocess
import sys
import tempfile

NOW = 1800000000  # the checks' fixed clock


def string(b):
    return struct.pack(">I", len(b)) + b


def request(host=b"bastion-7", port=22, source=bytes([4, 192, 0, 2, 10, 32]), user=b""):
    return (b"JITD-REQ\x01" + string(host) + struct.pack(">H", port) + b"\x06" + source +
            b"\x01" + struct.pack(">Q", 3600) + string(b"fuzz seed") + string(user) +
            struct.pack(">Q", NOW) + bytes(range(16)))


def sign(key, message, namespace="jitd"):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "m")
        with open(path, "wb") as f:
            f.write(message)
        subprocess.run(["ssh-keygen", "-q", "-Y", "sign", "-n", namespace, "-f", key, path],
                       check=True)
        text = open(path + ".sig").read().splitlines()
        return base64.b64decode("".join(text[1:-1]))


def datagram(req, sig):
    return string(req) + string(sig)


def main():
    keys = sys.argv[1]
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "signed_request")
    os.makedirs(out, exist_ok=True)
    k = lambda name: os.path.join(keys, name)
    req = request()
    seeds = {
        "ed25519-ok": datagram(req, sign(k("user"), req)),
        "ecdsa-ok": datagram(req, sign(k("ecdsa"), req)),
        "rsa-ok": datagram(req, sign(k("rsa"), req)),
        "cert-ok": datagram(request(user=b"alice"), sign(k("cu-cert.pub"), request(user=b"alice"))),
        "cert-options": datagram(req, sign(k("cu2-cert.pub"), req)),
        "wrong-namespace": datagram(req, sign(k("user"), req, "file")),
        "wrong-host": datagram(request(host=b"elsewhere"), sign(k("user"), request(host=b"elsewhere"))),
        "from-packet-v6": datagram(request(source=b"\x00"), sign(k("ecdsa"), request(source=b"\x00"))),
        "request-only": req,
        "request-v6-net": request(source=bytes([6]) + bytes.fromhex("20010db8") + bytes(12) + b"\x30"),
        "authorized-keys": (b'from="192.0.2.0/24,!192.0.2.1",no-pty ' + open(k("user.pub"), "rb").read() +
                            b"restrict " + open(k("ecdsa.pub"), "rb").read() +
                            b'command="x" ' + open(k("rsa.pub"), "rb").read()),
        "certificate-blob": base64.b64decode(open(k("cu-cert.pub")).read().split()[1]),
    }
    tampered = bytearray(seeds["ed25519-ok"])
    tampered[30] ^= 1
    seeds["tampered"] = bytes(tampered)
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
