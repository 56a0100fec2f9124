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
  openssh-server openssh-client # probe-ssh: a real sshd and ssh client for login probes
  procps psmisc                 # pgrep/pkill/fuser used by process resources and cleanup
  openssl                       # self-signed certificates for the Redis TLS test
  postgresql                    # PostgreSQL 15 server and client: the lab's databases and the checkers' target
  util-linux bash               # setpriv (PostgreSQL runs as postgres in the lab), bash's /dev/tcp probes
  # The VM lab (issue 6): qemu guests on Debian's kernel (fetched with apt-get download on first use, never
  # installed), booted from a busybox initramfs, running the host's own storage tools over a 9p root.
  qemu-system-x86 busybox-static cpio kmod dbus
  targetcli-fb open-iscsi mdadm sg3-utils e2fsprogs  # LIO targets, the iSCSI initiator, RAID-1, SCSI-3 reservations
  libiscsi-bin                  # iscsi-test-cu: libiscsi's conformance suite against the generated targets
)

# Tests create their own clusters; Debian's default "main" cluster on port 5432 is not wanted.
mkdir -p /etc/postgresql-common
if ! grep -qs '^create_main_cluster = false' /etc/postgresql-common/createcluster.conf; then
  echo 'create_main_cluster = false' >> /etc/postgresql-common/createcluster.conf
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends -o Dpkg::Options::=--force-confold "${packages[@]}" >/dev/null

# Debian starts redis-server as a service on install; tests start their own on free ports.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet redis-server 2>/dev/null; then
  systemctl stop redis-server || true
fi
echo "install-system-deps: ok (${#packages[@]} packages)"
