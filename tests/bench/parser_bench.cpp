// Google Benchmark of the TOA option parser (module/toa_opt.c): TCP headers
// parsed per second (items_per_second), on typical and worst-case headers.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

extern "C" {
#include "toa_opt.h"
}

namespace {

std::vector<uint8_t> header(const std::vector<uint8_t> &options)
{
	std::vector<uint8_t> h(20, 0);
	for (uint8_t b : options)
		h.push_back(b);
	while (h.size() % 4)
		h.push_back(1);
	h[12] = static_cast<uint8_t>((h.size() / 4) << 4);
	return h;
}

// One item per header parsed: the rate is headers/s, whatever they hold.
void run(benchmark::State &state, const std::vector<uint8_t> &h)
{
	toa_client c{};
	toa_kinds kinds{};
	unsigned bad = 0;
	if (!toa_kinds_parse("254,253", 7, &kinds, &bad))
		state.SkipWithError("kinds");
	for (auto _ : state) {
		auto r = toa_parse_options(h.data(), h.size(), &kinds, &c);
		benchmark::DoNotOptimize(r);
		benchmark::DoNotOptimize(c);
	}
	state.SetItemsProcessed(state.iterations());
}

// The handshake ACK of an LVS/ELB backend: timestamps (NOP NOP TS) + TOA.
void BM_TypicalAckV4(benchmark::State &state)
{
	run(state,
	    header({1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2, 254, 8, 0x10, 0xe1, 203, 0, 113, 7}));
}
BENCHMARK(BM_TypicalAckV4);

void BM_TypicalAckV6(benchmark::State &state)
{
	run(state, header({1,	 1, 8,	 10,   0, 0, 0, 1, 0, 0, 0, 2, 254, 20, 0, 80,
			   0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0,   0,	0, 7}));
}
BENCHMARK(BM_TypicalAckV6);

// No TOA: timestamps only (every ACK without the option costs this).
void BM_NoToa(benchmark::State &state)
{
	run(state, header({1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2}));
}
BENCHMARK(BM_NoToa);

// Worst case: 40 bytes of NOPs (padding, not options: 40 steps of the loop).
void BM_WorstCaseNops(benchmark::State &state)
{
	run(state, header(std::vector<uint8_t>(40, 1)));
}
BENCHMARK(BM_WorstCaseNops);

// Worst case for TOA lookups: 20 two-byte unknown options.
void BM_WorstCaseShortOptions(benchmark::State &state)
{
	std::vector<uint8_t> o;
	for (int i = 0; i < 20; i++) {
		o.push_back(253);
		o.push_back(2);
	}
	run(state, header(o));
}
BENCHMARK(BM_WorstCaseShortOptions);

// A Linux client's SYN: MSS, SACK-permitted, timestamps, NOP, window scale.
void BM_LinuxSyn(benchmark::State &state)
{
	std::vector<uint8_t> h =
		header({2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7});
	h[13] = 0x02; // SYN
	run(state, h);
}
BENCHMARK(BM_LinuxSyn);

} // namespace

BENCHMARK_MAIN();
