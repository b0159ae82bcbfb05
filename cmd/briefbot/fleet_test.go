package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/briefbot/briefbot/bot/discordtest"
	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/store/postgres"
	"github.com/briefbot/briefbot/topic"
)

// asMainEnv makes the test binary run briefbot's main instead of tests, so
// the multi-instance tests start real `briefbot run` processes without a
// separate build.
const asMainEnv = "BRIEFBOT_TEST_AS_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(asMainEnv) == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// fleet is a deployment of several briefbot processes sharing one
// PostgreSQL schema, posting to a fake Discord and polling local feeds.
type fleet struct {
	tb       testing.TB
	dir      string
	dbURL    string
	db       *pgxpool.Pool // the test's own view of the database
	fake     *discordtest.Server
	apiURL   string // a proxy in front of fake that adds Discord's latency
	feeds    []*feedServer
	urls     []string
	channels []string
	shards   int
	items    int // items published so far, all on-topic
}

// fleetSources is how many outlets a fleet polls. Its channels each
// follow the default topic, so every story is owed to every channel.
const (
	fleetSources = 20
	// discordLatency is added to every message Discord creates or edits.
	discordLatency = 50 * time.Millisecond
)

// newFleet creates the feeds, the fake Discord with channels channels, and
// the database with the channels' subscriptions. shards is the gateway
// shard count the instances split.
func newFleet(tb testing.TB, shards, channels int) *fleet {
	tb.Helper()
	f := &fleet{tb: tb, dir: tb.TempDir(), dbURL: testPostgresSchema(tb), shards: shards,
		fake: discordtest.New(tb)}
	// Discord takes tens of milliseconds to create a message; without it,
	// a burst is posted before anything can happen in the middle of it.
	target, err := url.Parse(f.fake.URL())
	if err != nil {
		tb.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	// A killed instance cuts its requests off; that is the test, not news.
	proxy.ErrorLog = log.New(io.Discard, "", 0)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			time.Sleep(discordLatency)
		}
		proxy.ServeHTTP(w, r)
	}))
	tb.Cleanup(api.Close)
	f.apiURL = api.URL
	for range fleetSources {
		fs := &feedServer{}
		srv := httptest.NewServer(fs)
		tb.Cleanup(srv.Close)
		f.feeds = append(f.feeds, fs)
		f.urls = append(f.urls, srv.URL+"/feed.xml")
	}
	ctx := context.Background()
	st, err := postgres.Open(ctx, f.dbURL, nil)
	if err != nil {
		tb.Fatal(err)
	}
	defer st.Close()
	for i := range channels {
		id := strconv.Itoa(910000000000000000 + i)
		f.fake.AddChannel(&discordgo.Channel{ID: id, GuildID: discordtest.DefaultGuildID, Name: "briefings-" + strconv.Itoa(i)})
		if _, err := st.Subscribe(ctx, store.Subscription{GuildID: discordtest.DefaultGuildID, ChannelID: id,
			Topic: topic.DefaultName, CreatedBy: discordtest.DefaultUserID}); err != nil {
			tb.Fatal(err)
		}
		f.channels = append(f.channels, id)
	}
	if f.db, err = pgxpool.New(ctx, f.dbURL); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(f.db.Close)
	return f
}

// publish adds perSource new on-topic items to every feed, each its own
// event, and returns when they are served.
func (f *fleet) publish(perSource int) {
	now := time.Now().UTC()
	for s, fs := range f.feeds {
		fs.mu.Lock()
		for range perSource {
			title, desc := burstHeadline(f.items)
			guid := fmt.Sprintf("s%02d-%04d", s, f.items)
			fs.items = append(fs.items, rssItem(guid, title, desc, now))
			f.items++
		}
		fs.mu.Unlock()
	}
}

// instance is one `briefbot run` process. Its deliveries are claimed for
// 15s rather than the default minute, so the survivor of a SIGKILL posts
// the dead one's claimed messages sooner.
type instance struct {
	name string
	cmd  *exec.Cmd
	log  string        // path of its stderr
	done chan struct{} // closed when it has exited
	err  error         // how it exited, once done is closed
}

