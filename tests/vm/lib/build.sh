# shellcheck shell=bash
# Variables shared across the sourced files are set and read in different files:
# shellcheck disable=SC2034,SC2153
# Build the module for one kernel, and the in-VM test programs once per run.
# Sourced by vm-test.

# Where the sources come from. Overridable so the harness itself can be
# tested against a stand-in module and test program.
VMT_SOURCE_ROOT=${TOA_SOURCE_ROOT:-$VMT_REPO}
VMT_PROG_DIR=${TOA_VM_PROG_DIR:-$VMT_REPO/tests/kernel}

# module_build: copy module/ and VERSION into a per-kernel directory (so
# several kernels never share object files in the source tree) and run the
# module's own Makefile against the unpacked headers. Any warning fails.
# Sets K_KO and K_BUILDLOG, and K_KSOCK (the test-only module).
module_build() {
	local src=$K_WORK/src args
	K_BUILDLOG=$VMT_LOG_DIR/$K_NAME.build.log
	rm -rf "$src"
	mkdir -p "$src"
	[[ -f $VMT_SOURCE_ROOT/module/Makefile ]] || kfail build "no $VMT_SOURCE_ROOT/module/Makefile"
	# The contents, so that a symlinked module/ or VERSION (TOA_SOURCE_ROOT
	# built of links) still gives real files, also inside a chroot.
	mkdir -p "$src/module"
	cp -a "$VMT_SOURCE_ROOT/module/." "$src/module/"
	cp -L "$VMT_SOURCE_ROOT/VERSION" "$src/VERSION"
	# A stale object copied from a developer's in-tree build would hide errors.
	find "$src/module" \( -name '*.o' -o -name '*.ko' -o -name '*.mod*' -o -name '.*.cmd' \
		-o -name 'Module.symvers' -o -name 'modules.order' \) -delete

	args=(-C "$src/module" "KDIR=$K_HDR")
	# Another architecture: cross-compile (the unpacked kbuild tools are
	# the host's, see kernel_download).
	if [[ $K_ARCH != "$(host_arch)" ]]; then
		args+=("ARCH=$(deb_kernel_arch "$K_ARCH")" "CROSS_COMPILE=$(deb_gnu_type "$K_ARCH")-")
	fi
	[[ $K_CC == - ]] || args+=("CC=$K_CC")
	if [[ $VMT_W1 == 1 ]]; then args+=(W=1); fi
	# With -j2 the whole build stays within the two cores we share.
	local -a runner=()
	if [[ -n ${K_CHROOT:-} ]]; then
		# Same paths inside the chroot: the source copy (read-write) and
		# the unpacked kernel (read-only) are bind-mounted where they are.
		runner=(chroot_run "$K_CHROOT" "$src" "$K_DIR/root")
	fi
	if ! "${runner[@]}" make -j2 "${args[@]}" >"$K_BUILDLOG" 2>&1; then
		tail -n 40 "$K_BUILDLOG" | sed "s/^/[$K_NAME]   /"
		kfail build "module build failed (make ${args[*]:2}); log: $K_BUILDLOG"
	fi
	# Warnings fail the build: compiler ("warning:"), modpost ("WARNING:").
	if grep -qi 'warning:' "$K_BUILDLOG"; then
		grep -i -B2 -A4 'warning:' "$K_BUILDLOG" | sed "s/^/[$K_NAME]   /" | awk 'NR <= 60'
		kfail build "module build printed warnings (make ${args[*]:2}); log: $K_BUILDLOG"
	fi
	K_KO=$src/module/toa.ko
	[[ -f $K_KO ]] || kfail build "build succeeded but produced no module/toa.ko; log: $K_BUILDLOG"
	# A module for the wrong kernel would only fail at insmod time, in the VM.
	local magic
	magic=$(modinfo -F vermagic "$K_KO")
	[[ $magic == "$K_KVER "* ]] || kfail build "toa.ko vermagic '$magic' is not for $K_KVER"
	# The suite's test-only module (tests/kernel/kmod: an in-kernel TCP
	# server), built the same way (inside $src, which a chroot build sees);
	# a stand-in program dir may have none.
	K_KSOCK=
	[[ -f $VMT_PROG_DIR/kmod/Makefile ]] || return 0
	local kmod=$src/kmod klog=$VMT_LOG_DIR/$K_NAME.kmod.build.log
	rm -rf "$kmod"
	mkdir -p "$kmod"
	cp -a "$VMT_PROG_DIR/kmod/." "$kmod/"
	args[1]=$kmod
	if ! "${runner[@]}" make -j2 "${args[@]}" >"$klog" 2>&1 \
		|| grep -qi 'warning:' "$klog"; then
		tail -n 40 "$klog" | sed "s/^/[$K_NAME]   /"
		kfail build "test module build failed or warned (make ${args[*]:2}); log: $klog"
	fi
	K_KSOCK=$kmod/toa_ksock.ko
	[[ -f $K_KSOCK ]] || kfail build "no toa_ksock.ko; log: $klog"
}

# prog_build ARCH OUT: build the in-VM test programs into OUT (once per run
# and architecture; vm-test calls it in a subshell, like a kernel step).
prog_build() {
	local arch=$1 out=$2 log
	log=$VMT_LOG_DIR/prog-$arch.build.log
	local -a cross=()
	if [[ $arch != "$(host_arch)" ]]; then
		# Static binaries from the cross compiler (gcc-<triplet> and
		# libc6-dev-<arch>-cross); the Makefile takes CC= from the command line.
		cross=("CC=$(deb_gnu_type "$arch")-gcc")
		command -v "${cross[0]#CC=}" >/dev/null \
			|| kfail prog "${cross[0]#CC=} not installed (tests/vm/install-deps)"
	fi
	[[ -f $VMT_PROG_DIR/Makefile ]] || kfail prog "no $VMT_PROG_DIR/Makefile"
	rm -rf "$out"
	mkdir -p "$out"
	if ! make -C "$VMT_PROG_DIR" "OUT=$out" "${cross[@]}" >"$log" 2>&1; then
		tail -n 40 "$log" | sed 's/^/[prog]   /'
		kfail prog "test program build failed; log: $log"
	fi
	if grep -qi 'warning:' "$log"; then
		grep -i -A4 'warning:' "$log" | sed 's/^/[prog]   /' | awk 'NR <= 40'
		kfail prog "test program build printed warnings; log: $log"
	fi
	# Every program built must run in the VM: a static ELF for the kernel's
	# architecture (which one /init runs is TOA_VM_RUN's business).
	local exe why n=0
	for exe in "$out"/*; do
		[[ -f $exe && -x $exe ]] || continue
		n=$((n + 1))
		why=$(elf_problem "$exe" "$arch")
		[[ -z $why ]] || kfail prog "$exe: $why"
	done
	((n > 0)) || kfail prog "make -C $VMT_PROG_DIR OUT=$out produced no program"
}
