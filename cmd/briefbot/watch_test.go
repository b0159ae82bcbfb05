package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/source"
	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/store/sqlite"
	"github.com/briefbot/briefbot/story"
)

// A newcomer runs `briefbot run` with no token: within a minute it says
// what it watches and shows the recent relevant stories it will not post.
func TestRunFirstMinute(t *testing.T) {
	now := time.Now().UTC()
	feed := &feedServer{}
	relevant := []string{
		"Iran and US hold nuclear talks in Oman as mediators push for deal",
		"Araghchi says Tehran ready for indirect negotiations with Washington",
		"Saudi and Iranian foreign ministers meet in Riyadh to discuss regional tensions",
		"Qatar mediates new round of Gaza ceasefire talks with Hamas and Israel",
		"IAEA chief Grossi visits Tehran to discuss nuclear inspections",
		"Oman hosts talks between Iranian and American envoys on sanctions relief",
	}
	var items []string
	for i, title := range relevant {
		// Newest first: the sixth is the oldest and falls outside the five.
		items = append(items, rssItem(fmt.Sprintf("rel-%d", i), title, title+".", now.Add(-time.Duration(i+1)*time.Hour)))
	}
	items = append(items,
		rssItem("off", "Local football club wins cup final", "The home side won 2-1 after extra time.", now.Add(-30*time.Minute)),
		rssItem("stale", "Iran and Saudi Arabia restore diplomatic ties in China-brokered deal", "Envoys met in Beijing.", now.Add(-72*time.Hour)),
	)
	feed.set(items...)
	mux := http.NewServeMux()
	mux.Handle("/feed.xml", feed)
	mux.Handle("/gone.xml", http.NotFoundHandler())
	srv := httptest.NewServer(mux)
	defer srv.Close()

	dir := t.TempDir()
	doc := fmt.Sprintf(`
log: {level: info, format: text}
database: {path: %s}
admin: {listen: "127.0.0.1:0"}
polling: {interval: 30s, allow_private_networks: true}
sources:
  - {name: wire, url: %s/feed.xml, outlet: Test Wire}
  - {name: broken, url: %s/gone.xml, outlet: Broken Wire}
`, filepath.Join(dir, "bb.db"), srv.URL, srv.URL)
	cfgPath := writeConfig(t, dir, doc)
	out, errOut := &syncBuffer{}, &syncBuffer{}
	e := &env{stdin: strings.NewReader(""), stdout: out, stderr: errOut, getenv: func(string) string { return "" }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- execute(ctx, e, []string{"run", "--config", cfgPath}) }()
	defer func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("run exited %d:\n%s", code, errOut.String())
		}
	}()

	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(out.String(), relevant[4]) {
		if time.Now().After(deadline) {
			t.Fatalf("no backlog within 60s\nstdout:\n%s\nstderr:\n%s", out, errOut)
		}
		time.Sleep(50 * time.Millisecond)
	}
	want := `msg="watching 2 sources: 1 ok, 1 failing (broken); 8 items recorded as already seen; next poll in 30s"`
	if !strings.Contains(errOut.String(), want) {
		t.Errorf("stderr lacks %s:\n%s", want, errOut)
	}
	got := out.String()
	for _, title := range relevant[:5] {
		if !strings.Contains(got, "[already published, not posted]\n■ "+title) {
			t.Errorf("backlog lacks %q:\n%s", title, got)
		}
	}
	for _, absent := range []string{relevant[5], "football", "China-brokered"} {
		if strings.Contains(got, absent) {
			t.Errorf("backlog shows %q (only the five newest relevant of the last 24 hours belong):\n%s", absent, got)
		}
	}
	if strings.Index(got, relevant[0]) > strings.Index(got, relevant[4]) {
		t.Errorf("backlog is not newest first:\n%s", got)
	}
	if !strings.Contains(got, "Test Wire") {
		t.Errorf("backlog does not name the outlet:\n%s", got)
	}

	// /healthz stays a liveness check (200) but lists the failing source.
	addr := regexp.MustCompile(`listener=admin addr=(\S+)`).FindStringSubmatch(errOut.String())
	if addr == nil {
		t.Fatalf("no admin listener in the log:\n%s", errOut)
	}
	resp, err := http.Get("http://" + addr[1] + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"sources":"degraded: 1 of 2 sources failing: broken (HTTP 404 Not Found)"`) {
		t.Errorf("/healthz: %s %s", resp.Status, body)
	}
}

// The heartbeat speaks at once when something changed, and otherwise
// every ten minutes.
func TestWatchHeartbeat(t *testing.T) {
	var logBuf syncBuffer
	log := slog.New(slog.NewTextHandler(&logBuf, nil))
	// Not in name order: the lines list failing sources sorted.
	feeds := []source.Feed{{Name: "c"}, {Name: "a"}, {Name: "b"}}
	w := newWatch(fixedFeeds(feeds), 2*time.Minute, log)
	clock := time.Date(2026, 12, 7, 18, 0, 0, 0, time.UTC)
	w.now = func() time.Time { return clock }
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "w.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	for _, f := range feeds {
		if err := st.EnsureSource(ctx, f.Name, "https://"+f.Name+".example/feed"); err != nil {
			t.Fatal(err)
		}
	}
	it := story.Item{Source: "a", Key: "k1", Link: "https://a.example/1", Title: "T", Published: clock.Add(-time.Hour), Fetched: clock}
	poll := store.Poll{At: clock, Items: []store.NewItem{{Item: it}}}
	ins, err := st.RecordPoll(ctx, "a", poll)
	if err != nil {
		t.Fatal(err)
	}
	var backlog []story.Item
	w.backlog = func(_ context.Context, items []story.Item) { backlog = items }
	w.polled("a", poll.Items, ins)
	for _, name := range []string{"c", "b"} {
		if _, err := st.RecordFailure(ctx, name, clock, "HTTP 404"); err != nil {
			t.Fatal(err)
		}
		w.failed(name, "HTTP 404")
	}
	w.firstRound(ctx, st)
	lines := func() []string { return regexp.MustCompile(`msg="[^"]*"`).FindAllString(logBuf.String(), -1) }
	if got := lines(); len(got) != 1 || got[0] != `msg="watching 3 sources: 1 ok, 2 failing (b, c); 1 items recorded as already seen; next poll in 2m"` {
		t.Fatalf("first round: %q", got)
	}
	if len(backlog) != 1 || backlog[0].Key != "k1" {
		t.Errorf("backlog %+v", backlog)
	}

	clock = clock.Add(time.Minute)
	w.heartbeat()
	if n := len(lines()); n != 1 {
		t.Fatalf("a heartbeat with nothing changed: %q", lines())
	}
	w.relevant()
	w.posted()
	w.heartbeat()
	if got := lines(); len(got) != 2 || got[1] != `msg="heartbeat: 3 sources, 1 ok, 2 failing (b, c); since 18:00: 0 polls, 0 failed, 0 new items, 1 relevant, 1 posted"` {
		t.Fatalf("after a post: %q", got)
	}
	// b recovers: a change in what fails is told at once.
	w.polled("b", nil, nil)
	w.heartbeat()
	if got := lines(); len(got) != 3 || got[2] != `msg="heartbeat: 3 sources, 2 ok, 1 failing (c); since 18:01: 1 polls, 0 failed, 0 new items, 0 relevant, 0 posted"` {
		t.Fatalf("after b recovered: %q", got)
	}
	// Quiet polls: nothing until ten minutes have passed.
	w.polled("a", nil, nil)
	clock = clock.Add(9 * time.Minute)
	w.heartbeat()
	if n := len(lines()); n != 3 {
		t.Fatalf("a quiet heartbeat before ten minutes: %q", lines())
	}
	clock = clock.Add(time.Minute)
	w.heartbeat()
	if got := lines(); len(got) != 4 || !strings.HasPrefix(got[3], `msg="heartbeat: 3 sources, 2 ok, 1 failing (c); since 18:01: 1 polls`) {
		t.Fatalf("ten-minute heartbeat: %q", lines())
	}
}

