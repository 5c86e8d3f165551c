# SPDX-License-Identifier: GPL-2.0 OR MIT
# A suite's statically linked in-VM program, linked with libvt.a (vt.mk).
# The suite's Makefile sets
#   PROG          the program's name
#   SRCS, HDRS    its own sources and headers
#   PROG_LDFLAGS  more link flags, if it needs them (-pthread)
# and includes this file; then
#   make -C <suite> OUT=<dir> [CC=aarch64-linux-gnu-gcc]
# puts OUT/PROG there and nothing else (vm-test copies every executable in
# OUT into the VM; the library's objects go below build/, see vt.mk).
OUT ?= .
OUTDIR := $(abspath $(OUT))
ifeq ($(origin CC),default)
CC := gcc
endif
CFLAGS ?= -O2
LDFLAGS += -static $(PROG_LDFLAGS)

.PHONY: all clean
all: $(OUTDIR)/$(PROG)

include $(dir $(lastword $(MAKEFILE_LIST)))vt.mk

$(OUTDIR)/$(PROG): $(SRCS) $(HDRS) $(VT_HDRS) $(VT_LIB) Makefile
	@mkdir -p $(OUTDIR)
	$(CC) $(CFLAGS) $(VT_CFLAGS) $(LDFLAGS) -o $@ $(SRCS) $(VT_LIB)

clean:
	rm -f $(OUTDIR)/$(PROG)
