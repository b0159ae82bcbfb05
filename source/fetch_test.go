package source

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const smallFeed = `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><guid>a</guid><link>https://news.example.org/a</link><title>A</title></item></channel></rss>`

func TestFetchConditionalGET(t *testing.T) {
	var gotUA, gotINM, gotIMS atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotUA.Store(r.Header.Get("User-Agent"))
		gotINM.Store(r.Header.Get("If-None-Match"))
		gotIMS.Store(r.Header.Get("If-Modified-Since"))
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Last-Modified", "Mon, 02 Jan 2006 15:04:05 GMT")
		fmt.Fprint(w, smallFeed)
	}))
	defer srv.Close()
	f := testFetcher(t, Limits{UserAgent: UserAgent("1.2.3")})

	resp, err := f.Fetch(context.Background(), srv.URL, Validators{})
	if err != nil {
		t.Fatal(err)
	}
	if resp.NotModified || resp.ETag != `"v1"` || resp.LastModified == "" || string(resp.Body) != smallFeed {
		t.Fatalf("first fetch = %+v", resp)
	}
	if ua := gotUA.Load().(string); ua != "briefbot/1.2.3 (+https://github.com/briefbot/briefbot)" {
		t.Errorf("User-Agent = %q", ua)
	}

	resp, err = f.Fetch(context.Background(), srv.URL, Validators{ETag: resp.ETag, LastModified: resp.LastModified})
	if err != nil {
		t.Fatal(err)
	}
	if !resp.NotModified || len(resp.Body) != 0 {
		t.Fatalf("second fetch should be 304 with no body: %+v", resp)
	}
	if resp.ETag != `"v1"` {
		t.Errorf("a 304 must keep the validators: ETag = %q", resp.ETag)
	}
	if gotINM.Load() != `"v1"` || gotIMS.Load() != "Mon, 02 Jan 2006 15:04:05 GMT" {
		t.Errorf("conditional headers: If-None-Match=%q If-Modified-Since=%q", gotINM.Load(), gotIMS.Load())
	}
}

func TestFetchErrorsHaveReasons(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		limits  Limits
		kind    error
		reason  string
	}{
		{"404", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) },
			Limits{}, ErrHTTPStatus, "HTTP 404 Not Found"},
		{"500", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) },
			Limits{}, ErrHTTPStatus, "HTTP 500 Internal Server Error"},
		{"429 with Retry-After", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "120")
			w.WriteHeader(http.StatusTooManyRequests)
		}, Limits{}, ErrHTTPStatus, "HTTP 429 Too Many Requests; Retry-After honoured, next try in 2m"},
		{"timeout", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
		}, Limits{Timeout: 150 * time.Millisecond}, ErrTimeout, "timed out after 150ms"},
		{"declared too large", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "2000000")
			w.Write(make([]byte, 10))
		}, Limits{MaxBodyBytes: 1 << 20}, ErrTooLarge, "response larger than 1 MiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			_, err := testFetcher(t, tt.limits).Fetch(context.Background(), srv.URL, Validators{})
			if !errors.Is(err, tt.kind) {
				t.Fatalf("err = %v, want %v", err, tt.kind)
			}
			if got := Reason(err); got != tt.reason {
				t.Errorf("Reason = %q, want %q", got, tt.reason)
			}
		})
	}
}

// The body limit aborts the transfer as soon as it is exceeded: the server,
// which would send 256 MiB, is cut off after little more than the limit.
func TestFetchBodyLimitAbortsEarly(t *testing.T) {
	checkAbortsEarly(t, "", []byte("x"), func(f *Fetcher, url string) error {
		_, err := f.Fetch(context.Background(), url, Validators{})
		return err
	})
}

// checkAbortsEarly serves an endless body of chunk repeated (as
// contentType, if set) and checks that fetch, given a fetcher limited to
// 64 KiB, fails with ErrTooLarge and stops the transfer early.
func checkAbortsEarly(t *testing.T, contentType string, chunk []byte, fetch func(*Fetcher, string) error) {
	t.Helper()
	const limit = 64 << 10
	var written atomic.Int64
	done := make(chan struct{})
	chunk = bytes.Repeat(chunk, (32<<10)/len(chunk)+1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(done)
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		for written.Load() < 256<<20 {
			n, err := w.Write(chunk)
			written.Add(int64(n))
			if err != nil {
				return
			}
			w.(http.Flusher).Flush()
		}
	}))
	defer srv.Close()
	err := fetch(testFetcher(t, Limits{MaxBodyBytes: limit}), srv.URL)
	if !errors.Is(err, ErrTooLarge) || Reason(err) != "response larger than 64 KiB" {
		t.Fatalf("err = %v (%q), want ErrTooLarge", err, Reason(err))
	}
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("server kept writing: the transfer was not aborted")
	}
	// Socket buffers hold a few MiB at most; 256 MiB means we read it all.
	if w := written.Load(); w > 32<<20 {
		t.Errorf("server wrote %d bytes before the client gave up; want an early abort", w)
	}
}

func gzipBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gzipServer(t *testing.T, body []byte) (*httptest.Server, *atomic.Value) {
	var acceptEnc atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		acceptEnc.Store(r.Header.Get("Accept-Encoding"))
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv, &acceptEnc
}

func TestFetchGzip(t *testing.T) {
	srv, acceptEnc := gzipServer(t, gzipBytes(t, []byte(smallFeed)))
	resp, err := testFetcher(t, Limits{}).Fetch(context.Background(), srv.URL, Validators{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(acceptEnc.Load().(string), "gzip") {
		t.Errorf("Accept-Encoding = %q, want gzip", acceptEnc.Load())
	}
	if string(resp.Body) != smallFeed {
		t.Errorf("body not decompressed: %q", resp.Body)
	}
}

// A gzip bomb (small on the wire, huge decompressed) stops at the limit,
// because the limit counts decompressed bytes.
func TestFetchGzipBomb(t *testing.T) {
	bomb := gzipBytes(t, make([]byte, 64<<20))
	if len(bomb) > 1<<20 {
		t.Fatalf("bomb is %d bytes compressed; the test needs it under the limit", len(bomb))
	}
	srv, _ := gzipServer(t, bomb)
	_, err := testFetcher(t, Limits{MaxBodyBytes: 1 << 20}).Fetch(context.Background(), srv.URL, Validators{})
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
}

func redirectChain(t *testing.T, hops int) *httptest.Server {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscanf(r.URL.Path, "/hop/%d", &n)
		if n < hops {
			http.Redirect(w, r, fmt.Sprintf("%s/hop/%d", srv.URL, n+1), http.StatusFound)
			return
		}
		fmt.Fprint(w, smallFeed)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestFetchRedirectLimit(t *testing.T) {
	f := testFetcher(t, Limits{})
	resp, err := f.Fetch(context.Background(), redirectChain(t, 5).URL+"/hop/0", Validators{})
	if err != nil {
		t.Fatalf("5 redirects must be followed: %v", err)
	}
	if !strings.HasSuffix(resp.URL, "/hop/5") {
		t.Errorf("final URL = %q", resp.URL)
	}
	_, err = f.Fetch(context.Background(), redirectChain(t, 6).URL+"/hop/0", Validators{})
	if !errors.Is(err, ErrTooManyRedirects) || Reason(err) != "more than 5 redirects" {
		t.Fatalf("6 redirects: err = %v (%q), want ErrTooManyRedirects", err, Reason(err))
	}
}

func TestFetchRefusesOtherSchemes(t *testing.T) {
	f := testFetcher(t, Limits{})
	for _, u := range []string{"ftp://example.org/feed", "file:///etc/passwd", "gopher://x", "javascript:alert(1)", "//no-scheme"} {
		if _, err := f.Fetch(context.Background(), u, Validators{}); !errors.Is(err, ErrUnsupportedScheme) {
			t.Errorf("Fetch(%q) = %v, want ErrUnsupportedScheme", u, err)
		}
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
	}))
	defer srv.Close()
	if _, err := f.Fetch(context.Background(), srv.URL, Validators{}); !errors.Is(err, ErrUnsupportedScheme) {
		t.Errorf("redirect to file: = %v, want ErrUnsupportedScheme", err)
	}
}

// With the guard on (the default), a loopback server is refused.
func TestFetchGuardRefusesLoopback(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("the guarded fetcher reached a loopback server")
	}))
	defer srv.Close()
	f := NewFetcher(Limits{}, testLogger(t))
	_, err := f.Fetch(context.Background(), srv.URL, Validators{})
	if !errors.Is(err, ErrPrivateNetwork) {
		t.Fatalf("err = %v, want ErrPrivateNetwork", err)
	}
	if !strings.HasPrefix(Reason(err), "refused: 127.0.0.1 is a private") {
		t.Errorf("Reason = %q", Reason(err))
	}
}

// A public-looking first hop (here: 127.0.0.1, allowed for the test) that
// redirects to a refused address is stopped at the redirect.
func TestFetchGuardRefusesRedirectToPrivate(t *testing.T) {
	ln := listenSecondLoopback(t)
	private := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("the redirect reached the private server")
	}))
	private.Listener = ln
	private.Start()
	defer private.Close()
	public := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, private.URL+"/feed", http.StatusFound)
	}))
	defer public.Close()

	onlyDotTwo := func(ip netip.Addr) bool { return ip == netip.MustParseAddr("127.0.0.2") }
	f := newFetcher(Limits{}, testLogger(t), onlyDotTwo)
	_, err := f.Fetch(context.Background(), public.URL, Validators{})
	if !errors.Is(err, ErrPrivateNetwork) {
		t.Fatalf("err = %v, want ErrPrivateNetwork", err)
	}
}

