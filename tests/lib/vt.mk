# SPDX-License-Identifier: GPL-2.0 OR MIT
# The in-VM test library, libvt.a (tests/lib/vt_*.c plus the lbsim
# emulator), for the Makefiles of the suites' static in-VM programs. Set CC
# and CFLAGS first, then
#   include <path>/tests/lib/vt.mk
# gives
#   VT_LIB     the library, built on demand: a prerequisite to link with
#   VT_CFLAGS  the language, warnings and include directories of every
#              in-VM program
#   VT_HDRS    the headers (for prerequisites)
# The objects and the library go to VT_OBJ, one directory per target
# machine of $(CC) below the checkout's build/ (or $TOA_BUILD), never into
# the program's OUT: vm-test copies everything executable in OUT into the
# VM. They are rebuilt when CC or CFLAGS change.
VT_DIR := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
VT_TOP := $(abspath $(VT_DIR)/../..)
# The including Makefile's first target stays its default goal.
vt_goal := $(.DEFAULT_GOAL)
include $(VT_TOP)/lbsim/lbsim.mk

VT_MACHINE := $(shell $(CC) -dumpmachine)
VT_OBJ ?= $(or $(TOA_BUILD),$(VT_TOP)/build)/vt/$(VT_MACHINE)
VT_LIB := $(VT_OBJ)/libvt.a

VT_CFLAGS := -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wformat=2 \
	-I$(VT_DIR) $(LBSIM_CPPFLAGS) -I$(VT_TOP)/module
VT_HDRS := $(wildcard $(VT_DIR)/*.h) $(LBSIM_HDRS) $(VT_TOP)/module/toa_uapi.h

# The archiver that goes with the compiler (aarch64-linux-gnu-gcc:
# aarch64-linux-gnu-ar), unless AR is given.
ifeq ($(origin AR),default)
AR := $(if $(filter %gcc,$(CC)),$(CC:%gcc=%ar),ar)
endif

VT_UNITS := core file module stats kmsg net session json harness
VT_OBJS := $(VT_UNITS:%=$(VT_OBJ)/vt_%.o) \
	$(patsubst $(LBSIM_DIR)/%.c,$(VT_OBJ)/lbsim/%.o,$(LBSIM_SRCS))

VT_BUILD_FLAGS = $(CC) $(CFLAGS) $(VT_CFLAGS)

.PHONY: vt-flags-check
$(VT_OBJ)/flags: vt-flags-check
	@mkdir -p $(@D)
	@echo '$(VT_BUILD_FLAGS)' | cmp -s - $@ || echo '$(VT_BUILD_FLAGS)' >$@

$(VT_OBJ)/vt_%.o: $(VT_DIR)/vt_%.c $(VT_HDRS) $(VT_OBJ)/flags
	$(CC) $(CFLAGS) $(VT_CFLAGS) -c -o $@ $<

$(VT_OBJ)/lbsim/%.o: $(LBSIM_DIR)/%.c $(LBSIM_HDRS) $(VT_OBJ)/flags
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(VT_CFLAGS) -c -o $@ $<

$(VT_LIB): $(VT_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

.DEFAULT_GOAL := $(vt_goal)
