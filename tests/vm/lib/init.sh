#!/bin/sh
# /init of the toa test VM, run by busybox sh as PID 1.
# The host reads everything from the serial console: markers, the test
# program's PASS/FAIL lines, the kernel log. PID 1 must never exit (that
# panics the kernel), so every path ends in poweroff -f.

export PATH=/bin
/bin/busybox mount -t devtmpfs devtmpfs /dev
# The kernel may have found no /dev/console in the initramfs; make sure our
# output reaches the serial console either way.
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
ip link set lo up || echo "FAIL vm-setup: ip link set lo up failed"
# Debian builds TUN as a module; the tests need /dev/net/tun.
insmod /lib/modules/tun.ko || echo "FAIL vm-setup: insmod /lib/modules/tun.ko failed"

echo "TOA-VM-START kernel=$(uname -r) cpus=$(nproc)"
cd /tmp || true
# The command line the host asked for (TOA_VM_RUN), toa-vmtest by default.
sh /etc/vm-run
rc=$?

# The full kernel log, including the info-level lines the console loglevel
# hides (TOA: toa loaded ...).
echo "TOA-VM-DMESG-BEGIN"
dmesg
echo "TOA-VM-DMESG-END"
echo "TOA-VM-DONE rc=$rc"
poweroff -f
# poweroff -f does not return; if it ever does, do not let init exit.
while :; do sleep 60; done
