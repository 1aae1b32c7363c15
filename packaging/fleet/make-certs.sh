#!/usr/bin/env bash
# Makes a small CA and the TLS certificates for journal upload: one for the collector (server)
# and one per host (client). journal-remote accepts only clients whose certificate this CA
# signed; journal-upload checks the collector's name against its certificate.
#   make-certs.sh DIR COLLECTOR[,ADDR...] HOST...
#   (COLLECTOR: its DNS name; ADDRs: IP addresses it is also reached at)
# Writes DIR/ca.crt, DIR/ca.key, DIR/COLLECTOR.{key,crt} and DIR/HOST.{key,crt}.
set -euo pipefail
dir=${1:?usage: make-certs.sh DIR COLLECTOR[,ADDR...] HOST...}
collector=${2:?usage: make-certs.sh DIR COLLECTOR[,ADDR...] HOST...}
shift 2
mkdir -p "$dir"
days=825
if [[ ! -s $dir/ca.crt ]]; then
    openssl req -x509 -newkey rsa:3072 -nodes -sha256 -days 3650 -subj "/CN=jitd journal CA" \
        -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
fi
# cert NAME SAN USAGE: a key and a certificate signed by the CA.
cert() {
    local name=$1 san=$2 usage=$3
    openssl req -newkey rsa:2048 -nodes -sha256 -subj "/CN=$name" \
        -keyout "$dir/$name.key" -out "$dir/$name.csr" 2>/dev/null
    openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" \
        -CAcreateserial -days "$days" -sha256 -out "$dir/$name.crt" \
        -extfile <(printf 'subjectAltName=%s\nextendedKeyUsage=%s\n' "$san" "$usage") 2>/dev/null
    rm -f "$dir/$name.csr"
}
IFS=, read -r -a names <<<"$collector"
san=DNS:${names[0]}
for addr in "${names[@]:1}"; do san+=",IP:$addr"; done
cert "${names[0]}" "$san" serverAuth
for host in "$@"; do cert "$host" "DNS:$host" clientAuth; done
echo "certificates in $dir"
