// SPDX-License-Identifier: GPL-2.0
/* Can one memory type of a module be tested (6.4+: mod->mem[])? */
#include <linux/module.h>

bool toa_probe(unsigned long addr);
bool toa_probe(unsigned long addr)
{
	return within_module_mem_type(addr, THIS_MODULE, MOD_TEXT);
}
