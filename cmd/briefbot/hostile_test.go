package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The hostile-feed tests run the real briefbot (this test binary re-run as
// main, see TestMain) against a local server of hostile feeds, loopback
// only, each command bounded in time. They show that link-local addresses
// stay refused with allow_private_networks, that deep nesting (plain and
// as a gzip bomb) is refused within the memory bound, that numeric host
// spellings are refused as the addresses they spell, and that an empty
// document is reported.

// maxPeakRSS is the bound from issue 14: any document within the body
// limit stays under it.
const maxPeakRSS = 150 << 20

// hostileServer serves the hostile documents and counts requests per path.
type hostileServer struct {
	*httptest.Server
	mu   sync.Mutex
	hits map[string]int
}

func (h *hostileServer) hitsOf(path string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.hits[path]
}

// deepDoc is an RSS document of nested elements filling the 10 MiB body
// limit: 3.5 million elements.
func deepDoc() []byte {
	head := `<?xml version="1.0"?><rss version="2.0"><channel><title>deep</title>`
	n := (10<<20 - 1024 - len(head)) / 3
	return append([]byte(head), bytes.Repeat([]byte("<a>"), n)...)
}

func newHostileServer(t *testing.T) *hostileServer {
	deep := deepDoc()
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	_, _ = zw.Write(deep)
	_ = zw.Close()
	t.Logf("deep document: %d bytes, %d gzip-compressed", len(deep), gz.Len())
	entityBomb := `<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<rss version="2.0"><channel><title>&lol4;</title><description>&lol4;</description></channel></rss>`
	feed := `<?xml version="1.0"?><rss version="2.0"><channel><title>ok</title>` +
		`<item><title>Envoys meet in Muscat</title><link>https://news.example.org/a</link>` +
		`<pubDate>` + time.Now().UTC().Format(time.RFC1123Z) + `</pubDate></item></channel></rss>`

	h := &hostileServer{hits: map[string]int{}}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		h.hits[r.URL.Path]++
		h.mu.Unlock()
		switch r.URL.Path {
		case "/deep":
			w.Header().Set("Content-Type", "application/rss+xml")
			_, _ = w.Write(deep)
		case "/deep.gz":
			w.Header().Set("Content-Type", "application/rss+xml")
			w.Header().Set("Content-Encoding", "gzip")
			_, _ = w.Write(gz.Bytes())
		case "/entity":
			w.Header().Set("Content-Type", "application/rss+xml")
			_, _ = w.Write([]byte(entityBomb))
		case "/metadata":
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
		case "/metadata-hex":
			http.Redirect(w, r, "http://0xa9fea9fe/latest/meta-data/", http.StatusFound)
		case "/feed":
			w.Header().Set("Content-Type", "application/rss+xml")
			_, _ = w.Write([]byte(feed))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(h.Close)
	return h
}

// runResult is how a briefbot process ended.
type runResult struct {
	code           int
	stdout, stderr string
	peakRSS        int64 // bytes
}

// briefbot runs this binary as briefbot with args, for at most limit.
func briefbot(t *testing.T, limit time.Duration, env []string, args ...string) runResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, self, args...)
	cmd.Env = append(append(os.Environ(), asMainEnv+"=1"), env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("briefbot %v did not finish within %v", args, limit)
	}
	res := runResult{stdout: out.String(), stderr: errOut.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		res.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("briefbot %v: %v", args, err)
	}
	res.peakRSS = peakRSS(cmd.ProcessState)
	return res
}

func peakRSS(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss << 10 // kilobytes on Linux
	}
	return 0
}

func TestHostileFeedsPreview(t *testing.T) {
	if testing.Short() {
		t.Skip("runs briefbot processes")
	}
	h := newHostileServer(t)
	port := h.URL[strings.LastIndex(h.URL, ":")+1:]
	env := []string{"BRIEFBOT_DATABASE_PATH=" + filepath.Join(t.TempDir(), "unused.db")}
	tests := []struct {
		name      string
		args      []string
		code      int
		stderr    string
		reportRSS bool
	}{
		// Item 1: with allow_private_networks, loopback is allowed but a
		// redirect to the metadata address is refused before connecting.
		{"redirect to metadata", []string{"--allow-private-networks", h.URL + "/metadata"}, 1,
			"refused: 169.254.169.254 is a private or local network address", false},
		{"redirect to metadata, hex spelling", []string{"--allow-private-networks", h.URL + "/metadata-hex"}, 1,
			"refused: 169.254.169.254 is a private or local network address", false},
		// Item 2: deep nesting, plain and as a 10 KiB gzip bomb.
		{"deep nesting", []string{"--allow-private-networks", h.URL + "/deep"}, 1, "nest more than 256 deep", true},
		{"deep nesting, gzip", []string{"--allow-private-networks", h.URL + "/deep.gz"}, 1, "nest more than 256 deep", true},
		// Item 3: numeric spellings of loopback, refused as loopback.
		{"127.1", []string{"http://127.1:" + port + "/feed"}, 1, "refused: 127.0.0.1 is a private", false},
		{"2130706433", []string{"http://2130706433:" + port + "/feed"}, 1, "refused: 127.0.0.1 is a private", false},
		{"0x7f000001", []string{"http://0x7f000001:" + port + "/feed"}, 1, "refused: 127.0.0.1 is a private", false},
		{"0177.0.0.1", []string{"http://0177.0.0.1:" + port + "/feed"}, 1, "refused: 127.0.0.1 is a private", false},
		// Item 4: a document with no items says so.
		{"entity bomb", []string{"--allow-private-networks", h.URL + "/entity"}, 0, "warning: no items found", false},
		// A real feed on the same server still works.
		{"good feed", []string{"--allow-private-networks", h.URL + "/feed"}, 0, "", false},
	}
	for _, tt := range tests {
		res := briefbot(t, 60*time.Second, env, append([]string{"preview"}, tt.args...)...)
		if res.code != tt.code || !strings.Contains(res.stderr, tt.stderr) {
			t.Errorf("%s: exit %d, stderr %q; want exit %d and %q", tt.name, res.code, res.stderr, tt.code, tt.stderr)
		}
		if tt.reportRSS {
			t.Logf("%s: peak RSS %.1f MB (bound %d MB)", tt.name, float64(res.peakRSS)/(1<<20), maxPeakRSS>>20)
		}
		if res.peakRSS > maxPeakRSS && !raceEnabled {
			t.Errorf("%s: peak RSS %.1f MB, over %d MB", tt.name, float64(res.peakRSS)/(1<<20), maxPeakRSS>>20)
		}
	}
	if n := h.hitsOf("/feed"); n != 1 {
		t.Errorf("the feed was requested %d times, want once (numeric spellings must not reach it)", n)
	}
}

