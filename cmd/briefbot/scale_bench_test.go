package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/briefbot/briefbot/config"
)

// BenchmarkScale polls N local feeds with `briefbot run` (adaptive
// schedule), `briefbot run` with a flat schedule (min = max = interval),
// and a bare conditional-GET gofeed poller, all three at once as child
// processes against one server on 127.0.0.1, and reports for each: CPU
// share, peak and steady RSS and its growth, polls per interval, the
// largest 10-second burst, the longest gap between two polls of a feed,
// and publish → post latency for items appended at random times to busy
// feeds (10%, one item per 5 min) and quiet ones (one per 6 h).
//
// It runs only when BRIEFBOT_SCALE_FEEDS is set (e.g. "1000" or
// "1000,10000"), so CI's one-pass benchmark smoke stays fast.
// BRIEFBOT_SCALE_SPEED=S compresses time S-fold (intervals divided by S,
// publishing rates multiplied by S); durations are reported in real-time
// equivalents (×S), CPU share as measured. BRIEFBOT_SCALE_INTERVALS sets
// the measured intervals after a two-interval warm-up (default 3).
// BRIEFBOT_SCALE_GOMEMLIMIT sets GOMEMLIMIT in the briefbot children.
// BRIEFBOT_SCALE_BINARY=path adds a fourth child in real time: that
// briefbot binary (go build ./cmd/briefbot) running the adaptive config.
func BenchmarkScale(b *testing.B) {
	spec := os.Getenv("BRIEFBOT_SCALE_FEEDS")
	if spec == "" {
		b.Skip("set BRIEFBOT_SCALE_FEEDS=1000 (or 1000,10000) to run; see README, Performance")
	}
	speed := envFloat(b, "BRIEFBOT_SCALE_SPEED", 1)
	measured := envFloat(b, "BRIEFBOT_SCALE_INTERVALS", 3)
	for _, s := range strings.Split(spec, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			b.Fatalf("BRIEFBOT_SCALE_FEEDS: %q is not a feed count", s)
		}
		b.Run(fmt.Sprintf("feeds=%d", n), func(b *testing.B) {
			for b.Loop() {
				runScale(b, n, speed, measured)
			}
		})
	}
}

func envFloat(b *testing.B, name string, def float64) float64 {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f <= 0 {
		b.Fatalf("%s: %q is not a positive number", name, v)
	}
	return f
}

// scale is one benchmark run's shared clock and parameters.
type scale struct {
	n        int
	speed    float64
	interval time.Duration // the flat interval, compressed
	start    time.Time
}

// real converts a compressed duration to the real-time one it stands for.
func (s *scale) real(d time.Duration) time.Duration { return time.Duration(float64(d) * s.speed) }

func (s *scale) compress(d time.Duration) time.Duration { return time.Duration(float64(d) / s.speed) }

// The feed mix: busyShare of feeds publish every busyEvery, the rest every
// quietEvery (real time), about 2% of feeds gaining an item a minute.
const (
	busyShare  = 0.10
	busyEvery  = 5 * time.Minute
	quietEvery = 6 * time.Hour
	feedItems  = 20
	scaleHosts = 16
)

// scaleFeed is one served feed: its items, newest first, and its document.
type scaleFeed struct {
	mu    sync.Mutex
	busy  bool
	seq   int
	items []scaleItem
	doc   []byte
	etag  string
}

type scaleItem struct {
	title, desc, link string
	at                time.Time
}

// scaleServer serves the feeds to three clients (path prefixes a, f, b)
// and logs every request.
type scaleServer struct {
	s     *scale
	feeds []*scaleFeed
	urls  []string // per host base URL
	mu    sync.Mutex
	polls map[string][]poll // by client
	pub   map[string]published
}

type poll struct {
	feed int
	at   time.Time
}

type published struct {
	at   time.Time
	busy bool
}

