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

static unsigned int toa_max_entries = TOA_DEFAULT_MAX_ENTRIES;

struct toa_trusted {
	struct rcu_head rcu;
	struct toa_cidr_list list;
};

/* NULL: no list, TOA is accepted from any source */
static struct toa_trusted __rcu *toa_trusted;

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

/*
 * option_kinds: the kinds that carry TOA. Readers (the packet hooks) take
 * the current list under RCU; a write publishes a new copy. The default
 * list is static and never freed.
 */
struct toa_kinds_box {
	struct rcu_head rcu;
	struct toa_kinds kinds;
};

/* 254,253: bits 5 and 6 of map[31] */
static struct toa_kinds_box toa_kinds_default = {
	.kinds = {
		.count = 2,
		.kind = { TOA_DEFAULT_KIND, TOA_DEFAULT_KIND2 },
		.map = { [31] = 0x60 },
	},
};
struct toa_kinds __rcu *toa_param_kinds_live =
	RCU_INITIALIZER(&toa_kinds_default.kinds);

/* Parameter writes are serialised by the kernel's parameter lock. */
static struct toa_kinds_box *toa_kinds_current(void)
{
	return container_of(rcu_dereference_protected(toa_param_kinds_live,
						      true),
			    struct toa_kinds_box, kinds);
}

static void toa_kinds_publish(struct toa_kinds_box *fresh)
{
	struct toa_kinds_box *old = toa_kinds_current();

	rcu_assign_pointer(toa_param_kinds_live, &fresh->kinds);
	if (old != &toa_kinds_default)
		kfree_rcu(old, rcu);
}

#define TOA_KINDS_RULE "1..%u distinct kinds, each 2..255 and not 0-5, 8, 19, 29, 30 or 34 (TCP options of the kernel's own, or that can be 8 or 20 bytes long)"

static int toa_kinds_set(const char *val, const struct kernel_param *kp)
{
	struct toa_kinds_box *fresh;
	unsigned int item;

	fresh = kzalloc(sizeof(*fresh), GFP_KERNEL);
	if (!fresh)
		return -ENOMEM;
	if (!toa_kinds_parse(val, strlen(val), &fresh->kinds, &item)) {
		if (item)
			pr_err("option_kinds: item %u of '%.*s' refused: want " TOA_KINDS_RULE "\n",
			       item, (int)min_t(size_t, strcspn(val, "\n"), 32),
			       val, TOA_MAX_KINDS);
		else
			pr_err("option_kinds: '%.*s' refused: want " TOA_KINDS_RULE "\n",
			       (int)min_t(size_t, strcspn(val, "\n"), 32), val,
			       TOA_MAX_KINDS);
		kfree(fresh);
		return -EINVAL;
	}
	toa_kinds_publish(fresh);
	return 0;
}

static int toa_kinds_get(char *buf, const struct kernel_param *kp)
{
	size_t n = toa_kinds_format(&toa_kinds_current()->kinds, buf,
				    PAGE_SIZE - 1);

	buf[n++] = '\n';
	buf[n] = '\0';
	return n;
}

/* On unload, or when loading failed after the parameters were parsed. */
static void toa_kinds_free(void *arg)
{
	struct toa_kinds_box *cur = toa_kinds_current();

	if (cur != &toa_kinds_default)
		kfree(cur);
	RCU_INIT_POINTER(toa_param_kinds_live, &toa_kinds_default.kinds);
}

static const struct kernel_param_ops toa_kinds_ops = {
	.set = toa_kinds_set,
	.get = toa_kinds_get,
	.free = toa_kinds_free,
};
module_param_cb(option_kinds, &toa_kinds_ops, NULL, 0644);
MODULE_PARM_DESC(option_kinds,
		 "Comma-separated TCP option kinds that carry TOA, each with length 8 (IPv4) or 20 (IPv6) (default 254,253)");

/* option_kind: the first element of option_kinds, for older configurations */
static int toa_kind_set(const char *val, const struct kernel_param *kp)
{
	struct toa_kinds_box *fresh;
	unsigned int kind;

	fresh = kzalloc(sizeof(*fresh), GFP_KERNEL);
	if (!fresh)
		return -ENOMEM;
	fresh->kinds = toa_kinds_current()->kinds;
	if (kstrtouint(val, 0, &kind) ||
	    !toa_kinds_set_first(&fresh->kinds, kind)) {
		pr_err("option_kind: '%.*s' refused: must be 2..255, not 0-5, 8, 19, 29, 30 or 34, and not another element of option_kinds\n",
		       (int)min_t(size_t, strcspn(val, "\n"), 16), val);
		kfree(fresh);
		return -EINVAL;
	}
	toa_kinds_publish(fresh);
	return 0;
}

static int toa_kind_get(char *buf, const struct kernel_param *kp)
{
	return sprintf(buf, "%u\n", toa_kinds_current()->kinds.kind[0]);
}

static const struct kernel_param_ops toa_kind_ops = {
	.set = toa_kind_set,
	.get = toa_kind_get,
};
module_param_cb(option_kind, &toa_kind_ops, NULL, 0644);
MODULE_PARM_DESC(option_kind,
		 "The first kind of option_kinds (older name; 200 = legacy LVS)");

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
