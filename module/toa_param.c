// SPDX-License-Identifier: GPL-2.0
/*
 * Module parameters, checked on every write.
 *
 * A refused value gets one "TOA:" line in the kernel log and -EINVAL: at
 * load time the module does not load, at run time the previous value stays.
 */
#define pr_fmt(fmt) "TOA: " fmt

#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>

#include "toa_cidr.h"
#include "toa_opt.h"
#include "toa_param.h"
#include "toa_uapi.h"

#define TOA_MAX_ENTRIES_LIMIT	(1U << 24)

static unsigned int toa_kind = TOA_DEFAULT_KIND;
static unsigned int toa_max_entries = TOA_DEFAULT_MAX_ENTRIES;

struct toa_trusted {
	struct rcu_head rcu;
	struct toa_cidr_list list;
};

/* NULL: no list, TOA is accepted from any source */
static struct toa_trusted __rcu *toa_trusted;

u8 toa_param_kind(void)
{
	return READ_ONCE(toa_kind);
}

unsigned int toa_param_max_entries(void)
{
	return READ_ONCE(toa_max_entries);
}

bool toa_param_source_trusted(u8 family, const void *addr)
{
	const struct toa_trusted *t;
	bool ok;

	rcu_read_lock();
	t = rcu_dereference(toa_trusted);
	ok = !t || toa_cidr_match(&t->list, family, addr);
	rcu_read_unlock();
	return ok;
}

static int toa_kind_set(const char *val, const struct kernel_param *kp)
{
	unsigned int kind;

	if (kstrtouint(val, 0, &kind) || !toa_kind_valid(kind)) {
		pr_err("option_kind: '%.*s' refused: must be 2..255 and not a standard TCP option (2, 3, 4, 5, 8)\n",
		       (int)min_t(size_t, strcspn(val, "\n"), 16), val);
		return -EINVAL;
	}
	WRITE_ONCE(toa_kind, kind);
	return 0;
}

static const struct kernel_param_ops toa_kind_ops = {
	.set = toa_kind_set,
	.get = param_get_uint,
};
module_param_cb(option_kind, &toa_kind_ops, &toa_kind, 0644);
MODULE_PARM_DESC(option_kind,
		 "TCP option kind that carries TOA (default 254; 200 = legacy LVS)");

static int toa_max_entries_set(const char *val, const struct kernel_param *kp)
{
	unsigned int n;

	if (kstrtouint(val, 0, &n) || n < 1 || n > TOA_MAX_ENTRIES_LIMIT) {
		pr_err("max_entries: '%.*s' refused: must be 1..%u\n",
		       (int)min_t(size_t, strcspn(val, "\n"), 16), val,
		       TOA_MAX_ENTRIES_LIMIT);
		return -EINVAL;
	}
	WRITE_ONCE(toa_max_entries, n);
	return 0;
}

static const struct kernel_param_ops toa_max_entries_ops = {
	.set = toa_max_entries_set,
	.get = param_get_uint,
};
module_param_cb(max_entries, &toa_max_entries_ops, &toa_max_entries, 0644);
MODULE_PARM_DESC(max_entries,
		 "Bound on connections remembered at once (default 262144)");

/* Parameter writes are serialised by the kernel's parameter lock. */
static struct toa_trusted *toa_trusted_current(void)
{
	return rcu_dereference_protected(toa_trusted, true);
}

static int toa_trusted_set(const char *val, const struct kernel_param *kp)
{
	struct toa_trusted *fresh, *old;
	enum toa_cidr_error err;
	unsigned int item = 0;

	fresh = kzalloc(sizeof(*fresh), GFP_KERNEL);
	if (!fresh)
		return -ENOMEM;
	err = toa_cidr_parse(val, strlen(val), &fresh->list, &item);
	if (err != TOA_CIDR_OK) {
		pr_err("trusted_sources: item %u refused: %s; keeping the previous list\n",
		       item, toa_cidr_strerror(err));
		kfree(fresh);
		return -EINVAL;
	}
	if (!fresh->list.count) {
		kfree(fresh);
		fresh = NULL;
	}
	old = toa_trusted_current();
	rcu_assign_pointer(toa_trusted, fresh);
	if (old)
		kfree_rcu(old, rcu);
	return 0;
}

static int toa_trusted_get(char *buf, const struct kernel_param *kp)
{
	const struct toa_trusted *t = toa_trusted_current();
	size_t n = 0;

	if (t)
		n = toa_cidr_format(&t->list, buf, PAGE_SIZE - 1);
	n = min_t(size_t, n, PAGE_SIZE - 2);
	buf[n++] = '\n';
	buf[n] = '\0';
	return n;
}

/* On unload, or when loading failed after the parameters were parsed. */
static void toa_trusted_free(void *arg)
{
	kfree(toa_trusted_current());
	RCU_INIT_POINTER(toa_trusted, NULL);
}

static const struct kernel_param_ops toa_trusted_ops = {
	.set = toa_trusted_set,
	.get = toa_trusted_get,
	.free = toa_trusted_free,
};
module_param_cb(trusted_sources, &toa_trusted_ops, NULL, 0644);
MODULE_PARM_DESC(trusted_sources,
		 "Comma-separated CIDRs of the load balancers allowed to send TOA (empty = any source)");