func newScaleServer(b *testing.B, s *scale) *scaleServer {
	srv := &scaleServer{s: s, polls: map[string][]poll{}, pub: map[string]published{}}
	now := time.Now()
	for i := range s.n {
		f := &scaleFeed{busy: float64(i%100) < busyShare*100}
		every := s.compress(quietEvery)
		if f.busy {
			every = s.compress(busyEvery)
		}
		// A history at the feed's pace, so a poller can learn it.
		for k := feedItems - 1; k >= 0; k-- {
			srv.addItem(i, f, now.Add(-time.Duration(float64(every)*(float64(k)+rand.Float64()))), false)
		}
		srv.feeds = append(srv.feeds, f)
	}
	for range scaleHosts {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = hs.Serve(ln) }()
		b.Cleanup(func() { _ = hs.Close() })
		srv.urls = append(srv.urls, "http://"+ln.Addr().String())
	}
	return srv
}

func (srv *scaleServer) feedURL(client string, i int) string {
	return fmt.Sprintf("%s/%s/%d.xml", srv.urls[i%len(srv.urls)], client, i)
}

// addItem appends an item dated at (the caller holds f.mu or owns f).
func (srv *scaleServer) addItem(i int, f *scaleFeed, at time.Time, record bool) {
	f.seq++
	title, desc := burstHeadline(i*100000 + f.seq)
	link := fmt.Sprintf("https://news.example.org/%d/%d", i, f.seq)
	f.items = append([]scaleItem{{title, desc, link, at}}, f.items...)
	if len(f.items) > feedItems {
		f.items = f.items[:feedItems]
	}
	var doc bytes.Buffer
	fmt.Fprintf(&doc, `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Feed %d</title><link>https://news.example.org/%d</link><description>bench</description>`, i, i)
	for _, it := range f.items {
		fmt.Fprintf(&doc, "<item><title>%s</title><link>%s</link><guid>%s</guid><pubDate>%s</pubDate><description>%s</description></item>",
			it.title, it.link, it.link, it.at.UTC().Format(time.RFC1123Z), it.desc)
	}
	doc.WriteString("</channel></rss>")
	f.doc, f.etag = doc.Bytes(), fmt.Sprintf(`"%d"`, f.seq)
	if record {
		srv.mu.Lock()
		srv.pub[link] = published{at, f.busy}
		srv.mu.Unlock()
	}
}

func (srv *scaleServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	client, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	i, err := strconv.Atoi(strings.TrimSuffix(rest, ".xml"))
	if err != nil || i < 0 || i >= len(srv.feeds) {
		http.NotFound(w, r)
		return
	}
	srv.mu.Lock()
	srv.polls[client] = append(srv.polls[client], poll{i, time.Now()})
	srv.mu.Unlock()
	f := srv.feeds[i]
	f.mu.Lock()
	doc, etag := f.doc, f.etag
	f.mu.Unlock()
	w.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "application/rss+xml")
	_, _ = w.Write(doc)
}

// publish appends items at random (Poisson) times at each feed's pace
// until ctx ends.
func (srv *scaleServer) publish(ctx context.Context) {
	busyRate := float64(time.Second) / float64(srv.s.compress(busyEvery))   // per second per feed
	quietRate := float64(time.Second) / float64(srv.s.compress(quietEvery)) // per second per feed
	var busy, quiet []int
	for i, f := range srv.feeds {
		if f.busy {
			busy = append(busy, i)
		} else {
			quiet = append(quiet, i)
		}
	}
	total := busyRate*float64(len(busy)) + quietRate*float64(len(quiet))
	for {
		wait := time.Duration(rand.ExpFloat64() / total * float64(time.Second))
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		pool := quiet
		if rand.Float64() < busyRate*float64(len(busy))/total {
			pool = busy
		}
		i := pool[rand.IntN(len(pool))]
		f := srv.feeds[i]
		f.mu.Lock()
		srv.addItem(i, f, time.Now(), true)
		f.mu.Unlock()
	}
}

