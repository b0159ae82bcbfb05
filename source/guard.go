package source

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"net/url"
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
}

// Prefixes that embed an IPv4 address, checked on the embedded address.
var (
	nat64Prefix = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour   = netip.MustParsePrefix("2002::/16")
)

// IsPrivateAddr reports whether ip is an address briefbot refuses to fetch
// from unless allow_private_networks is set.
func IsPrivateAddr(ip netip.Addr) bool {
	if !ip.IsValid() {
		return true
	}
	ip = ip.Unmap() // ::ffff:10.0.0.1 is 10.0.0.1
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsUnspecified() ||
		ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() {
		return true
	}
	for _, p := range blockedPrefixes {
		if p.Contains(ip) {
			return true
		}
	}
	if ip.Is6() {
		b := ip.As16()
		switch {
		case nat64Prefix.Contains(ip):
			return IsPrivateAddr(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}))
		case sixToFour.Contains(ip):
			return IsPrivateAddr(netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}))
		}
	}
	return false
}

// privateErr is the error for a refused address, in words for the health view.
func privateErr(what string) error {
	return newError(ErrPrivateNetwork,
		"refused: "+what+" is a private or local network address (set allow_private_networks to allow it)", nil)
}

// checkURLHost refuses URLs whose host is written as a private IP literal
// or a localhost name. The dialer guard is the real check; this one also
// covers proxied requests, where the dialer only sees the proxy.
func checkURLHost(u *url.URL, blocked func(netip.Addr) bool) error {
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return privateErr(host)
	}
	if ip, err := netip.ParseAddr(host); err == nil && blocked(ip) {
		return privateErr(ip.String())
	}
	return nil
}

// guardedDialer dials with the address guard, except to configured proxies.
type guardedDialer struct {
	dialer  *net.Dialer
	proxies sync.Map // "host:port" of proxies returned by the Proxy func
}

func newGuardedDialer(enabled bool, blocked func(netip.Addr) bool) *guardedDialer {
	g := &guardedDialer{dialer: &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}}
	if enabled {
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
	return g.dialer.DialContext(ctx, network, addr)
}
