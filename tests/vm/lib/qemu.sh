# shellcheck shell=bash
# Set here, read by the files that source this one:
# shellcheck disable=SC2034
# The one QEMU command line of the harness. Every boot goes through
# qemu_run: vm-test's kernels (lib/boot.sh), and the booted Debian system of
# tests/vm/image.sh (tests/packaging/vm-boot, tests/packaging/ansible-vm).
# Sourced, not run. Needs nothing else from lib/.

# The kernel command line of every boot, after console=:
#  - panic_on_warn=1 oops=panic: a WARN or Oops ends the run at once, so it
#    cannot scroll by unnoticed while the tests go on;
#  - panic=-1 with -no-reboot: the panic turns into a QEMU exit, not a hang;
#  - loglevel=5: KERN_WARNING and worse (WARNING:, BUG:, call traces) go to
#    the console as they happen; info lines arrive later through dmesg, so
#    they do not interleave with the test program's output.
QEMU_CMDLINE_COMMON="panic=-1 panic_on_warn=1 oops=panic loglevel=5"

# qemu_run SETTING=VALUE...: boot one VM under TCG (software emulation: KVM
# is not usable on the build machines, and TCG behaves the same everywhere).
#
#   arch=amd64|arm64    amd64: qemu-system-x86_64 -cpu max, console ttyS0;
#                       arm64: qemu-system-aarch64 -M virt (PL011 UART =
#                       ttyAMA0) -cpu max,pauth-impdef=on (QEMU's own
#                       pointer-authentication hash instead of QARMA, which
#                       costs TCG a lot of time; the guest cannot tell)
#   kernel=FILE         the kernel image (required)
#   initrd=FILE         the initramfs (required)
#   cmdline=TEXT        appended to "console=<first port> $QEMU_CMDLINE_COMMON"
#   disk=FILE           a raw disk image on virtio (/dev/vda), with -snapshot:
#                       the file itself is never written
#   console=FILE        the first serial port, the kernel's console (required)
#   results=FILE        a second channel, for results apart from the kernel's
#                       and systemd's lines: the guest's /dev/ttyS1 (amd64), or
#                       a virtio console /dev/hvc0 (arm64: virt has one UART;
#                       the guest needs the virtio_mmio and virtio_console
#                       modules, both =m in Debian's arm64 kernel)
#   net=none|user       none (default), or QEMU's user network on virtio-net
#                       (the guest is 10.0.2.15/24, the host 10.0.2.2)
#   fwd=RULE            with net=user, a host port forward, QEMU's hostfwd
#                       form (tcp:127.0.0.1:2222-:22); may be given again
#   smp=N               vCPUs: $TOA_VM_SMP, else 2 (1 with icount)
#   mem=MiB             $TOA_VM_MEM, else 1024
#   tcg_thread=multi|single  $TOA_VM_TCG_THREAD, else multi (single with
#                       icount). multi: one host thread per vCPU, so vCPUs
#                       really run concurrently; single: they interleave on
#                       one thread (tests/stress/run needs it)
#   icount=0|1          $TOA_VM_ICOUNT, else 0. 1: -icount shift=0,sleep=off,
#                       the guest clock advances 1 ns per guest instruction
#                       (a time difference in the guest is an instruction
#                       count); needs smp=1 and tcg_thread=single
#   timeout=SECONDS     how long QEMU may run (required); then TERM, and KILL
#                       10 s later
#   log=FILE            the command line and QEMU's own output (default
#                       /dev/null)
#   pid=NAME            run in the background and set the caller's variable
#                       NAME (not one of these settings' names) to the pid
#                       (of timeout, which passes a TERM on to QEMU)
#   dry_run=1           only print the command line (tests/vm/qemu-test)
#
# In the foreground it returns QEMU's exit status: 0 after the guest powered
# off, 124 or 137 when it timed out (qemu_timed_out). A bad setting prints
# "qemu_run: ..." on stderr and into the log and returns 2 without starting
# anything.
qemu_run() {
	# One local per setting, named like it.
	local arch='' kernel='' initrd='' cmdline='' disk='' console='' results='' net=none fwd=''
	local smp=${TOA_VM_SMP:-} mem=${TOA_VM_MEM:-1024} tcg_thread=${TOA_VM_TCG_THREAD:-}
	local icount=${TOA_VM_ICOUNT:-0} timeout='' log=/dev/null pid='' dry_run=0 kv key err=''
	local -a q
	for kv in "$@"; do
		key=${kv%%=*}
		[[ $kv == *=* ]] || key=''
		case $key in
		arch | kernel | initrd | cmdline | disk | console | results | net | smp | mem | tcg_thread | icount | timeout | log | pid | dry_run)
			printf -v "$key" '%s' "${kv#*=}"
			;;
		fwd) fwd+=",hostfwd=${kv#*=}" ;;
		*) err=${err:-"unknown setting '$kv'"} ;;
		esac
	done

	# The first complaint is the one reported.
	case $icount in
	0) smp=${smp:-2} tcg_thread=${tcg_thread:-multi} ;;
	1)
		smp=${smp:-1} tcg_thread=${tcg_thread:-single}
		[[ $smp == 1 ]] || err=${err:-"icount=1 needs smp=1, not $smp (TOA_VM_SMP)"}
		[[ $tcg_thread == single ]] || err=${err:-"icount=1 needs tcg_thread=single, not $tcg_thread (TOA_VM_TCG_THREAD)"}
		;;
	*) err=${err:-"icount must be 0 or 1, not '$icount' (TOA_VM_ICOUNT)"} ;;
	esac
	[[ $tcg_thread == multi || $tcg_thread == single ]] || err=${err:-"tcg_thread must be multi or single, not '$tcg_thread' (TOA_VM_TCG_THREAD)"}
	[[ $smp =~ ^[1-9][0-9]*$ ]] || err=${err:-"smp must be a number, not '$smp' (TOA_VM_SMP)"}
	[[ $mem =~ ^[1-9][0-9]*$ ]] || err=${err:-"mem must be a number of MiB, not '$mem' (TOA_VM_MEM)"}
	[[ $timeout =~ ^[1-9][0-9]*$ ]] || err=${err:-"timeout must be a number of seconds, not '$timeout'"}
	[[ -n $kernel && -n $initrd && -n $console ]] || err=${err:-"kernel=, initrd= and console= are required"}
	[[ $net == none || $net == user ]] || err=${err:-"net must be none or user, not '$net'"}
	[[ -z $fwd || $net == user ]] || err=${err:-"fwd= needs net=user"}

	case $arch in
	amd64)
		q=(qemu-system-x86_64 -cpu max -serial "file:$console")
		cmdline="console=ttyS0 $QEMU_CMDLINE_COMMON${cmdline:+ $cmdline}"
		[[ -z $results ]] || q+=(-serial "file:$results")
		;;
	arm64)
		q=(qemu-system-aarch64 -M virt -cpu "max,pauth-impdef=on" -serial "file:$console")
		cmdline="console=ttyAMA0 $QEMU_CMDLINE_COMMON${cmdline:+ $cmdline}"
		[[ -z $results ]] || q+=(-device virtio-serial-device
			-chardev "file,id=toa-results,path=$results" -device "virtconsole,chardev=toa-results")
		;;
	*) err=${err:-"arch must be amd64 or arm64, not '$arch'"} ;;
	esac
	[[ -n $err || $dry_run == 1 ]] || command -v "${q[0]}" >/dev/null || err="${q[0]} not installed (tests/vm/install-deps)"
	if [[ -n $err ]]; then
		printf 'qemu_run: %s\n' "$err" >"$log"
		printf 'qemu_run: %s\n' "$err" >&2
		return 2
	fi

	q+=(-accel "tcg,thread=$tcg_thread" -m "$mem" -smp "$smp" -nographic -no-reboot -monitor none
		-kernel "$kernel" -initrd "$initrd" -append "$cmdline")
	[[ $icount == 0 ]] || q+=(-icount "shift=0,sleep=off")
	[[ -z $disk ]] || q+=(-snapshot -drive "file=$disk,format=raw,if=virtio")
	if [[ $net == user ]]; then
		q+=(-nic "user,model=virtio-net-pci$fwd")
	else
		q+=(-nic none)
	fi

	if [[ $dry_run == 1 ]]; then
		printf '%s\n' "${q[*]}"
		return 0
	fi
	printf '+ %s\n' "${q[*]}" >"$log"
	if [[ -n $pid ]]; then
		timeout --kill-after=10 "$timeout" "${q[@]}" </dev/null >>"$log" 2>&1 &
		printf -v "$pid" '%s' "$!"
		return 0
	fi
	local rc=0
	timeout --kill-after=10 "$timeout" "${q[@]}" </dev/null >>"$log" 2>&1 || rc=$?
	return "$rc"
}