// scaleChild is one poller process and what it reported.
type scaleChild struct {
	name   string
	cmd    *exec.Cmd
	mu     sync.Mutex
	posted map[string]time.Time
	cpu    []sample // cumulative CPU seconds
	rss    []sample // MiB
	peak   float64  // VmHWM, MiB
	// anon and file split the last RSS sample: the program's memory and
	// the mapped binary.
	anon, file float64
	exited     chan struct{} // closed when the process has ended
	err        error         // its exit status, once exited
}

type sample struct {
	at time.Time
	v  float64
}

func startChild(b *testing.B, name string, env ...string) *scaleChild {
	cmd := exec.Command(os.Args[0], "-test.run=^TestScaleChild$", "-test.v=false")
	cmd.Env = append(os.Environ(), env...)
	return startCmd(b, name, cmd)
}

// startBinary runs a built briefbot binary (BRIEFBOT_SCALE_BINARY) with
// the adaptive config, as users run it: its RSS has no test binary in it.
// The BRIEFBOT_SCALE_* variables are left out of its environment, where
// briefbot would warn of them as unknown options.
func startBinary(b *testing.B, srv *scaleServer, dir, bin string) *scaleChild {
	env := briefbotChildEnv(b, srv, dir, "r", false)
	var config string
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "BRIEFBOT_SCALE_CONFIG="); ok {
			config = v
		}
	}
	cmd := exec.Command(bin, "run", "--config", config)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "BRIEFBOT_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	if v := os.Getenv("BRIEFBOT_SCALE_GOMEMLIMIT"); v != "" {
		cmd.Env = append(cmd.Env, "GOMEMLIMIT="+v)
	}
	return startCmd(b, "binary", cmd)
}

func startCmd(b *testing.B, name string, cmd *exec.Cmd) *scaleChild {
	c := &scaleChild{name: name, posted: map[string]time.Time{}, cmd: cmd}
	c.cmd.Stderr = os.Stderr
	out, err := c.cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := c.cmd.Start(); err != nil {
		b.Fatal(err)
	}
	c.exited = make(chan struct{})
	b.Cleanup(func() { // a benchmark that failed midway leaves no process behind
		select {
		case <-c.exited:
		default:
			_ = c.cmd.Process.Kill()
			<-c.exited
		}
	})
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			line = strings.TrimPrefix(line, "NEW ")
			if strings.HasPrefix(line, "https://news.example.org/") {
				now := time.Now()
				c.mu.Lock()
				if _, ok := c.posted[line]; !ok {
					c.posted[line] = now
				}
				c.mu.Unlock()
			}
		}
		c.err = c.cmd.Wait() // after the output is read, as Wait requires
		close(c.exited)
	}()
	return c
}

// sampleProc reads the child's CPU time and RSS from /proc.
func (c *scaleChild) sampleProc() {
	pid := c.cmd.Process.Pid
	now := time.Now()
	if stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
		// Fields after the command name, which is in parentheses.
		if i := bytes.LastIndexByte(stat, ')'); i > 0 {
			f := strings.Fields(string(stat[i+1:]))
			if len(f) > 13 {
				ut, _ := strconv.ParseFloat(f[11], 64)
				st, _ := strconv.ParseFloat(f[12], 64)
				c.cpu = append(c.cpu, sample{now, (ut + st) / 100}) // USER_HZ is 100 on Linux
			}
		}
	}
	if status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid)); err == nil {
		for _, line := range strings.Split(string(status), "\n") {
			k, v, _ := strings.Cut(line, ":")
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			switch k {
			case "VmRSS":
				c.rss = append(c.rss, sample{now, kb / 1024})
			case "VmHWM":
				c.peak = kb / 1024
			case "RssAnon":
				c.anon = kb / 1024
			case "RssFile":
				c.file = kb / 1024
			}
		}
	}
}