// The dialer checks the address a name resolves to, so a public name that
// resolves (or is rebound) to a private address is refused at connect time.
func TestGuardedDialerChecksResolvedAddress(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	d := newGuardedDialer(IsPrivateAddr)
	for _, addr := range []string{"localhost:" + port, "127.0.0.1:" + port} {
		conn, err := d.DialContext(context.Background(), "tcp", addr)
		if err == nil {
			conn.Close()
			t.Errorf("dial %s succeeded; want it refused", addr)
			continue
		}
		if !errors.Is(err, ErrPrivateNetwork) {
			t.Errorf("dial %s: err = %v, want ErrPrivateNetwork", addr, err)
		}
	}
	// A configured proxy is reachable even on a private address.
	d.proxies.Store("127.0.0.1:"+port, true)
	conn, err := d.DialContext(context.Background(), "tcp", "127.0.0.1:"+port)
	if err != nil {
		t.Fatalf("dial to the proxy: %v", err)
	}
	conn.Close()
}

func TestIsPrivateAddr(t *testing.T) {
	tests := map[string]bool{
		"127.0.0.1": true, "127.1.2.3": true, "::1": true,
		"10.1.2.3": true, "172.16.0.1": true, "172.31.255.255": true, "192.168.1.1": true,
		"169.254.169.254": true, "fd00:ec2::254": true, "fe80::1": true,
		"100.64.0.1": true, "100.127.255.255": true, "0.0.0.0": true, "::": true,
		"224.0.0.1": true, "ff02::1": true, "255.255.255.255": true,
		"::ffff:10.0.0.1": true, "::ffff:127.0.0.1": true, "::ffff:169.254.169.254": true,
		"64:ff9b::a00:1": true, "2002:c0a8:101::1": true, "fc00::1": true,
		"8.8.8.8": false, "1.1.1.1": false, "172.32.0.1": false, "100.128.0.1": false,
		"2001:4860:4860::8888": false, "::ffff:8.8.8.8": false, "64:ff9b::808:808": false,
		// Site-local, local-use NAT64 and SIIT (IPv4-translated) addresses.
		"fec0::1": true, "feff::1": true, "64:ff9b:1::a00:1": true, "64:ff9b:1:ffff::8": true,
		"::ffff:0:7f00:1": true, "::ffff:0:a9fe:a9fe": true, "::ffff:0:808:808": false,
		"100.100.100.200": true,
	}
	for s, want := range tests {
		if got := IsPrivateAddr(netip.MustParseAddr(s)); got != want {
			t.Errorf("IsPrivateAddr(%s) = %v, want %v", s, got, want)
		}
	}
	if !IsPrivateAddr(netip.Addr{}) {
		t.Error("the zero Addr must be refused")
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"120", 2 * time.Minute},
		{"0", 0},
		{"-5", 0},
		{"soon", 0},
		{"Sat, 01 Mar 2025 12:05:00 GMT", 5 * time.Minute},
		{"Sat, 01 Mar 2025 11:00:00 GMT", 0},
		{"999999999", maxRetryAfter},
	}
	for _, tt := range tests {
		if got := parseRetryAfter(tt.in, now); got != tt.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestLinkHeaderRels(t *testing.T) {
	base, _ := http.NewRequest("GET", "https://news.example.org/feed.xml", nil)
	hubs, self := linkHeaderRels([]string{
		`<https://hub.example.net/>; rel="hub", </feed.xml>; rel="self"`,
		`<https://other.example/x>; rel="alternate"`,
	}, base.URL)
	if len(hubs) != 1 || hubs[0] != "https://hub.example.net/" || self != "https://news.example.org/feed.xml" {
		t.Errorf("hubs=%v self=%q", hubs, self)
	}
}

func TestReasonWordings(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{nil, ""},
		{&StatusError{Code: 503, RetryAfter: 90 * time.Minute}, "HTTP 503 Service Unavailable; Retry-After honoured, next try in 1h30m"},
		{fmt.Errorf("source %q: %w", "x", &StatusError{Code: 410}), "HTTP 410 Gone"},
		{context.Canceled, "cancelled (shutting down)"},
		{errors.New("boom"), "failed: boom"},
	}
	for _, tt := range tests {
		if got := Reason(tt.err); got != tt.want {
			t.Errorf("Reason(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}

// listenSecondLoopback listens on 127.0.0.2, an address the guard refuses
// while 127.0.0.1 is allowed in tests. A machine without it skips the
// test, except in CI, where a silently missing guard test is a failure.
func listenSecondLoopback(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("cannot listen on 127.0.0.2: %v", err)
		}
		t.Skipf("cannot listen on 127.0.0.2 on this machine: %v", err)
	}
	return ln
}
