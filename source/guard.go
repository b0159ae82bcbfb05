package source

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// The address guard keeps feed URLs (which come from configuration, from
// users and from redirects chosen by remote servers) from reaching the
// machine's own network: loopback, private ranges, link-local (including
// cloud metadata at 169.254.169.254 and fd00:ec2::254), CGNAT and the like.
//
// It runs in the dialer's Control function, so it checks the address the
// socket actually connects to, after DNS resolution: redirects and DNS
// rebinding cannot slip past it.
//
// With an HTTP(S) proxy configured (HTTPS_PROXY / HTTP_PROXY, honoured via
// http.ProxyFromEnvironment), the connection goes to the proxy, which
// resolves the destination itself. The proxy's own address is therefore
// trusted (it is often on a private network), the guard can only check
// destinations written as IP literals or "localhost" names in the URL, and
// the proxy is responsible for egress policy beyond that.

// allow_private_networks lifts the guard for loopback and private ranges
// only: link-local addresses and cloud metadata endpoints stay refused,
// since a LAN feed never needs them and a redirect to them steals
// credentials.

// blockedPrefixes are ranges not covered by netip.Addr's Is* predicates.
var blockedPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // CGNAT shared address space
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // TEST-NET-1
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // TEST-NET-2
	netip.MustParsePrefix("203.0.113.0/24"),  // TEST-NET-3
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and broadcast
	netip.MustParsePrefix("::/96"),           // IPv4-compatible (deprecated)
	netip.MustParsePrefix("100::/64"),        // discard-only
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("fec0::/10"),       // site-local (deprecated, still routed on some LANs)
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64: embedding varies, so all of it
}

// metadataAddrs are cloud metadata endpoints outside link-local space.
var metadataAddrs = []netip.Addr{
	netip.MustParseAddr("fd00:ec2::254"),   // AWS IMDS over IPv6
	netip.MustParseAddr("100.100.100.200"), // Alibaba Cloud metadata
}

// Prefixes that embed an IPv4 address, checked on the embedded address.
var (
	nat64Prefix = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour   = netip.MustParsePrefix("2002::/16")
	siitPrefix  = netip.MustParsePrefix("::ffff:0:0:0/96") // IPv4-translated (RFC 2765)
)

// embeddedIPv4 returns the IPv4 address inside an IPv6 address that
// carries one to the IPv4 network (mapped, SIIT, NAT64, 6to4).
func embeddedIPv4(ip netip.Addr) (netip.Addr, bool) {
	if ip.Is4In6() {
		return ip.Unmap(), true
	}
	if !ip.Is6() {
		return netip.Addr{}, false
	}
	b := ip.As16()
	switch {
	case nat64Prefix.Contains(ip), siitPrefix.Contains(ip):
		return netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}), true
	case sixToFour.Contains(ip):
		return netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}), true
	}
	return netip.Addr{}, false
}

