# shellcheck shell=bash
# Variables shared across the sourced files are set and read in different files:
# shellcheck disable=SC2034,SC2153
# kernels.list: parse it, select a line, and set up the private apt
# configuration for all of its suites. Sourced by vm-test and image.sh.

VMT_LIST=${TOA_KERNELS_LIST:-$VMT_HERE/kernels.list}

# kernels.list, parsed: parallel arrays indexed by line order.
L_NAME=() L_SUITES=() L_META=() L_ARCH=() L_CC=() L_OPTS=()
read_kernels_list() {
	local n=0 name suites meta arch cc opts extra o
	[[ -r $VMT_LIST ]] || die "cannot read $VMT_LIST"
	while read -r name suites meta arch cc opts extra; do
		n=$((n + 1))
		[[ -z $name || $name == \#* ]] && continue
		[[ -n $opts && -z $extra ]] \
			|| die "$VMT_LIST:$n: expected 6 columns: name suites meta arch cc options"
		[[ $arch == amd64 || $arch == arm64 ]] \
			|| die "$VMT_LIST:$n: unsupported arch '$arch' (amd64, arm64)"
		for o in ${opts//,/ }; do
			case $o in
			- | optional) ;;
			chroot=?*)
				[[ $arch == "$(host_arch)" ]] \
					|| die "$VMT_LIST:$n: chroot= builds only for the host architecture ($(host_arch)), not $arch"
				;;
			*) die "$VMT_LIST:$n: unknown option '$o' (optional, chroot=SUITE)" ;;
			esac
		done
		L_NAME+=("$name") L_SUITES+=("$suites") L_META+=("$meta")
		L_ARCH+=("$arch") L_CC+=("$cc") L_OPTS+=("$opts")
	done <"$VMT_LIST"
}

has_opt() { [[ ,$1, == *",$2,"* || ,$1, == *",$2="* ]]; }
# opt_value OPTS NAME: the value of NAME=VALUE in OPTS (nothing when absent).
opt_value() {
	local o
	for o in ${1//,/ }; do
		[[ $o != "$2="* ]] || {
			printf '%s' "${o#*=}"
			return 0
		}
	done
}

# kernel_index NAME: print the index of the line called NAME (nothing when
# there is none).
kernel_index() {
	local i
	for i in "${!L_NAME[@]}"; do
		[[ ${L_NAME[$i]} != "$1" ]] || {
			echo "$i"
			return 0
		}
	done
}

# kernel_line INDEX: make that line the current kernel (K_NAME, K_SUITES,
# K_META, K_ARCH, K_CC, K_OPTS), as the lib/ steps expect.
kernel_line() {
	local i=$1
	K_NAME=${L_NAME[$i]} K_SUITES=${L_SUITES[$i]} K_META=${L_META[$i]}
	K_ARCH=${L_ARCH[$i]} K_CC=${L_CC[$i]} K_OPTS=${L_OPTS[$i]}
}

# kernels_apt: the private apt setup (lib/apt.sh) for every suite and
# architecture of the list, so that the lists need no refresh when a
# different subset of kernels runs; then refresh them if they are old.
kernels_apt() {
	local i suites='' arches=''
	for i in "${!L_NAME[@]}"; do
		suites+=" ${L_SUITES[$i]//,/ }"
		[[ " $arches " == *" ${L_ARCH[$i]} "* ]] || arches+=" ${L_ARCH[$i]}"
	done
	suites=$(tr ' ' '\n' <<<"$suites" | awk 'NF && !seen[$0]++' | tr '\n' ' ')
	apt_setup "$suites" "$arches"
	apt_update
}
