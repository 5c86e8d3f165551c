# shellcheck shell=bash
# Variables shared across the sourced files are set and read in different files:
# shellcheck disable=SC2034,SC2153
# Boot one kernel under QEMU and judge its serial console. Sourced by vm-test.

# vm_boot: boot the kernel with the initramfs (lib/qemu.sh; the kernel
# command line there makes any WARN, Oops or panic end the run); the console
# goes to $K_CONSOLE.
vm_boot() {
	local qemu_log=$VMT_LOG_DIR/$K_NAME.qemu.log rc=0
	K_CONSOLE=$VMT_LOG_DIR/$K_NAME.console.log
	rm -f "$K_CONSOLE"
	qemu_run arch="$K_ARCH" kernel="$K_VMLINUZ" initrd="$K_INITRD" console="$K_CONSOLE" \
		timeout="$VMT_TIMEOUT" log="$qemu_log" || rc=$?
	if qemu_timed_out "$rc"; then
		K_BOOT_NOTE="timed out after ${VMT_TIMEOUT}s"
	elif [[ $rc != 0 ]]; then
		sed "s/^/[$K_NAME]   qemu: /" "$qemu_log"
		kfail boot "qemu exited with $rc; log: $qemu_log"
	fi
	[[ -s $K_CONSOLE ]] || kfail boot "empty console log $K_CONSOLE"
}

# vm_crashed_before_start: the console shows a kernel complaint before the
# init's TOA-VM-START line (or without one), i.e. before the test program
# ran and before toa was ever loaded. Seen as "Oops: int3" in the kernel's
# own boot code under multi-threaded TCG (QEMU running a stale copy of code
# the kernel had just patched); vm-test boots such a kernel once more.
vm_crashed_before_start() {
	local log bad start
	log=$(qemu_console "$K_CONSOLE")
	bad=$(grep -n -m1 -E "$QEMU_BAD_KERNEL" <<<"$log" | cut -d: -f1)
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
	log=$(qemu_console "$K_CONSOLE")
	while IFS= read -r line; do
		case $line in
		PASS\ *) passed=$((passed + 1)) ;;
		FAIL\ *) failed=$((failed + 1)) ;;
		*) continue ;;
		esac
		say "$K_NAME" "$line"
	done <<<"$log"

	rc=$(sed -n 's/^TOA-VM-DONE rc=\([0-9][0-9]*\)$/\1/p' <<<"$log")
	if grep -qE "$QEMU_BAD_KERNEL" <<<"$log"; then
		problem="kernel reported: $(grep -m1 -E "$QEMU_BAD_KERNEL" <<<"$log")"
		# The first complaint with its call trace; the rest is in the log.
		grep -n -m1 -E -A30 "$QEMU_BAD_KERNEL" <<<"$log" | sed "s/^/[$K_NAME]   /"
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
