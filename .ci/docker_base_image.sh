#!/usr/bin/env bash
# The Dockerfile's base image, made from Debian's packages alone (Docker Hub is not needed):
# a minbase debootstrap of SUITE with Python and venv, brought up to date, trimmed, and
# imported as NAME with LABEL org.briefing.base-recipe=RECIPE (a hash of this file's commands,
# so that a changed recipe makes a new image). Run as root by .ci/docker_image.py.
#
#   .ci/docker_base_image.sh NAME SUITE RECIPE
set -euo pipefail
name=$1 suite=$2 recipe=$3
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
security=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}

rootfs=$(mktemp -d /var/tmp/briefing-rootfs.XXXXXX)
cleanup() {
    # debootstrap mounts /proc and /sys inside while it works: never delete through a mount.
    findmnt -rn -o TARGET | grep "^$rootfs/" | sort -r | xargs -r umount -l || true
    rm -rf "$rootfs"
}
trap cleanup EXIT

debootstrap --variant=minbase --include=python3,python3-venv "$suite" "$rootfs" "$mirror"

# Security and point-release updates, which debootstrap alone does not bring.
cat > "$rootfs/etc/apt/sources.list" <<SOURCES
deb $mirror $suite main
deb $mirror $suite-updates main
deb $security $suite-security main
SOURCES
chroot "$rootfs" apt-get update -qq
chroot "$rootfs" env DEBIAN_FRONTEND=noninteractive apt-get upgrade -y -qq

# Trimmed: no package lists or caches, no documentation but the licences, no translations,
# nothing of the build host's (resolv.conf, hostname); later installs stay trimmed too.
cat > "$rootfs/etc/dpkg/dpkg.cfg.d/briefing-trim" <<'DPKG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
DPKG
chroot "$rootfs" apt-get clean
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/debconf/*-old \
    "$rootfs"/usr/share/man "$rootfs"/usr/share/info "$rootfs"/usr/share/locale \
    "$rootfs"/etc/resolv.conf "$rootfs"/etc/hostname
find "$rootfs/var/log" -type f -delete
find "$rootfs/usr/share/doc" -mindepth 2 ! -name copyright ! -type d -delete
find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete

tar -C "$rootfs" --numeric-owner --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' \
    -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change "LABEL org.briefing.base-recipe=$recipe" \
    --change 'CMD ["python3"]' \
    - "$name"