// start launches an instance. Instances are identical: each takes a free
// gateway shard through the database (discord.shard_id "auto").
func (f *fleet) start(name string) *instance {
	f.tb.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, `log: {level: info, format: json}
admin: {listen: "off"}
discord: {application_id: "%s", api_url: "%s", shard_id: auto, shard_count: %d, delivery_lease: 15s}
polling: {allow_private_networks: true, interval: 30s, backfill: 10}
sources:
`, discordtest.AppID, f.apiURL, f.shards)
	for i, u := range f.urls {
		fmt.Fprintf(&b, "  - {name: s%02d, url: %q, outlet: Outlet %02d}\n", i, u, i)
	}
	cfgPath := filepath.Join(f.dir, name+".yaml")
	if err := os.WriteFile(cfgPath, []byte(b.String()), 0o600); err != nil {
		f.tb.Fatal(err)
	}
	in := &instance{name: name, log: filepath.Join(f.dir, name+".log"), done: make(chan struct{})}
	logFile, err := os.Create(in.log)
	if err != nil {
		f.tb.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		f.tb.Fatal(err)
	}
	in.cmd = exec.Command(self, "run", "--config", cfgPath)
	in.cmd.Env = append(os.Environ(), asMainEnv+"=1",
		"DISCORD_TOKEN="+strings.TrimPrefix(f.fake.Token(), "Bot "),
		"BRIEFBOT_DATABASE_URL="+f.dbURL)
	in.cmd.Stdout, in.cmd.Stderr = logFile, logFile
	if err := in.cmd.Start(); err != nil {
		f.tb.Fatalf("starting %s: %v", name, err)
	}
	go func() { in.err = in.cmd.Wait(); logFile.Close(); close(in.done) }()
	f.tb.Cleanup(func() {
		select {
		case <-in.done: // already stopped (or stopped on its own)
		default:
			_ = in.cmd.Process.Kill()
			<-in.done
		}
		if f.tb.Failed() {
			b, _ := os.ReadFile(in.log)
			f.tb.Logf("%s's log (last 6000 bytes):\n%s", name, tail(string(b), 6000))
		}
	})
	return in
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// stop asks the instance to shut down, as systemd or Docker would, and
// checks that it exits cleanly.
func (in *instance) stop(tb testing.TB) {
	tb.Helper()
	_ = in.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-in.done:
		if in.err != nil {
			tb.Errorf("%s exited with %v after SIGTERM; want 0", in.name, in.err)
		}
	case <-time.After(60 * time.Second):
		tb.Errorf("%s did not stop within 60s of SIGTERM", in.name)
	}
}

// kill ends the instance with SIGKILL: no handler runs, no lease is given
// back, whatever it was doing is cut off.
func (in *instance) kill(tb testing.TB) {
	tb.Helper()
	if err := in.cmd.Process.Kill(); err != nil {
		tb.Fatal(err)
	}
	<-in.done
}

// ownerPID is the process ID in a lease owner name ("host-pid-random").
func ownerPID(owner string) int {
	parts := strings.Split(owner, "-")
	if len(parts) < 3 {
		return 0
	}
	pid, _ := strconv.Atoi(parts[len(parts)-2])
	return pid
}

