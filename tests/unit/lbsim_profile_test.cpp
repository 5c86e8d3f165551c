// What the emulator's connections put on the wire around the caller's
// options (lbsim/lbsim_profile.c): the SYN of each profile, what a SYN-ACK
// negotiates, the timestamp option and window of later segments. No TUN:
// the connections have no device and only build packets.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

extern "C" {
#include "lbsim.h"
#include "lbsim_int.h"
}

namespace {

using Bytes = std::vector<uint8_t>;

const uint8_t kLb6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
const uint8_t kSrv6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
const uint8_t kLb4[4] = {198, 51, 100, 2};
const uint8_t kSrv4[4] = {198, 51, 100, 1};
const uint16_t kLbPort = 40000, kSrvPort = 8080;

uint32_t be32(const uint8_t *p)
{
	return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 |
		static_cast<uint32_t>(p[2]) << 8 | p[3];
}

// A segment taken apart again.
struct Tcp {
	uint32_t seq, ack;
	uint8_t flags;
	unsigned window;
	Bytes opts; // the whole option area, padding included
	Bytes data;
};

Tcp parse(const Bytes &p)
{
	const size_t t = (p[0] >> 4) == 4 ? 20 : 40;
	const size_t thl = static_cast<size_t>(p[t + 12] >> 4) * 4;
	Tcp s{};
	s.seq = be32(&p[t + 4]);
	s.ack = be32(&p[t + 8]);
	s.flags = p[t + 13];
	s.window = static_cast<unsigned>(p[t + 14] << 8 | p[t + 15]);
	s.opts.assign(p.begin() + static_cast<long>(t + 20),
		      p.begin() + static_cast<long>(t + thl));
	s.data.assign(p.begin() + static_cast<long>(t + thl), p.end());
	return s;
}

Bytes ts_bytes(uint32_t tsval, uint32_t tsecr)
{
	uint8_t o[LBSIM_TS_OPTLEN];
	lbsim_opt_timestamps(o, tsval, tsecr);
	return Bytes(o, o + sizeof(o));
}

class LbsimProfile : public testing::Test {
protected:
	void SetUp() override
	{
		ASSERT_EQ(lbsim_conn_init(&c, nullptr, AF_INET6, kLb6, kLbPort, kSrv6, kSrvPort),
			  0);
	}

	// The SYN lbsim_connect() would send.
	ssize_t syn(Bytes &pkt, const Bytes *syn_opts = nullptr, size_t ack_optlen = 0)
	{
		uint8_t o[LBSIM_MAX_OPTLEN];
		ssize_t n = lbsim_conn_syn_options(&c, o, syn_opts ? syn_opts->data() : nullptr,
						   syn_opts ? syn_opts->size() : 0, ack_optlen);
		if (n < 0)
			return n;
		pkt.assign(LBSIM_PKT_MAX, 0);
		n = lbsim_conn_packet(&c, pkt.data(), pkt.size(), c.iss, LBSIM_SYN, o,
				      static_cast<size_t>(n), nullptr, 0);
		if (n >= 0)
			pkt.resize(static_cast<size_t>(n));
		return n;
	}

	// The server's SYN-ACK with @opts, taken in.
	void synack(const Bytes &opts, uint16_t window = 65160)
	{
		uint8_t pkt[256];
		ssize_t n = lbsim_build_packet(pkt, sizeof(pkt), AF_INET6, kSrv6, kLb6, kSrvPort,
					       kLbPort, kIrs, c.iss + 1, LBSIM_SYN | LBSIM_ACK,
					       window, opts.empty() ? nullptr : opts.data(),
					       opts.size(), nullptr, 0);
		ASSERT_GT(n, 0);
		ASSERT_EQ(lbsim_conn_synack(&c, pkt, static_cast<size_t>(n)), 0);
	}

