// SPDX-License-Identifier: GPL-2.0 OR MIT
// capture.h - where toa-check trace gets its packets: libpcap on the
// "any" device (live, headers only, inbound only, a kernel filter for the
// listening ports) or a pcap file (the unit tests); and the decoding of a
// captured frame down to the TCP header, never past it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "toa_rules.h"

namespace toacheck {

// Bytes kept of each packet: the largest link header the "any" device
// gives (Linux cooked v2, 20) + the largest IPv4 header (60) + the largest
// TCP header (60). Payload beyond the TCP header is never looked at.
inline constexpr int kSnaplen = 20 + 60 + 60;

struct Frame {
	double ts = 0; // capture time, seconds since the epoch
	const uint8_t *data = nullptr;
	size_t caplen = 0;  // bytes captured
	size_t wirelen = 0; // bytes on the wire
};

class Capture {
public:
	enum class Next { Frame, Timeout, End };
	virtual ~Capture() = default;
	// Wait up to @timeout_ms for a frame; @f stays valid until the next call.
	virtual Next next(Frame &f, int timeout_ms) = 0;
	virtual int linktype() const = 0; // DLT_*
	// Capture only segments to these ports (empty: every TCP segment).
	// Returns "" or an error.
	virtual std::string set_ports(const std::vector<uint16_t> &ports) = 0;
	// Packets the kernel dropped because toa-check was too slow.
	virtual uint64_t dropped() { return 0; }
};

// Live capture on every interface of this network namespace. nullptr and
// @err set on failure.
std::unique_ptr<Capture> open_live_capture(const std::vector<uint16_t> &ports, std::string &err);
// A pcap file.
std::unique_ptr<Capture> open_file_capture(const std::string &path, std::string &err);

// "tcp and (dst port 80 or dst port 443)"; "tcp" for no ports or too many
// for one filter (those are then filtered in user space).
std::string capture_filter(const std::vector<uint16_t> &ports);

// A TCP segment, decoded from a frame.
struct Segment {
	Source src;	      // the balancer (family, address, port)
	uint8_t dst[16] = {}; // this host
	uint16_t dport = 0;
	uint8_t flags = 0; // TCP flags byte
	uint32_t seq = 0;
	size_t payload = 0;	      // data bytes, from the IP lengths (never read)
	const uint8_t *tcp = nullptr; // the TCP header in the frame
	size_t tcp_len = 0;	      // bytes of it captured (at most data offset * 4)
	bool truncated = false;	      // the capture cut the TCP header short
	std::string dst_text() const; // "198.51.100.1:8080"
};

inline constexpr uint8_t kTcpFin = 0x01;
inline constexpr uint8_t kTcpSyn = 0x02;
inline constexpr uint8_t kTcpRst = 0x04;
inline constexpr uint8_t kTcpAck = 0x10;

// Decode a frame of link type @linktype; nullopt for anything but an
// inbound, unfragmented IPv4/IPv6 TCP segment (IPv6 extension headers are
// not followed). Reads nothing beyond the TCP header.
std::optional<Segment> decode_frame(int linktype, const uint8_t *data, size_t caplen);

// The ports in LISTEN state in the text of /proc/net/tcp or tcp6.
std::vector<uint16_t> parse_listening_ports(const std::string &proc_net_tcp);

} // namespace toacheck