func runScale(b *testing.B, n int, speed, measured float64) {
	s := &scale{n: n, speed: speed, interval: time.Duration(float64(2*time.Minute) / speed)}
	srv := newScaleServer(b, s)
	dir := b.TempDir()
	children := []*scaleChild{
		startChild(b, "adaptive", briefbotChildEnv(b, srv, dir, "a", false)...),
		startChild(b, "flat", briefbotChildEnv(b, srv, dir, "f", true)...),
		startChild(b, "bare", bareChildEnv(b, srv, dir, "b")...),
	}
	if bin := os.Getenv("BRIEFBOT_SCALE_BINARY"); bin != "" {
		// The binary validates its config: compressed intervals are
		// below polling.min_interval's floor.
		if speed != 1 {
			b.Fatal("BRIEFBOT_SCALE_BINARY runs only in real time (BRIEFBOT_SCALE_SPEED unset)")
		}
		children = append(children, startBinary(b, srv, dir, bin))
	}
	s.start = time.Now()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	warm := 2 * s.interval
	steadyFrom := s.start.Add(warm)
	pubDone := make(chan struct{})
	go func() {
		// Items appended before the pollers primed would be backlog.
		select {
		case <-time.After(s.interval + s.interval/2):
		case <-ctx.Done():
		}
		pctx, pcancel := context.WithDeadline(ctx, steadyFrom.Add(time.Duration(measured*float64(s.interval))))
		defer pcancel()
		srv.publish(pctx)
		close(pubDone)
	}()
	// Sample every second (compressed), then one interval to drain.
	end := steadyFrom.Add(time.Duration((measured + 1) * float64(s.interval)))
	tick := time.NewTicker(max(time.Second/time.Duration(max(speed, 1)), 200*time.Millisecond))
	for now := range tick.C {
		for _, c := range children {
			select {
			case <-c.exited:
				cancel()
				b.Fatalf("%s poller exited early (%v); its log is above", c.name, c.err)
			default:
			}
			c.sampleProc()
		}
		if now.After(end) {
			break
		}
	}
	tick.Stop()
	<-pubDone
	for _, c := range children {
		_ = c.cmd.Process.Signal(os.Interrupt)
	}
	for _, c := range children {
		<-c.exited
	}
	b.Logf("feeds=%d speed=%g: warm-up %s, measured %s (compressed), GOMAXPROCS=%d, load %s",
		n, speed, warm, time.Duration(measured*float64(s.interval)), runtime.GOMAXPROCS(0), loadAvg())
	pubEnd := steadyFrom.Add(time.Duration(measured * float64(s.interval)))
	for _, c := range children {
		srv.report(b, c, steadyFrom, pubEnd, end)
	}
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}

