#!/usr/bin/env bash
# README quick start. SERVICE_AUTH overrides the command (the tests point it at dist/bin.js).
set -euo pipefail
service-auth() { ${SERVICE_AUTH:-command service-auth} "$@"; }

# A key pair: private-key.pem (mode 600) and its public jwks.json
service-auth keygen --alg ES256

# A 2-minute token from "billing" to "orders"
TOKEN=$(service-auth mint --key private-key.pem --issuer billing --audience orders \
  --lifetime 2m --permissions orders:read)

# Would "orders" accept it?
service-auth inspect "$TOKEN" --jwks jwks.json --issuer billing --audience orders

# And "payments"? Exit code 1 and the reason, as JSON
service-auth inspect "$TOKEN" --jwks jwks.json --issuer billing --audience payments --json || echo "exit $?"
