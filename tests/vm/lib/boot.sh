# shellcheck shell=bash
# Variables shared across the sourced files are set and read in different files:
# shellcheck disable=SC2034,SC2153
# Boot one kernel under QEMU and judge its serial console. Sourced by vm-test.

# The console log must show anything that went wrong in the kernel:
#  - panic_on_warn=1 oops=panic: a WARN or Oops ends the run at once, so it
#    cannot scroll by unnoticed while the tests go on;
#  - panic=-1 with -no-reboot: the panic turns into a QEMU exit, not a hang;
#  - loglevel=5: KERN_WARNING and worse (WARNING:, BUG:, call traces) go to
#    the console as they happen; info lines arrive later through dmesg, so
#    they do not interleave with the test program's output.
VMT_CMDLINE_COMMON="panic=-1 panic_on_warn=1 oops=panic loglevel=5"

# vm_boot: run the VM with a timeout; the console goes to $K_CONSOLE.
vm_boot() {
	local qemu_log=$VMT_LOG_DIR/$K_NAME.qemu.log rc=0
	local -a qemu
	K_CONSOLE=$VMT_LOG_DIR/$K_NAME.console.log
	case $K_ARCH in
	amd64)
		# TCG only: KVM is not usable on the build machines, and TCG behaves
		# the same everywhere. thread=multi (TOA_VM_TCG_THREAD): one host
		# thread per vCPU, so the two vCPUs really run concurrently.
		qemu=(qemu-system-x86_64 -accel "tcg,thread=$VMT_TCG_THREAD" -cpu max
			-append "console=ttyS0 $VMT_CMDLINE_COMMON")
		;;
	arm64)
		# The generic "virt" board (PL011 UART = ttyAMA0), TCG as above.
		# pauth-impdef: QEMU's own pointer-authentication hash instead of
		# the architected QARMA one, which costs TCG a lot of time; the
		# guest cannot tell the difference.
		qemu=(qemu-system-aarch64 -M virt -accel "tcg,thread=$VMT_TCG_THREAD" -cpu "max,pauth-impdef=on"
			-append "console=ttyAMA0 $VMT_CMDLINE_COMMON")
		;;
	*) kfail boot "no QEMU setup for $K_ARCH" ;;
	esac
	command -v "${qemu[0]}" >/dev/null || kfail boot "${qemu[0]} not installed (tests/vm/install-deps)"
	qemu+=(-m "$VMT_MEM" -smp "$VMT_SMP" -nic none -nographic -no-reboot
		-monitor none -serial "file:$K_CONSOLE"
		-kernel "$K_VMLINUZ" -initrd "$K_INITRD")
	rm -f "$K_CONSOLE"
	timeout --kill-after=10 "$VMT_TIMEOUT" "${qemu[@]}" </dev/null >"$qemu_log" 2>&1 || rc=$?
	if [[ $rc == 124 || $rc == 137 ]]; then
		K_BOOT_NOTE="timed out after ${VMT_TIMEOUT}s"
	elif [[ $rc != 0 ]]; then
		sed "s/^/[$K_NAME]   qemu: /" "$qemu_log"
		kfail boot "qemu exited with $rc; log: $qemu_log"
	fi
	[[ -s $K_CONSOLE ]] || kfail boot "empty console log $K_CONSOLE"
}

# Console lines that mean the kernel itself complained.
VMT_BAD_KERNEL='BUG:|WARNING:|Oops|Call Trace|Kernel panic'

# vm_crashed_before_start: the console shows a kernel complaint before the
# init's TOA-VM-START line (or without one), i.e. before the test program
# ran and before toa was ever loaded. Seen as "Oops: int3" in the kernel's
# own boot code under multi-threaded TCG (QEMU running a stale copy of code
# the kernel had just patched); vm-test boots such a kernel once more.
vm_crashed_before_start() {
	local log bad start
	log=$(tr -d '\r' <"$K_CONSOLE")
	bad=$(grep -n -m1 -E "$VMT_BAD_KERNEL" <<<"$log" | cut -d: -f1)
	[[ -n $bad ]] || return 1
	start=$(grep -n -m1 '^TOA-VM-START' <<<"$log" | cut -d: -f1)
	[[ -z $start || $bad -lt $start ]]
}

# vm_verdict: print the scenario lines and write "PASSED FAILED" into
# $K_WORK/result. The kernel fails (one extra failed item) when the console
# shows a kernel complaint, the done marker is missing, no scenario ran, or
# the program exited non-zero without saying which scenario failed.
vm_verdict() {
	local log passed=0 failed=0 line rc='' problem=''
	# Drop carriage returns and SeaBIOS's terminal escape sequences.
	log=$(tr -d '\r' <"$K_CONSOLE" | sed 's/\x1b\[[0-9;?]*[A-Za-z]//g')
	while IFS= read -r line; do
		case $line in
		PASS\ *) passed=$((passed + 1)) ;;
		FAIL\ *) failed=$((failed + 1)) ;;
		*) continue ;;
		esac
		say "$K_NAME" "$line"
	done <<<"$log"

	rc=$(sed -n 's/^TOA-VM-DONE rc=\([0-9][0-9]*\)$/\1/p' <<<"$log")
	if grep -qE "$VMT_BAD_KERNEL" <<<"$log"; then
		problem="kernel reported: $(grep -m1 -E "$VMT_BAD_KERNEL" <<<"$log")"
		# The first complaint with its call trace; the rest is in the log.
		grep -n -m1 -E -A30 "$VMT_BAD_KERNEL" <<<"$log" | sed "s/^/[$K_NAME]   /"
	elif [[ -z $rc ]]; then
		problem="no TOA-VM-DONE marker (${K_BOOT_NOTE:-crash or early poweroff})"
		tail -n 30 <<<"$log" | sed "s/^/[$K_NAME]   /"
	elif ((passed + failed == 0)); then
		problem="the test program printed no PASS/FAIL line (rc=$rc)"
	elif [[ $rc != 0 && $failed == 0 ]]; then
		problem="toa-vmtest exited $rc without a FAIL line"
	fi
	if [[ -n $problem ]]; then
		say "$K_NAME" "FAIL vm: $problem"
		failed=$((failed + 1))
	elif [[ $rc != 0 ]]; then
		say "$K_NAME" "toa-vmtest exited $rc"
	fi
	echo "$passed $failed" >"$K_WORK/result"
}
