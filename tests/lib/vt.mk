# SPDX-License-Identifier: GPL-2.0 OR MIT
# The in-VM test library (vt_*) and what it builds on, for the Makefiles of
# the suites' static in-VM programs:
#   include <path>/tests/lib/vt.mk
# gives VT_SRCS, VT_HDRS and VT_CPPFLAGS (lbsim and module/ headers included).
VT_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
include $(VT_DIR)/../../lbsim/lbsim.mk
VT_SRCS := $(VT_DIR)/vt_util.c $(LBSIM_SRCS)
VT_HDRS := $(VT_DIR)/vt.h $(LBSIM_HDRS) $(VT_DIR)/../../module/toa_uapi.h
VT_CPPFLAGS := -I$(VT_DIR) $(LBSIM_CPPFLAGS) -I$(VT_DIR)/../../module
