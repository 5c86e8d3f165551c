// SPDX-License-Identifier: GPL-2.0 OR MIT
// mok.h - where dkms's Secure Boot signing key and certificate are.
#pragma once

#include <string>

#include "system.h"

namespace toacheck {

// dkms's own default (dkms >= 3 creates the pair on first use).
inline constexpr const char *kDkmsMokCertificate = "/var/lib/dkms/mok.pub";
inline constexpr const char *kDkmsMokSigningKey = "/var/lib/dkms/mok.key";
// Ubuntu's dkms signs with the key shim-signed made.
inline constexpr const char *kUbuntuMokCertificate = "/var/lib/shim-signed/mok/MOK.der";
inline constexpr const char *kUbuntuMokSigningKey = "/var/lib/shim-signed/mok/MOK.priv";

struct MokKey {
	std::string certificate;
	std::string signing_key;
};

// The distribution's default: Ubuntu's (ID or ID_LIKE ubuntu), else dkms's.
MokKey default_mok_key(const OsRelease &os);
// @base with the mok_certificate= and mok_signing_key= lines of one
// framework.conf applied (shell syntax: optional quotes, # comments).
MokKey apply_framework_conf(const std::string &text, MokKey base);
// What dkms uses here: the default, then /etc/dkms/framework.conf, then
// /etc/dkms/framework.conf.d/*.conf in name order (as dkms reads them).
MokKey dkms_mok_key(System &sys);

} // namespace toacheck
