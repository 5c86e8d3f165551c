/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels the module
 * supports, decided by compile probes (compat/probes/, results in the
 * generated compat/config.h), never by version numbers: stable trees
 * backport API changes, so version tests lie.
 */
#ifndef TOA_COMPAT_H
#define TOA_COMPAT_H

#include <linux/ftrace.h>
#include <linux/module.h>
#include <linux/ptrace.h>
#include <linux/uaccess.h>

#include "compat/config.h"

/* Argument @n (0-based) of the probed function, at its entry. */
#ifdef TOA_HAVE_REGS_GET_KERNEL_ARGUMENT
#define toa_regs_arg(regs, n) regs_get_kernel_argument((regs), (n))
#else
#error "toa needs regs_get_kernel_argument() on this architecture"
#endif

/* The user buffer of a netfilter getsockopt handler. */
#ifdef TOA_HAVE_NF_SOCKOPT_GET_SOCKPTR
#include <linux/sockptr.h>
#define toa_sockopt_ptr sockptr_t
static inline int toa_sockopt_copy_out(sockptr_t dst, const void *src,
				       size_t size)
{
	return copy_to_sockptr(dst, src, size);
}
#else
#define toa_sockopt_ptr void __user *
static inline int toa_sockopt_copy_out(void __user *dst, const void *src,
				       size_t size)
{
	return copy_to_user(dst, src, size) ? -EFAULT : 0;
}
#endif

/*
 * ftrace callbacks. 5.11 replaced their pt_regs argument by struct
 * ftrace_regs; kernels with ftrace_regs_get_argument() read arguments
 * without saving every register (cheaper), the others need SAVE_REGS.
 * toa_ftrace_regs is the callback's last parameter type.
 */
#ifdef TOA_HAVE_FTRACE_REGS_ARG
#define toa_ftrace_regs ftrace_regs
static inline struct pt_regs *toa_ftrace_pt_regs(struct ftrace_regs *fregs)
{
	return ftrace_get_regs(fregs);
}
#else
#define toa_ftrace_regs pt_regs
static inline struct pt_regs *toa_ftrace_pt_regs(struct pt_regs *regs)
{
	return regs;
}
#endif

#if defined(TOA_HAVE_FTRACE_REGS_GET_ARGUMENT)
#define TOA_FTRACE_ARG_FLAGS	0
#define toa_ftrace_arg(fregs, n) ftrace_regs_get_argument((fregs), (n))
#elif defined(TOA_HAVE_FTRACE_REGS_PT_REGS)
#define TOA_FTRACE_ARG_FLAGS	0
#define toa_ftrace_arg(fregs, n) regs_get_kernel_argument(&(fregs)->regs, (n))
#else
#define TOA_FTRACE_ARG_FLAGS	FTRACE_OPS_FL_SAVE_REGS
#define toa_ftrace_arg(fregs, n) \
	toa_regs_arg(toa_ftrace_pt_regs(fregs), (n))
#endif

/*
 * The module's callbacks call nothing that can reach a hooked function
 * again, so they need no recursion guard: the flag below lets ftrace call
 * them directly, without the guard and without disabling preemption
 * (toa_table.c takes rcu_read_lock_sched() itself). 5.11 renamed it.
 */
#ifdef TOA_HAVE_FTRACE_OPS_FL_RECURSION
#define TOA_FTRACE_RECURSION_FLAGS	FTRACE_OPS_FL_RECURSION
#else
#define TOA_FTRACE_RECURSION_FLAGS	FTRACE_OPS_FL_RECURSION_SAFE
#endif

/*
 * Set argument @n (3..5) in the registers a redirected call starts with:
 * x86_64 passes arguments 4-6 in rcx, r8, r9, arm64 in x3-x5. The
 * architectures the module is built for; anything else stops the build.
 */
static __always_inline void toa_regs_set_arg(struct pt_regs *regs,
					     unsigned int n, unsigned long v)
{
#if defined(CONFIG_X86_64)
	if (n == 3)
		regs->cx = v;
	else if (n == 4)
		regs->r8 = v;
	else
		regs->r9 = v;
#elif defined(CONFIG_ARM64)
	regs->regs[n] = v;
#else
#error "toa redirects getname on x86_64 and arm64 only"
#endif
}

/*
 * Is @addr in this module's code? 6.4 split a module into memory types;
 * testing all of them (within_module()) costs a loop on every getname.
 */
static __always_inline bool toa_in_module_text(unsigned long addr)
{
#ifdef TOA_HAVE_WITHIN_MODULE_MEM_TYPE
	return within_module_mem_type(addr, THIS_MODULE, MOD_TEXT);
#else
	return within_module_core(addr, THIS_MODULE);
#endif
}

#endif /* TOA_COMPAT_H */