// IsPrivateAddr reports whether ip is an address briefbot refuses to fetch
// from unless allow_private_networks is set. It includes every address
// IsLinkLocalOrMetadata refuses.
func IsPrivateAddr(ip netip.Addr) bool {
	if !ip.IsValid() {
		return true
	}
	if v4, ok := embeddedIPv4(ip); ok {
		return IsPrivateAddr(v4)
	}
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsUnspecified() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || IsLinkLocalOrMetadata(ip) {
		return true
	}
	for _, p := range blockedPrefixes {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// IsLinkLocalOrMetadata reports whether ip is link-local (169.254.0.0/16,
// fe80::/10, where cloud metadata services live) or another known metadata
// endpoint: addresses refused even with allow_private_networks.
func IsLinkLocalOrMetadata(ip netip.Addr) bool {
	if !ip.IsValid() {
		return true
	}
	if v4, ok := embeddedIPv4(ip); ok {
		return IsLinkLocalOrMetadata(v4)
	}
	ip = ip.WithZone("")
	if ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() {
		return true
	}
	for _, m := range metadataAddrs {
		if ip == m {
			return true
		}
	}
	return false
}

// parseHostAddr parses host as an IP address, including the numeric
// spellings that C resolvers (inet_aton) and browsers accept for IPv4:
// "127.1", "2130706433", "0x7f000001", "0177.0.0.1". Go's resolver treats
// those as names and would send them to DNS; here they are the addresses
// they spell, so the guard sees them and no query leaves the machine.
func parseHostAddr(host string) (netip.Addr, bool) {
	host = strings.TrimSuffix(host, ".")
	if ip, err := netip.ParseAddr(host); err == nil {
		return ip, true
	}
	parts := strings.Split(host, ".")
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	nums := make([]uint64, len(parts))
	for i, p := range parts {
		n, ok := parseIPv4Part(p)
		if !ok {
			return netip.Addr{}, false
		}
		nums[i] = n
	}
	// All parts but the last are one byte; the last fills the rest.
	var v uint64
	for _, n := range nums[:len(nums)-1] {
		if n > 0xff {
			return netip.Addr{}, false
		}
		v = v<<8 | n
	}
	rest := 8 * uint(5-len(nums))
	last := nums[len(nums)-1]
	if last >= 1<<rest {
		return netip.Addr{}, false
	}
	v = v<<rest | last
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true
}

// parseIPv4Part reads one inet_aton part: 0x-hex, 0-octal or decimal.
func parseIPv4Part(p string) (uint64, bool) {
	base := 10
	switch {
	case len(p) >= 2 && (p[:2] == "0x" || p[:2] == "0X"):
		base, p = 16, p[2:]
		if p == "" {
			return 0, true // "0x" is zero, as browsers read it
		}
	case len(p) > 1 && p[0] == '0':
		base, p = 8, p[1:]
	}
	if p == "" || len(p) > 12 {
		return 0, false
	}
	n, err := strconv.ParseUint(p, base, 64)
	return n, err == nil
}

// privateErr is the error for a refused address, in words for the health view.
func privateErr(what string) error {
	return newError(ErrPrivateNetwork,
		"refused: "+what+" is a private or local network address (set allow_private_networks to allow it)", nil)
}

// checkURLHost refuses URLs whose host is written as a refused IP address
// (in any numeric spelling) or, with refuseLocalhost, a localhost name. The
// dialer guard is the real check; this one also covers proxied requests,
// where the dialer only sees the proxy.
func checkURLHost(u *url.URL, blocked func(netip.Addr) bool, refuseLocalhost bool) error {
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	if refuseLocalhost && (host == "localhost" || strings.HasSuffix(host, ".localhost")) {
		return privateErr(host)
	}
	if ip, ok := parseHostAddr(host); ok && blocked(ip) {
		return privateErr(ip.Unmap().String())
	}
	return nil
}

// guardedDialer dials with the address guard, except to configured proxies.
type guardedDialer struct {
	dialer  *net.Dialer
	proxies sync.Map // "host:port" of proxies returned by the Proxy func
}

// newGuardedDialer refuses connections to addresses blocked reports. With
// allow_private_networks the caller passes IsLinkLocalOrMetadata, never nil:
// some addresses stay refused whatever the configuration.
func newGuardedDialer(blocked func(netip.Addr) bool) *guardedDialer {
	g := &guardedDialer{dialer: &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}}
	g.dialer.Control = func(network, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return privateErr(address)
		}
		if blocked(ap.Addr()) {
			return privateErr(ap.Addr().Unmap().String())
		}
		return nil
	}
	return g
}

// proxy wraps http.ProxyFromEnvironment, remembering which addresses are
// proxies so that dialing them is allowed.
func (g *guardedDialer) proxy(req *http.Request) (*url.URL, error) {
	u, err := http.ProxyFromEnvironment(req)
	if u != nil {
		port := u.Port()
		if port == "" {
			port = map[string]string{"https": "443", "socks5": "1080"}[u.Scheme]
			if port == "" {
				port = "80"
			}
		}
		g.proxies.Store(net.JoinHostPort(u.Hostname(), port), true)
	}
	return u, err
}

func (g *guardedDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	if _, isProxy := g.proxies.Load(addr); isProxy {
		d := *g.dialer
		d.Control = nil
		return d.DialContext(ctx, network, addr)
	}
	// A numeric spelling ("127.1:80") is dialled as the address it spells,
	// so it is never sent to DNS and the Control check sees it.
	if host, port, err := net.SplitHostPort(addr); err == nil {
		if ip, ok := parseHostAddr(host); ok {
			addr = net.JoinHostPort(ip.String(), port)
		}
	}
	return g.dialer.DialContext(ctx, network, addr)
}