	// A later segment of ours.
	Bytes seg(uint8_t flags, const Bytes &opts = {}, const Bytes &data = {})
	{
		Bytes pkt(LBSIM_PKT_MAX, 0);
		ssize_t n = lbsim_conn_packet(&c, pkt.data(), pkt.size(), c.snd_nxt, flags,
					      opts.empty() ? nullptr : opts.data(), opts.size(),
					      data.empty() ? nullptr : data.data(), data.size());
		EXPECT_GT(n, 0);
		pkt.resize(n > 0 ? static_cast<size_t>(n) : 0);
		EXPECT_EQ(lbsim_tcp_checksum_check(pkt.data(), pkt.size()), 0);
		return pkt;
	}

	ssize_t seg_len(uint8_t flags, const Bytes &opts)
	{
		uint8_t pkt[LBSIM_PKT_MAX];
		return lbsim_conn_packet(&c, pkt, sizeof(pkt), c.snd_nxt, flags, opts.data(),
					 opts.size(), nullptr, 0);
	}

	// A segment from the server (for what lbsim takes from it).
	void peer_seg(const Bytes &opts, uint16_t window, uint32_t ack)
	{
		uint8_t pkt[256];
		ssize_t n = lbsim_build_packet(pkt, sizeof(pkt), AF_INET6, kSrv6, kLb6, kSrvPort,
					       kLbPort, kIrs + 1, ack, LBSIM_ACK, window,
					       opts.data(), opts.size(), nullptr, 0);
		ASSERT_GT(n, 0);
		lbsim_seg s{};
		ASSERT_EQ(lbsim_parse_seg(pkt, static_cast<size_t>(n), &s), 0);
		lbsim_take_peer_info(&c, &s);
	}

	static Bytes toa6()
	{
		uint8_t o[20];
		const uint8_t client[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0xc0, 0, 0,
					    0,	  0,	0,    0,    0, 0,    0, 7};
		lbsim_toa_v6(o, 254, client, 4321);
		return Bytes(o, o + 20);
	}

	// The SYN-ACK options of a Linux server: MSS, SACK_PERM + TS, NOP, WS 7
	static Bytes linux_synack(uint32_t tsval, uint32_t tsecr)
	{
		Bytes o{2, 4, 0x05, 0xa0, 4, 2, 8, 10};
		for (int s = 24; s >= 0; s -= 8)
			o.push_back(static_cast<uint8_t>(tsval >> s));
		for (int s = 24; s >= 0; s -= 8)
			o.push_back(static_cast<uint8_t>(tsecr >> s));
		o.insert(o.end(), {1, 3, 3, 7});
		return o;
	}

