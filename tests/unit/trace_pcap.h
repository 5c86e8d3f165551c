// SPDX-License-Identifier: GPL-2.0 OR MIT
// trace_pcap.h - recorded handshakes for the toa-check trace tests: packets
// built here (IPv4/IPv6 + TCP with any options) and written to pcap files
// through libpcap's own dump writer.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace toatest {

using Bytes = std::vector<uint8_t>;

// One direction of a connection: the balancer @lb:@lb_port to @srv:@srv_port.
struct Flow {
	int family = 4; // 4 or 6
	std::string lb = "198.51.100.2";
	std::string srv = "198.51.100.1";
	uint16_t lb_port = 40000;
	uint16_t srv_port = 8080;
};

inline constexpr uint8_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kPsh = 0x08, kAck = 0x10;

// An IP packet: TCP header with @opts (padded with EOL to a multiple of 4),
// then @payload zero bytes.
Bytes tcp_packet(const Flow &f, uint8_t flags, const Bytes &opts, size_t payload = 0,
		 uint32_t seq = 1000);

// TOA options.
Bytes toa4(uint8_t kind, const std::string &addr, uint16_t port);
Bytes toa6(uint8_t kind, const std::string &addr, uint16_t port);
Bytes cat(std::initializer_list<Bytes> parts);
inline const Bytes kMss{2, 4, 0x05, 0xb4};

struct Frame {
	double ts;
	Bytes bytes;
	size_t caplen = 0; // 0: all of it
};

// The usual handshake: SYN (@syn), ACK (@ack), then, when @data_len > 0,
// one data segment (@data). Timestamps from @t, 1 ms apart.
std::vector<Frame> handshake(const Flow &f, const Bytes &syn, const Bytes &ack,
			     const Bytes &data = {}, size_t data_len = 0, double t = 1000.0);

// Write @frames to @path with link type @dlt (DLT_RAW: the frames are IP
// packets; DLT_LINUX_SLL / DLT_EN10MB: a header is put in front).
void write_pcap(const std::string &path, const std::vector<Frame> &frames,
		int dlt = 12 /* DLT_RAW */, unsigned sll_type = 0);

} // namespace toatest
