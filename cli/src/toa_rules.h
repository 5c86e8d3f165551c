// SPDX-License-Identifier: GPL-2.0 OR MIT
// toa_rules.h - what the toa module does with the TCP options of a
// connection, modelled in one place so that toa-check trace follows the
// module: which packets it reads, which kinds it takes (option_kinds),
// whom it trusts (trusted_sources) and which clients it refuses. The
// option parser and the CIDR list are the module's own C code
// (module/toa_opt.c, module/toa_cidr.c).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

extern "C" {
#include "toa_cidr.h"
#include "toa_opt.h"
}

namespace toacheck {

class System;

// The packets of one connection, from the balancer to this host.
enum class Packet {
	Syn,	    // the SYN
	Ack,	    // the handshake ACK (no data)
	Completing, // a data segment that completes the handshake (its ACK was lost)
	Data,	    // the first data segment after the handshake completed
	SynAck,	    // a SYN-ACK (this host is the one that connected)
};
const char *packet_name(Packet p); // "SYN", "ACK", "data", "data", "SYN-ACK"

// One TCP option as it appears in the header (NOP and EOL have length 1).
struct TcpOption {
	uint8_t kind = 0;
	uint8_t length = 0;
};

struct OptionList {
	std::vector<TcpOption> options;
	bool broken = false; // an option runs past the header or has length < 2
};
// Walk the options of a TCP header (@len bytes readable, bounded by the
// data offset as in toa_parse_options).
OptionList list_options(const uint8_t *tcp, size_t len);
// "mss", "nop", "ts", ..., or "K/L" for others.
std::string option_text(const TcpOption &o);

// An option that looks like TOA: a kind the module could be configured for
// (toa_kind_valid) with length 8 (IPv4) or 20 (IPv6).
struct Toa {
	uint8_t kind = 0;
	uint8_t length = 0;
	int family = 0; // 4 or 6
	uint8_t addr[16] = {};
	uint16_t port = 0;
	std::string client() const; // "203.0.113.7:4321", "[2001:db8::7]:4321"
};

// What the module does with the options of one packet it reads.
enum class Outcome {
	None,	   // nothing TOA-shaped
	Accepted,  // a usable client from a trusted source
	WrongKind, // TOA-shaped, but the kind is not in option_kinds
	Untrusted, // the source is not in trusted_sources
	Malformed, // broken option list, or a configured kind with a bad length
	BadClient, // 0.0.0.0, ::, multicast, broadcast
};
const char *outcome_id(Outcome o); // "none", "accepted", "wrong_kind", ...

// The packet's network source (the balancer).
struct Source {
	int family = 4; // 4 or 6
	uint8_t addr[16] = {};
	uint16_t port = 0;
	std::string text() const;    // with the port
	std::string address() const; // without
};

struct PacketEval {
	Packet packet = Packet::Syn;
	bool read = false;		 // the module reads this packet
	Outcome outcome = Outcome::None; // on this packet, were it read
	std::optional<Toa> toa;		 // the TOA-shaped option, whatever its kind
	bool trusted = true;		 // the source is in trusted_sources (or the list is empty)
	bool exid_skipped = false;	 // a Fast Open option of a TOA kind on a SYN
	std::string detail;		 // for Malformed / BadClient
};

// The connection's verdict.
enum class Verdict {
	Accepted,
	WrongKind,
	Untrusted,
	Malformed,
	BadClient,
	NotRead, // TOA only on a packet the module does not read
	NoToa,
};
const char *verdict_id(Verdict v); // "accepted", ..., "not_read", "no_toa"

struct Decision {
	Verdict verdict = Verdict::NoToa;
	std::optional<Packet> packet; // the packet that decided (or carried the TOA)
	std::optional<Toa> toa;
	std::string summary; // one line
	std::string fix;     // commands, "\n"-separated; "" when none
	std::string note;    // "" or one more sentence
};

class Rules {
public:
	// The module's defaults: option_kinds 254,253, trusted_sources empty.
	Rules();
	// The loaded module's parameters (/sys/module/toa/parameters); the
	// defaults when it is not loaded. A parameter that cannot be read or
	// parsed keeps its default and adds a line to warnings().
	static Rules from_system(System &sys);
	// Explicit values (the unit tests, and the module's text formats).
	// Throws UsageError on a bad value.
	static Rules from_text(const std::string &option_kinds, const std::string &trusted_sources,
			       bool module_loaded = true);

	bool module_loaded() const { return loaded_; }
	const std::string &kinds_text() const { return kinds_text_; }
	const std::string &trusted_text() const { return trusted_text_; } // "" = any source
	const std::vector<std::string> &warnings() const { return warnings_; }

	bool kind_configured(uint8_t kind) const;
	bool trusts(const Source &src) const;
	// Does the module read TOA from @p? The SYN (not when the handshake
	// used a SYN cookie: nothing of the SYN is kept), the handshake ACK,
	// the segment completing the handshake; never a later segment or a
	// SYN-ACK.
	bool reads(Packet p, bool syn_cookie = false) const;

	// The options of TCP header @tcp (@len readable bytes) of packet @p from @src.
	PacketEval evaluate(Packet p, const uint8_t *tcp, size_t len, const Source &src,
			    bool syn_cookie = false) const;
	// The first packet the module reads with a usable TOA decides; a later
	// packet never changes it. @packets in arrival order.
	Decision decide(const std::vector<PacketEval> &packets, const Source &src) const;

	// The option_kinds list with @kind added (the last one replaced when
	// the list is full).
	std::string kinds_with(uint8_t kind) const;
	// The trusted_sources list with @src added as /32 or /128.
	std::string trusted_with(const Source &src) const;

private:
	toa_kinds kinds_{};
	toa_cidr_list trusted_{};
	std::string kinds_text_;
	std::string trusted_text_;
	bool loaded_ = false;
	std::vector<std::string> warnings_;

	bool set_kinds(const std::string &text);
	bool set_trusted(const std::string &text);
};

} // namespace toacheck