// pipelineLeader waits for an instance to hold the pipeline lease and
// returns it, and the other of a and b.
func (f *fleet) pipelineLeader(ctx context.Context, a, b *instance) (leader, other *instance) {
	f.tb.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		switch f.pipelineOwner(ctx) {
		case a.cmd.Process.Pid:
			return a, b
		case b.cmd.Process.Pid:
			return b, a
		}
		if time.Now().After(deadline) {
			f.tb.Fatal("no instance held the pipeline lease for a minute")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// leaseOwners counts the leases whose name is LIKE like, by owner PID.
func (f *fleet) leaseOwners(ctx context.Context, like string) map[int]int {
	f.tb.Helper()
	owners := map[int]int{}
	rows, err := f.db.Query(ctx, `SELECT owner FROM leases WHERE name LIKE $1`, like)
	if err != nil {
		f.tb.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var o string
		if err := rows.Scan(&o); err != nil {
			f.tb.Fatal(err)
		}
		owners[ownerPID(o)]++
	}
	if err := rows.Err(); err != nil {
		f.tb.Fatal(err)
	}
	return owners
}

// pipelineOwner returns the PID holding the pipeline lease now, or 0.
func (f *fleet) pipelineOwner(ctx context.Context) int {
	var owner string
	err := f.db.QueryRow(ctx, `SELECT owner FROM leases WHERE name = 'pipeline' AND expires > $1`,
		time.Now().UnixNano()).Scan(&owner)
	if err != nil {
		return 0
	}
	return ownerPID(owner)
}

// progress is what the database says has happened.
type progress struct {
	done       int // items decided
	storyItems int // items in a story
	stories    int
	sent       int // story deliveries sent
	unsent     int // story deliveries not yet sent (or failed)
	primed     int // sources polled at least once
}

func (f *fleet) progress(ctx context.Context) (progress, error) {
	var p progress
	err := f.db.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM items WHERE state = 'done'),
		(SELECT count(*) FROM story_items),
		(SELECT count(*) FROM stories),
		(SELECT count(*) FROM deliveries WHERE kind = 'story' AND state = 'sent'),
		(SELECT count(*) FROM deliveries WHERE kind = 'story' AND state <> 'sent'),
		(SELECT count(*) FROM sources WHERE primed)`).
		Scan(&p.done, &p.storyItems, &p.stories, &p.sent, &p.unsent, &p.primed)
	return p, err
}

// settled reports whether every published item is decided and every
// story has been posted to every channel.
func (f *fleet) settled(p progress) bool {
	return p.done == f.items && p.unsent == 0 && p.sent == p.stories*len(f.channels)
}

// waitSettled waits until settled, or fails after limit.
func (f *fleet) waitSettled(limit time.Duration) progress {
	f.tb.Helper()
	return f.waitUntil(limit, "every item decided and every story posted to every channel", f.settled)
}

// waitUntil polls the database until cond holds, or fails after limit.
func (f *fleet) waitUntil(limit time.Duration, what string, cond func(progress) bool) progress {
	f.tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	for {
		p, err := f.progress(ctx)
		if err == nil && cond(p) {
			return p
		}
		select {
		case <-ctx.Done():
			f.tb.Fatalf("after %v, still waiting for %s: %+v (published %d items); err %v", limit, what, p, f.items, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// checkExactlyOnce compares Discord's channels with the database: every
// story was posted to every channel once, as the message its delivery
// recorded, and Discord holds no other message; every published item was
// decided on-topic and is in exactly one story.
func (f *fleet) checkExactlyOnce(ctx context.Context) {
	f.tb.Helper()
	p, err := f.progress(ctx)
	if err != nil {
		f.tb.Fatal(err)
	}
	if p.done != f.items || p.storyItems != f.items {
		f.tb.Errorf("%d items decided and %d in stories; want all %d published", p.done, p.storyItems, f.items)
	}
	rows, err := f.db.Query(ctx, `SELECT channel_id, story_id, message_id FROM deliveries WHERE kind = 'story' AND state = 'sent'`)
	if err != nil {
		f.tb.Fatal(err)
	}
	type key struct {
		channel string
		story   int64
	}
	recorded := map[string]key{} // message ID → what it was for
	perChannel := map[string]int{}
	for rows.Next() {
		var k key
		var msg string
		if err := rows.Scan(&k.channel, &k.story, &msg); err != nil {
			f.tb.Fatal(err)
		}
		if prev, dup := recorded[msg]; dup {
			f.tb.Errorf("message %s recorded for %v and %v", msg, prev, k)
		}
		recorded[msg] = k
		perChannel[k.channel]++
	}
	if err := rows.Err(); err != nil {
		f.tb.Fatal(err)
	}
	for _, ch := range f.channels {
		msgs := f.fake.Messages(ch)
		if len(msgs) != p.stories {
			f.tb.Errorf("channel %s holds %d messages; want one per story, %d", ch, len(msgs), p.stories)
		}
		if perChannel[ch] != p.stories {
			f.tb.Errorf("channel %s has %d sent deliveries; want %d", ch, perChannel[ch], p.stories)
		}
		for _, m := range msgs {
			if k, ok := recorded[m.ID]; !ok || k.channel != ch {
				f.tb.Errorf("channel %s holds message %s (%.60q) that no delivery recorded: a duplicate post", ch, m.ID, m.Content)
			}
			if m.MentionEveryone || len(m.MentionRoles) > 0 || len(m.MentionUsers) > 0 {
				f.tb.Errorf("message %s pinged someone", m.ID)
			}
		}
	}
}

// TestInstancesShareWorkAndSurviveSIGKILL runs two real `briefbot run`
// processes against one PostgreSQL: 200 on-topic items over 20 sources
// reach four channels exactly once; then, in the middle of a second burst,
// the instance running the pipeline is killed with SIGKILL, and the other
// finishes the work with nothing lost or posted twice.
func TestInstancesShareWorkAndSurviveSIGKILL(t *testing.T) {
	f := newFleet(t, 2, 4)
	f.publish(10) // 200 items, taken on each source's first poll (backfill 10)
	a, b := f.start("a"), f.start("b")
	p := f.waitSettled(3 * time.Minute)
	t.Logf("first burst: %d items in %d stories, %d posts", p.done, p.stories, p.sent)
	if p.stories < f.items*9/10 {
		t.Errorf("%d items made only %d stories; the burst's items are distinct events", f.items, p.stories)
	}
	ctx := t.Context()
	f.checkExactlyOnce(ctx)
	// Both instances polled: the sources' leases name both processes. And
	// each took a gateway shard of its own.
	for _, l := range []struct{ like, what string }{{"poll:%", "sources"}, {"shard:%", "shards"}} {
		owners := f.leaseOwners(ctx, l.like)
		if owners[a.cmd.Process.Pid] == 0 || owners[b.cmd.Process.Pid] == 0 || len(owners) != 2 {
			t.Errorf("%s leases by PID %v; want %s split between a (%d) and b (%d)", l.like, owners, l.what, a.cmd.Process.Pid, b.cmd.Process.Pid)
		}
	}
	// Each instance took one gateway shard of its own.
	shards := map[string]bool{}
	for _, s := range f.fake.GatewaySessions() {
		if s.Identify.Shard != nil {
			shards[fmt.Sprint(*s.Identify.Shard)] = true
		}
	}
	if !shards["[0 2]"] || !shards["[1 2]"] {
		t.Errorf("gateway sessions identified as shards %v; want [0 2] and [1 2]", shards)
	}

	// Second burst; kill the pipeline's instance once posting has begun.
	before := p.sent
	f.publish(5)
	f.waitUntil(2*time.Minute, "the second burst's first posts", func(p progress) bool { return p.sent >= before+8 })
	p, err := f.progress(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if p.done == f.items && p.unsent == 0 {
		t.Fatalf("the second burst was done before the kill (%+v): nothing was in flight", p)
	}
	victim, survivor := f.pipelineLeader(ctx, a, b)
	killed := time.Now()
	victim.kill(t)
	t.Logf("killed %s (pid %d), which ran the pipeline, with SIGKILL, at %+v", victim.name, victim.cmd.Process.Pid, p)
	p = f.waitSettled(4 * time.Minute)
	t.Logf("after the kill: %d items in %d stories, %d posts; settled %v after it", p.done, p.stories, p.sent, time.Since(killed).Round(time.Second))
	f.checkExactlyOnce(ctx)
	if got := f.pipelineOwner(ctx); got != survivor.cmd.Process.Pid {
		t.Errorf("pipeline lease held by pid %d; want the survivor, %d", got, survivor.cmd.Process.Pid)
	}
	survivor.stop(t)
}
