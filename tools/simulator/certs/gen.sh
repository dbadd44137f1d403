#!/usr/bin/env bash
# Regenerates the simulator's test PKI (never used outside tests). Run from this folder.
set -euo pipefail
days=36500
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days $days \
  -subj "/CN=ONTAP Simulator Test CA" -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign"
issue() { # name subject extensions
  openssl req -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "$2"
  printf '%s\n' "$3" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -out "$1.pem" -days $days -extfile "$1.ext"
  rm -f "$1.csr" "$1.ext"
}
issue server "/CN=localhost" "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1
extendedKeyUsage=serverAuth"
issue wrong-host "/CN=cluster.example.invalid" "subjectAltName=DNS:cluster.example.invalid
extendedKeyUsage=serverAuth"
issue client-admin "/CN=admin" "extendedKeyUsage=clientAuth"
rm -f ca.srl