	static constexpr uint32_t kIrs = 0x70000000;
	lbsim_conn c{};
};

TEST_F(LbsimProfile, DefaultSynIsLinuxLike)
{
	Bytes p;
	ASSERT_GT(syn(p), 0);
	Tcp s = parse(p);
	EXPECT_EQ(s.flags, LBSIM_SYN);
	EXPECT_EQ(s.seq, c.iss);
	EXPECT_EQ(s.ack, 0u);
	EXPECT_EQ(s.window, LBSIM_SYN_WINDOW);
	ASSERT_EQ(s.opts.size(), 20u);
	// MSS 1460, SACK_PERM, TS (TSval, TSecr 0), NOP, WS 7
	const uint32_t tsval = be32(&s.opts[8]);
	Bytes want{2, 4, 0x05, 0xb4, 4, 2, 8, 10};
	for (int sh = 24; sh >= 0; sh -= 8)
		want.push_back(static_cast<uint8_t>(tsval >> sh));
	want.insert(want.end(), {0, 0, 0, 0, 1, 3, 3, 7});
	EXPECT_EQ(s.opts, want);
	EXPECT_TRUE(c.syn_ts && c.syn_sack && c.syn_ws);
	EXPECT_EQ(c.rcv_wscale, LBSIM_WSCALE);
}

TEST_F(LbsimProfile, DefaultSynLeavesTimestampsOutWhenTheAckIsFull)
{
	for (size_t ack_optlen : {29u, 32u, 40u}) {
		Bytes p;
		ASSERT_GT(syn(p, nullptr, ack_optlen), 0);
		// MSS, NOP, NOP, SACK_PERM, NOP, WS: Linux's SYN without timestamps
		EXPECT_EQ(parse(p).opts, (Bytes{2, 4, 0x05, 0xb4, 1, 1, 4, 2, 1, 3, 3, 7}))
			<< ack_optlen;
		EXPECT_FALSE(c.syn_ts);
	}
	Bytes p;
	ASSERT_GT(syn(p, nullptr, 28), 0);
	EXPECT_EQ(parse(p).opts.size(), 20u); // 28 + 12 = 40 still fits
	EXPECT_TRUE(c.syn_ts);
}

TEST_F(LbsimProfile, LinuxProfileRefusesAFullAck)
{
	ASSERT_EQ(lbsim_conn_set_profile(&c, LBSIM_PROFILE_LINUX), 0);
	Bytes p;
	EXPECT_EQ(syn(p, nullptr, 29), -EMSGSIZE);
	EXPECT_GT(syn(p, nullptr, 28), 0);
}

TEST_F(LbsimProfile, BareSynIsMssOnly)
{
	ASSERT_EQ(lbsim_conn_set_profile(&c, LBSIM_PROFILE_BARE), 0);
	Bytes p;
	ASSERT_GT(syn(p, nullptr, 40), 0);
	Tcp s = parse(p);
	EXPECT_EQ(s.opts, (Bytes{2, 4, 0x05, 0xb4}));
	EXPECT_EQ(s.window, 65535u);
}

TEST_F(LbsimProfile, GivenSynGoesOutExactly)
{
	const Bytes tfo{2, 4, 0x05, 0xb4, 254, 8, 0x10, 0xe1, 203, 0, 113, 7, 34, 2};
	for (int profile : {LBSIM_PROFILE_DEFAULT, LBSIM_PROFILE_LINUX, LBSIM_PROFILE_BARE}) {
		ASSERT_EQ(lbsim_conn_set_profile(&c, profile), 0);
		Bytes p;
		ASSERT_GT(syn(p, &tfo, 40), 0);
		Bytes want = tfo;
		want.resize(16, 0);
		EXPECT_EQ(parse(p).opts, want) << "profile " << profile;
		EXPECT_FALSE(c.syn_ts || c.syn_sack || c.syn_ws);
	}
}

TEST_F(LbsimProfile, GivenSynWithTimestampsNeedsRoomForThem)
{
	Bytes given{2, 4, 0x05, 0xb4};
	Bytes ts = ts_bytes(0x12345678, 0);
	given.insert(given.end(), ts.begin(), ts.end());
	Bytes p;
	EXPECT_EQ(syn(p, &given, 29), -EMSGSIZE);
	ASSERT_GT(syn(p, &given, 28), 0);
	EXPECT_TRUE(c.syn_ts);
	// the clock goes on from the TSval the caller chose
	synack(linux_synack(1000, 0x12345678));
	Tcp a = parse(seg(LBSIM_ACK));
	const uint32_t tsval = be32(&a.opts[4]);
	EXPECT_LT(tsval - 0x12345678u, 1000u);
	ASSERT_EQ(lbsim_conn_set_profile(&c, LBSIM_PROFILE_BARE), 0);
	EXPECT_GT(syn(p, &given, 40), 0);
}

TEST_F(LbsimProfile, SynackNegotiatesEverything)
{
	Bytes p;
	ASSERT_GT(syn(p), 0);
	synack(linux_synack(0xdeadbe00, be32(&parse(p).opts[8])), 64800);
	EXPECT_TRUE(c.ts_ok);
	EXPECT_TRUE(c.sack_ok);
	EXPECT_TRUE(c.ws_ok);
	EXPECT_EQ(c.snd_wscale, 7);
	EXPECT_EQ(c.ts_recent, 0xdeadbe00u);
	EXPECT_EQ(c.peer_mss, 1440);
	EXPECT_EQ(c.snd_wnd, 64800u); // a SYN-ACK's window is not scaled
	EXPECT_EQ(c.irs, kIrs);
	EXPECT_EQ(c.rcv_nxt, kIrs + 1);
	EXPECT_EQ(c.snd_nxt, c.iss + 1);
}

TEST_F(LbsimProfile, HandshakeAckCarriesTimestampsThenToa)
{
	Bytes p;
	ASSERT_GT(syn(p, nullptr, 20), 0);
	const uint32_t syn_tsval = be32(&parse(p).opts[8]);
	synack(linux_synack(0x01020304, syn_tsval));
	Tcp a = parse(seg(LBSIM_ACK, toa6()));
	ASSERT_EQ(a.opts.size(), 32u); // 12 + 20: data offset 13
	const uint32_t tsval = be32(&a.opts[4]);
	Bytes want = ts_bytes(tsval, 0x01020304);
	Bytes toa = toa6();
	want.insert(want.end(), toa.begin(), toa.end());
	EXPECT_EQ(a.opts, want);
	EXPECT_GE(static_cast<int32_t>(tsval - syn_tsval), 0);
	EXPECT_EQ(a.ack, kIrs + 1);
	EXPECT_EQ(a.seq, c.iss + 1);
	EXPECT_EQ(a.window, LBSIM_RCV_WINDOW >> LBSIM_WSCALE); // scaled: 501
}

TEST_F(LbsimProfile, IPv4ToaAckIsPaddedBehindTimestamps)
{
	lbsim_conn c4{};
	ASSERT_EQ(lbsim_conn_init(&c4, nullptr, AF_INET, kLb4, kLbPort, kSrv4, kSrvPort), 0);
	uint8_t o[LBSIM_MAX_OPTLEN];
	ASSERT_GT(lbsim_conn_syn_options(&c4, o, nullptr, 0, 8), 0);
	uint8_t pkt[256];
	const Bytes sa = linux_synack(77, 1);
	ssize_t n = lbsim_build_packet(pkt, sizeof(pkt), AF_INET, kSrv4, kLb4, kSrvPort, kLbPort,
				       kIrs, c4.iss + 1, LBSIM_SYN | LBSIM_ACK, 65160, sa.data(),
				       sa.size(), nullptr, 0);
	ASSERT_EQ(lbsim_conn_synack(&c4, pkt, static_cast<size_t>(n)), 0);
	const uint8_t client[4] = {203, 0, 113, 7};
	uint8_t toa[8];
	lbsim_toa_v4(toa, 254, client, 4321);
	n = lbsim_conn_packet(&c4, pkt, sizeof(pkt), c4.snd_nxt, LBSIM_ACK, toa, 8, nullptr, 0);
	ASSERT_EQ(n, 20 + 20 + 20);
	EXPECT_EQ(pkt[20 + 12] >> 4, 10);
	EXPECT_EQ(Bytes(pkt + 40, pkt + 44), (Bytes{1, 1, 8, 10}));
	EXPECT_EQ(be32(pkt + 48), 77u);
	EXPECT_EQ(Bytes(pkt + 52, pkt + 60), Bytes(toa, toa + 8));
}

TEST_F(LbsimProfile, SynCookieTsvalIsEchoedExactly)
{
	// tcp_syncookies=2: the low six bits of the SYN-ACK's TSval hold the
	// options of our SYN (wscale 7 in bits 0-3, SACK bit 4); they must come
	// back unchanged or the server forgets them.
	Bytes p;
	ASSERT_GT(syn(p), 0);
	const uint32_t cookie_ts = 0x5a5a5a40u | 0x10u | 7u;
	synack(linux_synack(cookie_ts, be32(&parse(p).opts[8])));
	Tcp a = parse(seg(LBSIM_ACK));
	ASSERT_EQ(a.opts.size(), 12u);
	EXPECT_EQ(be32(&a.opts[8]), cookie_ts);
}

TEST_F(LbsimProfile, EveryLaterSegmentCarriesFreshTimestamps)
{
	Bytes p;
	ASSERT_GT(syn(p), 0);
	const uint32_t syn_tsval = be32(&parse(p).opts[8]);
	synack(linux_synack(500, syn_tsval));
	uint32_t last = syn_tsval;
	const uint8_t flags[] = {LBSIM_ACK, LBSIM_PSH | LBSIM_ACK, LBSIM_FIN | LBSIM_ACK,
				 LBSIM_FIN | LBSIM_ACK, LBSIM_RST | LBSIM_ACK};
	for (uint8_t f : flags) {
		std::this_thread::sleep_for(std::chrono::milliseconds(3));
		Tcp s = parse(seg(f, {}, f & LBSIM_PSH ? Bytes{'h', 'i'} : Bytes{}));
		ASSERT_EQ(s.opts.size(), 12u) << int(f);
		EXPECT_EQ(Bytes(s.opts.begin(), s.opts.begin() + 4), (Bytes{1, 1, 8, 10}));
		const uint32_t tsval = be32(&s.opts[4]);
		// a FIN sent again must not be older (PAWS): the clock moved on
		EXPECT_GT(static_cast<int32_t>(tsval - last), 0) << int(f);
		EXPECT_EQ(be32(&s.opts[8]), 500u);
		last = tsval;
	}
}

TEST_F(LbsimProfile, TsvalIsAMillisecondClock)
{
	Bytes p;
	ASSERT_GT(syn(p), 0);
	synack(linux_synack(1, be32(&parse(p).opts[8])));
	const uint32_t a = be32(&parse(seg(LBSIM_ACK)).opts[4]);
	std::this_thread::sleep_for(std::chrono::milliseconds(50));
	const uint32_t b = be32(&parse(seg(LBSIM_ACK)).opts[4]);
	EXPECT_GE(b - a, 50u);
	EXPECT_LT(b - a, 1000u);
}

TEST_F(LbsimProfile, TsecrFollowsTheNewestPeerTsval)
{
	Bytes p;
	ASSERT_GT(syn(p), 0);
	synack(linux_synack(1000, be32(&parse(p).opts[8])));
	peer_seg(ts_bytes(1500, 0), 600, c.snd_nxt);
	EXPECT_EQ(be32(&parse(seg(LBSIM_ACK)).opts[8]), 1500u);
	peer_seg(ts_bytes(1400, 0), 600, c.snd_nxt); // older: reordered
	EXPECT_EQ(be32(&parse(seg(LBSIM_ACK)).opts[8]), 1500u);
	peer_seg(ts_bytes(0x80000100u, 0), 600, c.snd_nxt); // newer across the wrap
	EXPECT_EQ(be32(&parse(seg(LBSIM_ACK)).opts[8]), 0x80000100u);
}

TEST_F(LbsimProfile, PeerWindowIsScaled)
{
	Bytes p;
	ASSERT_GT(syn(p), 0);
	synack(linux_synack(1, 1), 65160);
	peer_seg(ts_bytes(2, 0), 509, c.snd_nxt);
	EXPECT_EQ(c.snd_wnd, 509u << 7);
}

TEST_F(LbsimProfile, CallerOptionsThatDoNotFitBehindTimestamps)
{
	Bytes p;
	ASSERT_GT(syn(p), 0);
	synack(linux_synack(1, 1));
	Bytes full(LBSIM_MAX_OPTLEN - LBSIM_TS_OPTLEN, 1); // 28 NOPs: exactly 40
	Tcp s = parse(seg(LBSIM_ACK, full));
	EXPECT_EQ(s.opts.size(), 40u);
	full.push_back(1);
	EXPECT_EQ(seg_len(LBSIM_ACK, full), -EMSGSIZE);
	EXPECT_EQ(seg_len(LBSIM_PSH | LBSIM_ACK, Bytes(40, 1)), -EMSGSIZE);
	EXPECT_EQ(seg_len(LBSIM_ACK, Bytes(41, 1)), -EINVAL);
}

TEST_F(LbsimProfile, BareKeepsTheCallersBytesEvenWithTimestamps)
{
	ASSERT_EQ(lbsim_conn_set_profile(&c, LBSIM_PROFILE_BARE), 0);
	Bytes given{2, 4, 0x05, 0xb4, 1, 3, 3, 7};
	Bytes ts = ts_bytes(9, 0);
	given.insert(given.end(), ts.begin(), ts.end());
	Bytes p;
	ASSERT_GT(syn(p, &given, 40), 0);
	synack(linux_synack(1, 9));
	EXPECT_TRUE(c.ts_ok); // negotiated, but lbsim adds nothing
	Bytes forty(40, 0);
	forty[0] = 254;
	forty[1] = 255;
	Tcp s = parse(seg(LBSIM_ACK, forty));
	EXPECT_EQ(s.opts, forty);
	EXPECT_EQ(s.window, 65535u);
	EXPECT_TRUE(parse(seg(LBSIM_ACK)).opts.empty());
}

TEST_F(LbsimProfile, PeerWithoutTimestampsOrWindowScale)
{
	Bytes p;
	ASSERT_GT(syn(p), 0);
	synack(Bytes{2, 4, 0x05, 0xb4});
	EXPECT_FALSE(c.ts_ok || c.ws_ok || c.sack_ok);
	Tcp s = parse(seg(LBSIM_ACK, toa6()));
	EXPECT_EQ(s.opts, toa6());
	EXPECT_EQ(s.window, LBSIM_RCV_WINDOW); // not scaled
	peer_seg(Bytes{}, 509, c.snd_nxt);
	EXPECT_EQ(c.snd_wnd, 509u);
}

TEST_F(LbsimProfile, SetProfileAndOfflineConnections)
{
	EXPECT_EQ(lbsim_conn_set_profile(&c, 3), -EINVAL);
	EXPECT_EQ(lbsim_conn_set_profile(&c, -1), -EINVAL);
	EXPECT_EQ(c.profile, LBSIM_PROFILE_DEFAULT);
	c.established = 1;
	EXPECT_EQ(lbsim_conn_set_profile(&c, LBSIM_PROFILE_BARE), -EISCONN);
	EXPECT_EQ(lbsim_send_segment(&c, LBSIM_ACK, nullptr, 0, nullptr, 0), -ENODEV);
	lbsim_conn d{};
	EXPECT_EQ(lbsim_conn_init(&d, nullptr, AF_INET6, kLb6, 0, kSrv6, kSrvPort), -EINVAL);
	EXPECT_EQ(lbsim_conn_init(&d, nullptr, AF_UNIX, kLb6, 1, kSrv6, kSrvPort), -EINVAL);
	uint8_t o[LBSIM_MAX_OPTLEN];
	EXPECT_EQ(lbsim_conn_syn_options(&d, o, nullptr, 0, 41), -EINVAL);
}

TEST_F(LbsimProfile, SynackHelperRefusesOtherSegments)
{
	uint8_t pkt[128];
	ssize_t n = lbsim_build_packet(pkt, sizeof(pkt), AF_INET6, kSrv6, kLb6, kSrvPort, kLbPort,
				       1, 2, LBSIM_ACK, 100, nullptr, 0, nullptr, 0);
	ASSERT_GT(n, 0);
	EXPECT_EQ(lbsim_conn_synack(&c, pkt, static_cast<size_t>(n)), -EINVAL);
	EXPECT_EQ(lbsim_conn_synack(&c, pkt, 10), -EINVAL);
}

} // namespace
