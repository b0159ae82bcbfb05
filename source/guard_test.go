package source

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
)

func TestIsLinkLocalOrMetadata(t *testing.T) {
	tests := map[string]bool{
		"169.254.169.254": true, "169.254.0.1": true, "fe80::1": true, "fe80::1%eth0": true,
		"fd00:ec2::254": true, "100.100.100.200": true, "ff02::1": true,
		"::ffff:169.254.169.254": true, "64:ff9b::a9fe:a9fe": true, "2002:a9fe:a9fe::1": true,
		"::ffff:0:a9fe:a9fe": true,
		// Loopback and private ranges are lifted by allow_private_networks.
		"127.0.0.1": false, "10.0.0.1": false, "192.168.1.10": false, "fd00::1": false, "::1": false,
		"8.8.8.8": false,
	}
	for s, want := range tests {
		if got := IsLinkLocalOrMetadata(netip.MustParseAddr(s)); got != want {
			t.Errorf("IsLinkLocalOrMetadata(%s) = %v, want %v", s, got, want)
		}
	}
}

func TestParseHostAddr(t *testing.T) {
	tests := []struct {
		host string
		want string // "" when host is a name, not an address
	}{
		{"127.0.0.1", "127.0.0.1"},
		{"127.1", "127.0.0.1"},
		{"127.0.1", "127.0.0.1"},
		{"2130706433", "127.0.0.1"},
		{"0x7f000001", "127.0.0.1"},
		{"0X7F.1", "127.0.0.1"},
		{"0177.0.0.1", "127.0.0.1"},
		{"017700000001", "127.0.0.1"},
		{"0xa9.0xfe.0xa9.0xfe", "169.254.169.254"},
		{"2852039166", "169.254.169.254"},
		{"10.0.0.1.", "10.0.0.1"},
		{"0", "0.0.0.0"},
		{"::1", "::1"},
		{"example.com", ""},
		{"1.2.3.4.5", ""},
		{"256.1.1.1", ""},
		{"4294967296", ""},
		{"08.1.1.1", ""},
		{"1.2.3.0x", "1.2.3.0"},
		{"", ""},
		{"0x7f000001.example", ""},
	}
	for _, tt := range tests {
		ip, ok := parseHostAddr(tt.host)
		got := ""
		if ok {
			got = ip.String()
		}
		if got != tt.want {
			t.Errorf("parseHostAddr(%q) = %q, want %q", tt.host, got, tt.want)
		}
	}
}

// noDNS makes any DNS query a test failure: numeric hosts must never reach
// the resolver.
func noDNS(t *testing.T) *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, address string) (net.Conn, error) {
		t.Errorf("a DNS query was sent (%s %s)", network, address)
		return nil, errors.New("no DNS in this test")
	}}
}

// Numeric spellings of loopback are refused as loopback, by the URL check
// and by the dialer, without a DNS query.
func TestGuardRefusesNumericHostSpellings(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request reached the loopback server: %s", r.URL)
	}))
	defer srv.Close()
	port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]
	f := NewFetcher(Limits{}, testLogger(t))
	d := newGuardedDialer(IsPrivateAddr)
	d.dialer.Resolver = noDNS(t)
	for _, host := range []string{"127.1", "2130706433", "0x7f000001", "0177.0.0.1", "127.0.1"} {
		_, err := f.Fetch(context.Background(), "http://"+host+":"+port+"/feed", Validators{})
		if !errors.Is(err, ErrPrivateNetwork) {
			t.Errorf("fetch %s: err = %v, want ErrPrivateNetwork", host, err)
		}
		conn, err := d.DialContext(context.Background(), "tcp", net.JoinHostPort(host, port))
		if err == nil {
			conn.Close()
		}
		if !errors.Is(err, ErrPrivateNetwork) {
			t.Errorf("dial %s: err = %v, want ErrPrivateNetwork", host, err)
		}
	}
}

// With allow_private_networks a numeric spelling reaches the address it
// spells, dialled directly rather than looked up.
func TestGuardDialsNumericHostWithoutDNS(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("ok"))
	}))
	defer srv.Close()
	port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]
	d := newGuardedDialer(IsLinkLocalOrMetadata)
	d.dialer.Resolver = noDNS(t)
	conn, err := d.DialContext(context.Background(), "tcp", "2130706433:"+port)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	conn.Close()
}

// With allow_private_networks on, a LAN feed is fetched but a redirect to
// the metadata address is refused before any connection.
func TestAllowPrivateStillRefusesLinkLocalAndMetadata(t *testing.T) {
	targets := []string{
		"http://169.254.169.254/latest/meta-data/",
		"http://[fe80::1]/",
		"http://[fd00:ec2::254]/latest/meta-data/",
		"http://0xa9fea9fe/latest/meta-data/",
		"http://[::ffff:169.254.169.254]/",
	}
	for _, target := range targets {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, target, http.StatusFound)
		}))
		f := testFetcher(t, Limits{})
		_, err := f.Fetch(context.Background(), srv.URL, Validators{})
		srv.Close()
		if !errors.Is(err, ErrPrivateNetwork) {
			t.Errorf("redirect to %s: err = %v, want ErrPrivateNetwork", target, err)
		}
	}
	// The dialer refuses it too, whatever the URL check saw.
	d := newGuardedDialer(IsLinkLocalOrMetadata)
	if conn, err := d.DialContext(context.Background(), "tcp", "169.254.169.254:80"); !errors.Is(err, ErrPrivateNetwork) {
		if conn != nil {
			conn.Close()
		}
		t.Errorf("dial metadata: err = %v, want ErrPrivateNetwork", err)
	}
	// The loopback feed itself is allowed.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("<rss/>"))
	}))
	defer srv.Close()
	if _, err := testFetcher(t, Limits{}).Fetch(context.Background(), srv.URL, Validators{}); err != nil {
		t.Errorf("loopback with allow_private_networks: %v", err)
	}
}

func TestCheckURLHostLocalhostOnlyWithoutAllowPrivate(t *testing.T) {
	u, _ := url.Parse("http://localhost:8080/feed")
	if err := checkURLHost(u, IsPrivateAddr, true); !errors.Is(err, ErrPrivateNetwork) {
		t.Errorf("guarded: err = %v, want ErrPrivateNetwork", err)
	}
	if err := checkURLHost(u, IsLinkLocalOrMetadata, false); err != nil {
		t.Errorf("allow_private_networks: err = %v", err)
	}
}
