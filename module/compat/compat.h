/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels the module
 * supports, decided by compile probes (compat/probes/, results in the
 * generated compat/config.h), never by version numbers: stable trees
 * backport API changes, so version tests lie.
 */
#ifndef TOA_COMPAT_H
#define TOA_COMPAT_H

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

#endif /* TOA_COMPAT_H */