// report prints one child's figures and reports them as metrics.
func (srv *scaleServer) report(b *testing.B, c *scaleChild, from, pubEnd, end time.Time) {
	s := srv.s
	client := map[string]string{"adaptive": "a", "flat": "f", "bare": "b", "binary": "r"}[c.name]
	srv.mu.Lock()
	polls := slices.Clone(srv.polls[client])
	pub := srv.pub
	srv.mu.Unlock()

	// CPU share of one core over the steady window.
	cpuShare := rate(c.cpu, from, end) * 100
	var steady []float64
	for _, r := range c.rss {
		if !r.at.Before(from) {
			steady = append(steady, r.v)
		}
	}
	slices.Sort(steady)
	rssMedian := 0.0
	if len(steady) > 0 {
		rssMedian = steady[len(steady)/2]
	}
	growth := slope(c.rss, from, end) * 60 / s.speed // MiB per real minute

	// Polls in the steady window, per flat interval; bursts per 10 s
	// (compressed) over the whole run; the longest gap per feed.
	inWindow := 0
	bins := map[int64]int{}
	last := make([]time.Time, s.n)
	var maxGap time.Duration
	bin := s.compress(10 * time.Second)
	for _, p := range polls {
		if !p.at.Before(from) && p.at.Before(end) {
			inWindow++
		}
		bins[int64(p.at.Sub(s.start)/bin)]++
		if !last[p.feed].IsZero() && !p.at.Before(from) {
			maxGap = max(maxGap, p.at.Sub(last[p.feed]))
		}
		last[p.feed] = p.at
	}
	never := 0
	for _, t := range last {
		if t.IsZero() {
			never++
		}
	}
	perInterval := float64(inWindow) / (float64(end.Sub(from)) / float64(s.interval))
	burst := 0
	for _, v := range bins {
		burst = max(burst, v)
	}
	runBins := float64(end.Sub(s.start)) / float64(bin)
	avgBin := float64(len(polls)) / runBins

	// Publish → post for items appended in the steady window; an item
	// not posted by the end counts as the longest (censored) latency.
	lat := map[bool][]time.Duration{}
	missing := map[bool]int{}
	c.mu.Lock()
	for link, p := range pub {
		if p.at.Before(from) || p.at.After(pubEnd) {
			continue
		}
		if at, ok := c.posted[link]; ok {
			lat[p.busy] = append(lat[p.busy], s.real(at.Sub(p.at)))
		} else {
			lat[p.busy] = append(lat[p.busy], time.Duration(math.MaxInt64))
			missing[p.busy]++
		}
	}
	c.mu.Unlock()
	med := func(ds []time.Duration) (string, string) {
		if len(ds) == 0 {
			return "-", "-"
		}
		slices.Sort(ds)
		f := func(d time.Duration) string {
			if d == time.Duration(math.MaxInt64) {
				return "not posted"
			}
			return d.Round(100 * time.Millisecond).String()
		}
		return f(ds[len(ds)/2]), f(ds[len(ds)-1])
	}
	bMed, bMax := med(lat[true])
	qMed, qMax := med(lat[false])
	b.Logf("%-8s CPU %5.2f%% of a core | RSS peak %5.1f MiB, steady %5.1f MiB (anon %.1f, file %.1f), growth %+.2f MiB/min | polls/interval %6.0f (%d feeds) | max 10s burst %d (avg %.0f, %.2f×) | longest gap %s, never polled %d | busy publish→post median %s max %s (n=%d, not posted %d) | quiet median %s max %s (n=%d, not posted %d)",
		c.name, cpuShare, c.peak, rssMedian, c.anon, c.file, growth, perInterval, s.n, burst, avgBin, float64(burst)/avgBin,
		s.real(maxGap).Round(time.Second), never, bMed, bMax, len(lat[true]), missing[true], qMed, qMax, len(lat[false]), missing[false])
	b.ReportMetric(cpuShare, c.name+"-cpu-%")
	b.ReportMetric(c.peak, c.name+"-peak-MiB")
	b.ReportMetric(rssMedian, c.name+"-steady-MiB")
	b.ReportMetric(perInterval, c.name+"-polls/interval")
	b.ReportMetric(float64(burst)/avgBin, c.name+"-burst-x")
}

// rate is the average increase per second of cumulative samples in [from, to].
func rate(ss []sample, from, to time.Time) float64 {
	var first, last *sample
	for i := range ss {
		if ss[i].at.Before(from) || ss[i].at.After(to) {
			continue
		}
		if first == nil {
			first = &ss[i]
		}
		last = &ss[i]
	}
	if first == nil || last == first {
		return 0
	}
	return (last.v - first.v) / last.at.Sub(first.at).Seconds()
}

// slope is the least-squares slope (per second) of samples in [from, to].
func slope(ss []sample, from, to time.Time) float64 {
	var n, sx, sy, sxx, sxy float64
	for _, p := range ss {
		if p.at.Before(from) || p.at.After(to) {
			continue
		}
		x := p.at.Sub(from).Seconds()
		n++
		sx += x
		sy += p.v
		sxx += x * x
		sxy += x * p.v
	}
	if n < 2 || n*sxx == sx*sx {
		return 0
	}
	return (n*sxy - sx*sy) / (n*sxx - sx*sx)
}

