/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * vt.h - the in-VM test library (libvt.a), all of it: the programs that
 * run inside the test VM (toa-vmtest, toa-stress, toa-bench) include this.
 *
 *   vt_core.h     struct vt, vt_fail(), vt_log()
 *   vt_module.h   loading the module, its parameters
 *   vt_stats.h    /proc/net/toa_stats snapshots and deltas
 *   vt_kmsg.h     the kernel log
 *   vt_file.h     whole-file reads and writes
 *   vt_net.h      the TUN network, test addresses, listeners, accept()
 *   vt_session.h  an emulated connection plus its accepted socket
 *   vt_json.h     a small JSON reader
 *   vt_harness.h  VT_SCENARIO() registration, fixtures, vt_run()
 */
#ifndef VT_H
#define VT_H

#include "vt_core.h"
#include "vt_file.h"
#include "vt_harness.h"
#include "vt_json.h"
#include "vt_kmsg.h"
#include "vt_module.h"
#include "vt_net.h"
#include "vt_session.h"
#include "vt_stats.h"

#include "lbsim.h"
#include "toa_uapi.h"

#endif /* VT_H */
