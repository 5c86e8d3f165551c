# SPDX-License-Identifier: GPL-2.0 OR MIT
# The load-balancer emulator for Makefiles that build static in-VM programs:
#   include <path>/lbsim/lbsim.mk
# gives LBSIM_SRCS, LBSIM_HDRS and LBSIM_CPPFLAGS (CMake builds use the
# toa_lbsim library of lbsim/CMakeLists.txt instead). The two lists are
# the same as there; lbsim/README.md says what each unit does.
LBSIM_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
LBSIM_SRCS := $(addprefix $(LBSIM_DIR)/,lbsim_wire.c lbsim_tun.c lbsim_profile.c lbsim_conn.c)
LBSIM_HDRS := $(LBSIM_DIR)/lbsim.h $(LBSIM_DIR)/lbsim_int.h
LBSIM_CPPFLAGS := -I$(LBSIM_DIR)
