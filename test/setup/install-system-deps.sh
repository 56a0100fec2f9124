#!/usr/bin/env bash
# Installs the Debian packages Tandem's test tiers need: real peers, not fakes.
# Run as root on Debian 12. Safe to run twice.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
  echo "install-system-deps: must run as root (it calls apt-get)" >&2
  exit 5
fi

packages=(
  redis-server redis-sentinel   # coordination store tests (standalone and Sentinel)
  openipmi ipmitool             # ipmi fencer against the ipmi_sim BMC simulator
  iproute2 iputils-ping arping nftables  # probes, VIP and the namespace lab
  procps psmisc                 # pgrep/pkill/fuser used by process resources and cleanup
  openssl                       # self-signed certificates for the Redis TLS test
)

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null

# Debian starts redis-server as a service on install; tests start their own on free ports.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet redis-server 2>/dev/null; then
  systemctl stop redis-server || true
fi
echo "install-system-deps: ok (${#packages[@]} packages)"