# Console lines that mean the kernel itself complained: BUG: (also "BUG:
# sleeping function called from invalid context", "BUG: scheduling while
# atomic", "watchdog: BUG: soft lockup"), WARNING:, oopses, call traces,
# panics, a hung task ("INFO: task X:1 blocked for more than 120 seconds")
# and an RCU stall of any flavour ("rcu: INFO: rcu_preempt detected stalls
# on CPUs/tasks", "... detected expedited stalls on CPUs/tasks", "INFO:
# rcu_tasks detected stalls on tasks", "... self-detected stall on CPU").
QEMU_BAD_KERNEL='BUG:|WARNING:|Oops|Call Trace|Kernel panic|INFO: task .* blocked for more than|detected (expedited )?stalls? on|self-detected stall'

# qemu_console FILE: a serial log as text: no carriage returns, no terminal
# escape sequences (SeaBIOS's); nothing when FILE is missing.
qemu_console() {
	[[ -f $1 ]] || return 0
	tr -d '\r' <"$1" | sed 's/\x1b\[[0-9;?]*[A-Za-z]//g'
}

# qemu_timed_out STATUS: true when qemu_run's STATUS means the timeout ended
# QEMU (TERM: 124, KILL after the grace period: 137).
qemu_timed_out() { [[ $1 == 124 || $1 == 137 ]]; }