// "address already in use" names the key to change.
func TestListenErrorNamesTheKey(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	dir := t.TempDir()
	doc := fmt.Sprintf("database: {path: %s}\nadmin: {listen: %q}\nsources: [{name: a, url: \"http://127.0.0.1:1/feed\"}]\n", filepath.Join(dir, "bb.db"), ln.Addr().String())
	cfgPath := writeConfig(t, dir, doc)
	var out, errOut syncBuffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if code := execute(ctx, e, []string{"run", "--config", cfgPath}); code != 1 {
		t.Fatalf("exit %d:\n%s", code, errOut.String())
	}
	if !strings.Contains(errOut.String(), "address already in use: set admin.listen (or BRIEFBOT_ADMIN_LISTEN) to a free address") {
		t.Errorf("error does not name admin.listen:\n%s", errOut.String())
	}
}

// The first round keeps only the newest backlogKeep recent items for the
// console backlog, and none without one (Discord mode): at 10,000 sources
// it held every item of the first round.
func TestWatchBacklogBounded(t *testing.T) {
	clock := time.Date(2026, 12, 7, 18, 0, 0, 0, time.UTC)
	const n = 5*backlogKeep + 7
	var items []store.NewItem
	var inserted []story.Item
	for i := range n {
		// Shuffled publication times, all within the backlog window.
		it := story.Item{Source: "a", Key: fmt.Sprint(i), Published: clock.Add(-time.Duration((i*7919)%n) * time.Second)}
		items = append(items, store.NewItem{Item: it})
		inserted = append(inserted, it)
	}
	for _, console := range []bool{true, false} {
		w := newWatch(fixedFeeds{{Name: "a"}}, time.Minute, slog.New(slog.DiscardHandler))
		w.now = func() time.Time { return clock }
		var got []story.Item
		if console {
			w.backlog = func(_ context.Context, items []story.Item) { got = items }
		}
		for i := 0; i < n; i += 100 { // polls of 100 items
			w.polled("a", items[i:min(i+100, n)], inserted[i:min(i+100, n)])
			if len(w.recent) > 2*backlogKeep {
				t.Fatalf("console=%v: %d recent items held; want at most %d", console, len(w.recent), 2*backlogKeep)
			}
		}
		if !console {
			if len(w.recent) != 0 {
				t.Errorf("without a console backlog, %d items held", len(w.recent))
			}
			continue
		}
		st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "w.db"), nil)
		if err != nil {
			t.Fatal(err)
		}
		w.firstRound(t.Context(), st)
		st.Close()
		if len(got) != backlogKeep {
			t.Fatalf("backlog got %d items, want %d", len(got), backlogKeep)
		}
		// The newest: publication times 0 .. backlogKeep-1 seconds ago.
		oldest := clock.Add(-time.Duration(backlogKeep-1) * time.Second)
		for _, it := range got {
			if it.Published.Before(oldest) {
				t.Fatalf("backlog holds %v, older than the newest %d (oldest %v)", it.Published, backlogKeep, oldest)
			}
		}
	}
}

// fixedFeeds is a fixed set of polled feeds, for the watch.
type fixedFeeds []source.Feed

func (l fixedFeeds) Feeds() []source.Feed { return l }
func (l fixedFeeds) FeedCount() int       { return len(l) }
func (l fixedFeeds) Polls(name string) bool {
	return slices.ContainsFunc(l, func(f source.Feed) bool { return f.Name == name })
}