// The same documents inside run: each source's health says what went
// wrong, nothing crashes, and the process stays under the memory bound.
func TestHostileFeedsRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs briefbot processes")
	}
	h := newHostileServer(t)
	port := h.URL[strings.LastIndex(h.URL, ":")+1:]
	dir := t.TempDir()
	cfg := fmt.Sprintf(`log: {level: info, format: json}
admin: {listen: "off"}
database: {path: %q}
polling: {allow_private_networks: true, interval: 30s}
sources:
  - {name: deep, url: %q}
  - {name: deepgz, url: %q}
  - {name: entity, url: %q}
  - {name: metadata, url: %q}
  - {name: numeric, url: "http://2852039166/latest/meta-data/"}
  - {name: numericloop, url: "http://2130706433:%s/feed"}
  - {name: good, url: %q}
`, filepath.Join(dir, "briefbot.db"), h.URL+"/deep", h.URL+"/deep.gz", h.URL+"/entity", h.URL+"/metadata", port, h.URL+"/feed")
	cfgPath := filepath.Join(dir, "briefbot.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	run := exec.Command(self, "run", "--config", cfgPath)
	run.Env = append(os.Environ(), asMainEnv+"=1", "DISCORD_TOKEN=")
	var runLog bytes.Buffer
	run.Stdout, run.Stderr = &runLog, &runLog
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- run.Wait() }()
	defer func() {
		if run.ProcessState == nil {
			_ = run.Process.Kill()
			<-done
		}
	}()

	// Wait (at most a minute) until every source has been polled once.
	var sources string
	deadline := time.Now().Add(60 * time.Second)
	for {
		res := briefbot(t, 30*time.Second, nil, "sources", "--config", cfgPath)
		sources = res.stdout
		if res.code == 0 && !strings.Contains(sources, "not polled yet") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("sources not all polled within a minute:\n%s\nrun's log:\n%s", sources, tail(runLog.String(), 4000))
		}
		time.Sleep(time.Second)
	}
	if err := run.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run exited with %v after SIGTERM; want a clean shutdown\n%s", err, tail(runLog.String(), 4000))
		}
	case <-time.After(30 * time.Second):
		t.Fatal("run did not stop within 30s of SIGTERM")
	}
	rss := peakRSS(run.ProcessState)
	t.Logf("run over all hostile sources: peak RSS %.1f MB (bound %d MB)", float64(rss)/(1<<20), maxPeakRSS>>20)
	if rss > maxPeakRSS && !raceEnabled {
		t.Errorf("run's peak RSS %.1f MB, over %d MB", float64(rss)/(1<<20), maxPeakRSS>>20)
	}
	want := map[string]string{
		"deep":     "nest more than 256 deep",
		"deepgz":   "nest more than 256 deep",
		"entity":   "warning: no items found",
		"metadata": "refused: 169.254.169.254",
		"numeric":  "refused: 169.254.169.254",
	}
	for _, line := range strings.Split(sources, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if w, ok := want[f[0]]; ok {
			if !strings.Contains(line, w) {
				t.Errorf("source %s: %q, want %q", f[0], line, w)
			}
			delete(want, f[0])
		}
		// 2130706433 is 127.0.0.1, allowed here: dialled as that address,
		// not looked up as a name (which would fail).
		if (f[0] == "good" || f[0] == "numericloop") && !strings.Contains(line, " ok ") {
			t.Errorf("source %s: %q, want ok", f[0], line)
		}
	}
	for name := range want {
		t.Errorf("source %s missing from:\n%s", name, sources)
	}
	if n := h.hitsOf("/feed"); n < 2 {
		t.Errorf("the feed was requested %d times, want by both the good and the numeric-loopback sources", n)
	}
}