func briefbotChildEnv(b *testing.B, srv *scaleServer, dir, client string, flat bool) []string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "log: {level: warn, format: json}\ndatabase: {path: %s}\nadmin: {listen: \"off\"}\npolling: {allow_private_networks: true}\nsources:\n",
		filepath.Join(dir, client+".db"))
	for i := range srv.s.n {
		fmt.Fprintf(&sb, "  - name: feed-%d\n    url: %s\n", i, srv.feedURL(client, i))
	}
	path := filepath.Join(dir, client+".yaml")
	if err := os.WriteFile(path, []byte(sb.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	mode := "adaptive"
	if flat {
		mode = "flat"
	}
	env := []string{"BRIEFBOT_SCALE_CHILD=" + mode, "BRIEFBOT_SCALE_CONFIG=" + path,
		"BRIEFBOT_SCALE_CHILD_SPEED=" + strconv.FormatFloat(srv.s.speed, 'g', -1, 64),
		"BRIEFBOT_SCALE_PPROF=" + os.Getenv("BRIEFBOT_SCALE_PPROF")}
	// A soft memory limit for the briefbot children only, so the bare
	// poller stays the same baseline.
	if v := os.Getenv("BRIEFBOT_SCALE_GOMEMLIMIT"); v != "" {
		env = append(env, "GOMEMLIMIT="+v)
	}
	return env
}

func bareChildEnv(b *testing.B, srv *scaleServer, dir, client string) []string {
	var urls []string
	for i := range srv.s.n {
		urls = append(urls, srv.feedURL(client, i))
	}
	path := filepath.Join(dir, "bare.txt")
	if err := os.WriteFile(path, []byte(strings.Join(urls, "\n")), 0o600); err != nil {
		b.Fatal(err)
	}
	return []string{"BRIEFBOT_SCALE_CHILD=bare", "BRIEFBOT_SCALE_URLS=" + path,
		"BRIEFBOT_SCALE_CHILD_SPEED=" + strconv.FormatFloat(srv.s.speed, 'g', -1, 64)}
}

// TestScaleChild is BenchmarkScale's child process; it does nothing
// unless started by it (BRIEFBOT_SCALE_CHILD set).
func TestScaleChild(t *testing.T) {
	mode := os.Getenv("BRIEFBOT_SCALE_CHILD")
	if mode == "" {
		t.Skip("a child process of BenchmarkScale")
	}
	speed, err := strconv.ParseFloat(os.Getenv("BRIEFBOT_SCALE_CHILD_SPEED"), 64)
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := signalContext()
	defer stop()
	compress := func(d time.Duration) time.Duration { return time.Duration(float64(d) / speed) }
	if mode == "bare" {
		barePoller(ctx, t, os.Getenv("BRIEFBOT_SCALE_URLS"), compress(2*time.Minute))
		return
	}
	data, err := os.ReadFile(os.Getenv("BRIEFBOT_SCALE_CONFIG"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse(data, "scale.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	// Compressed time goes below the configured minimum of 30 s, so the
	// intervals are set after validation.
	cfg.Polling.Interval = compress(2 * time.Minute)
	cfg.Polling.MinInterval, cfg.Polling.MaxInterval = compress(30*time.Second), compress(30*time.Minute)
	if mode == "flat" {
		cfg.Polling.MinInterval, cfg.Polling.MaxInterval = cfg.Polling.Interval, cfg.Polling.Interval
	}
	e := &env{stdin: strings.NewReader(""), stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}
	go logMemory(ctx, mode, cfg.Polling.Interval)
	if dir := os.Getenv("BRIEFBOT_SCALE_PPROF"); dir != "" {
		f, err := os.Create(filepath.Join(dir, mode+".cpu"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			t.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	err = runBot(ctx, e, cfg, newLogger(os.Stderr, cfg.Log.Level, "json"))
	if dir := os.Getenv("BRIEFBOT_SCALE_PPROF"); dir != "" {
		writeHeapProfile(t, filepath.Join(dir, mode+".heap"))
	}
	if err != nil {
		t.Fatal(err)
	}
}

// logMemory writes where the process's memory is, once an interval, to
// stderr: Go heap, goroutine stacks, and what the runtime holds from the OS.
func logMemory(ctx context.Context, mode string, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		ms := []metrics.Sample{
			{Name: "/gc/heap/live:bytes"}, {Name: "/gc/heap/goal:bytes"},
			{Name: "/memory/classes/heap/released:bytes"}, {Name: "/memory/classes/heap/free:bytes"},
			{Name: "/memory/classes/total:bytes"}, {Name: "/cpu/classes/gc/total:cpu-seconds"},
			{Name: "/cpu/classes/total:cpu-seconds"}, {Name: "/cpu/classes/idle:cpu-seconds"},
		}
		metrics.Read(ms)
		mib := func(i int) float64 { return float64(ms[i].Value.Uint64()) / (1 << 20) }
		if dir := os.Getenv("BRIEFBOT_SCALE_PPROF"); dir != "" {
			if f, err := os.Create(filepath.Join(dir, mode+".goroutines")); err == nil {
				_ = pprof.Lookup("goroutine").WriteTo(f, 1)
				f.Close()
			}
			if f, err := os.Create(filepath.Join(dir, mode+".live.heap")); err == nil {
				_ = pprof.Lookup("heap").WriteTo(f, 0)
				f.Close()
			}
		}
		// Live heap (marked at the last GC) against the goal separates
		// what is retained from GC headroom; free is heap the runtime
		// keeps but has not returned to the OS.
		// GC's share of the CPU the process used (total less idle).
		gcCPU := ms[5].Value.Float64() / max(ms[6].Value.Float64()-ms[7].Value.Float64(), 1e-9) * 100
		fmt.Fprintf(os.Stderr, "scale-mem %s: heap live %.1f MiB, goal %.1f MiB, in use %.1f MiB, free %.1f MiB, released %.1f MiB, stacks %.1f MiB, runtime total %.1f MiB, from OS %.1f MiB, GC %.1f%% of CPU, goroutines %d\n",
			mode, mib(0), mib(1), float64(m.HeapInuse)/(1<<20), mib(3), mib(2), float64(m.StackInuse)/(1<<20), mib(4), float64(m.Sys)/(1<<20), gcCPU, runtime.NumGoroutine())
	}
}

func writeHeapProfile(t *testing.T, path string) {
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	runtime.GC()
	if err := pprof.WriteHeapProfile(f); err != nil {
		t.Fatal(err)
	}
}

// barePoller is the baseline: what any feed reader must do at least. One
// goroutine per feed polls every interval from a random start with a
// conditional GET, parses a 200 with gofeed and prints new items' links;
// eight requests at most in flight, as briefbot's polling.concurrency.
func barePoller(ctx context.Context, t *testing.T, urlFile string, interval time.Duration) {
	data, err := os.ReadFile(urlFile)
	if err != nil {
		t.Fatal(err)
	}
	var out sync.Mutex
	w := bufio.NewWriter(os.Stdout)
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for _, u := range strings.Split(string(data), "\n") {
		wg.Go(func() {
			var etag string
			seen := map[string]bool{}
			primed := false
			timer := time.NewTimer(time.Duration(rand.Int64N(int64(interval))))
			defer timer.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-timer.C:
				}
				timer.Reset(interval)
				sem <- struct{}{}
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
				if etag != "" {
					req.Header.Set("If-None-Match", etag)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					<-sem
					continue
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				<-sem
				if resp.StatusCode != http.StatusOK {
					continue
				}
				etag = resp.Header.Get("ETag")
				feed, err := gofeed.NewParser().Parse(bytes.NewReader(body))
				if err != nil {
					continue
				}
				for _, it := range feed.Items {
					if !seen[it.GUID] && primed {
						out.Lock()
						fmt.Fprintf(w, "NEW %s\n", it.Link)
						w.Flush()
						out.Unlock()
					}
					seen[it.GUID] = true
				}
				primed = true
			}
		})
	}
	wg.Wait()
}

func signalContext() (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt)
	go func() {
		select {
		case <-ch:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}
