package postgres

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/store/sqlite"
	"github.com/briefbot/briefbot/story"
)

// The fixture's times are whole microseconds, so what SQLite keeps to the
// nanosecond compares equal after the copy.
var copyT0 = time.Date(2025, 3, 14, 9, 26, 53, 589793000, time.UTC)

func copyAt(d time.Duration) time.Time { return copyT0.Add(d) }

// populateSQLite fills an embedded database with every kind of row the copy
// must carry: polled, failing and unprimed sources; pending, seen and done
// items; stories with one and two sources; realtime, digest and paused
// subscriptions; pending, leased, retried, sent, failed, dropped and digest
// deliveries; a seen interaction.
func populateSQLite(t *testing.T, s *sqlite.Store) {
	t.Helper()
	ctx := t.Context()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, src := range []string{"reuters", "ap", "down", "fresh"} {
		must(s.EnsureSource(ctx, src, "https://"+src+".example/feed.xml"))
	}
	item := func(src, key, title string, published time.Duration) story.Item {
		return story.Item{Source: src, Key: key, GUID: key, Link: "https://" + src + ".example/" + key, Title: title,
			Description: "Teaser of " + key, Content: "Body of " + key + ".\n\nMore.", Author: "Staff", Language: "en",
			Published: copyAt(published), Fetched: copyT0}
	}
	poll := func(src string, at time.Duration, items ...store.NewItem) []story.Item {
		t.Helper()
		got, err := s.RecordPoll(ctx, src, store.Poll{At: copyAt(at), ETag: `"` + src + `"`, LastModified: "lm", Items: items})
		must(err)
		return got
	}
	p := func(it story.Item) store.NewItem { return store.NewItem{Item: it, Pending: true} }
	poll("reuters", 0, store.NewItem{Item: item("reuters", "backlog", "Old news", -48*time.Hour)})
	r := poll("reuters", time.Minute,
		p(item("reuters", "talks", "Envoys meet in Muscat for nuclear talks", -10*time.Minute)),
		p(item("reuters", "truce", "Ceasefire talks resume in Cairo", -5*time.Minute)),
		p(item("reuters", "football", "Football results", -time.Minute)),
		p(item("reuters", "waiting", "Still pending", 0)))
	a := poll("ap", 2*time.Minute, p(item("ap", "muscat", "US and Iran hold indirect talks", -20*time.Minute)))
	_, err := s.RecordFailure(ctx, "down", copyAt(3*time.Minute), "HTTP 503")
	must(err)

	sub := func(sub store.Subscription) store.Subscription {
		got, err := s.Subscribe(ctx, sub)
		must(err)
		return got
	}
	sub(store.Subscription{GuildID: "g1", ChannelID: "c1", Topic: "diplomacy", Since: copyT0, CreatedBy: "u1"})
	sub(store.Subscription{GuildID: "g1", ChannelID: "c2", Topic: "diplomacy"})
	sub(store.Subscription{GuildID: "g1", ChannelID: "c3", Topic: "gaza"})
	sub(store.Subscription{GuildID: "g2", ChannelID: "lost", Topic: "diplomacy"})
	sub(store.Subscription{GuildID: "g2", ChannelID: "c4", Topic: "g2/water", Outlets: []string{"ap"}, MentionRole: "r1"})
	_, err = s.AddGuildFeed(ctx, store.GuildFeed{GuildID: "g2", URL: "https://local.example/feed", Source: "guild:local",
		Outlet: "Local", Language: "fa", AddedBy: "u2", Added: copyT0}, 0)
	must(err)
	must(s.SaveGuildTopic(ctx, store.GuildTopic{GuildID: "g2", Name: "water", Description: "Water",
		Include: []string{"dam"}, Exclude: []string{"flood"}, CreatedBy: "u2", Created: copyT0}))
	digest := sub(store.Subscription{GuildID: "g1", ChannelID: "c1", Topic: "gaza", Mode: store.ModeDigest,
		DigestTimes: []string{"08:00", "18:30"}, Timezone: "Asia/Tehran"})

	decide := func(id int64, d store.Decision) {
		t.Helper()
		must(s.CompleteItem(ctx, id, d))
	}
	rel := func(at time.Duration, summary string, topics ...string) store.Decision {
		return store.Decision{Relevant: true, Score: 0.9, Topics: topics, Subtopics: []string{"talks"},
			Reasons: []string{`"talks"`}, Summary: summary, At: copyAt(at)}
	}
	decide(r[0].ID, rel(4*time.Minute, "Envoys met in Muscat.", "diplomacy"))
	decide(r[1].ID, rel(5*time.Minute, "Mediators met in Cairo.", "gaza"))
	decide(r[2].ID, store.Decision{Score: 0.1, Reasons: []string{"no topic words"}, At: copyAt(6 * time.Minute)})
	talks, err := s.ItemByLink(ctx, r[0].Link)
	must(err)
	join := rel(7*time.Minute, "Another outlet.", "diplomacy", "gaza")
	join.StoryID = talks.Decision.StoryID
	decide(a[0].ID, join)

	// The outbox in every state.
	ds, err := s.ClaimDeliveries(ctx, "poster-a", copyAt(8*time.Minute), time.Hour, 100)
	must(err)
	for _, d := range ds {
		switch d.ChannelID {
		case "c1":
			must(s.DeliverySent(ctx, d.ID, fmt.Sprint("msg-", d.ID), copyAt(9*time.Minute)))
		case "c2":
			must(s.DeliveryRetry(ctx, d.ID, copyAt(time.Hour), "HTTP 502"))
		case "lost":
			must(s.DeliveryFailed(ctx, d.ID, "Missing Access", copyAt(9*time.Minute)))
		}
		// c3's stays leased to poster-a.
	}
	// An outlet joins after c1's message went out: c1 owes an edit.
	late := poll("ap", 10*time.Minute, p(item("ap", "late", "Talks in Muscat end", -time.Minute)))
	lateJoin := rel(11*time.Minute, "Late outlet.", "diplomacy")
	lateJoin.StoryID = talks.Decision.StoryID
	decide(late[0].ID, lateJoin)
	stories, err := s.Stories(ctx, store.StoryQuery{Limit: 10})
	must(err)
	var ids []int64
	for _, st := range stories {
		ids = append(ids, st.ID)
	}
	if ok, err := s.EnqueueDigest(ctx, digest.ID, copyAt(12*time.Hour), ids); err != nil || !ok {
		t.Fatalf("EnqueueDigest = %v, %v", ok, err)
	}
	if ok, err := s.ClaimInteraction(ctx, "interaction-1", copyAt(10*time.Minute)); err != nil || !ok {
		t.Fatalf("ClaimInteraction = %v, %v", ok, err)
	}
	must(s.CacheSummary(ctx, "model-x/v1/https://ap.example/muscat", "Envoys met; talks go on.", copyAt(5*time.Minute)))
}

// snapshot is everything a store shows through its interface, plus the
// outbox rows, which only the database shows whole.
type snapshot struct {
	Sources       []store.SourceState
	Pending       []story.Item
	Items         map[string]store.StoredItem
	Stories       []store.Story
	Subscriptions []store.Subscription
	Deliveries    []string
	GuildFeeds    []store.GuildFeed
	GuildTopics   []store.GuildTopic
}

var copyLinks = []string{
	"https://reuters.example/backlog", "https://reuters.example/talks", "https://reuters.example/truce",
	"https://reuters.example/football", "https://reuters.example/waiting", "https://ap.example/muscat",
	"https://ap.example/late",
}

func takeSnapshot(t *testing.T, st store.Store, deliveries func() []string) snapshot {
	t.Helper()
	ctx := t.Context()
	var sn snapshot
	var err error
	if sn.Sources, err = st.Sources(ctx); err != nil {
		t.Fatal(err)
	}
	if sn.Pending, err = st.PendingItems(ctx, 100); err != nil {
		t.Fatal(err)
	}
	sn.Items = map[string]store.StoredItem{}
	for _, link := range copyLinks {
		if sn.Items[link], err = st.ItemByLink(ctx, link); err != nil {
			t.Fatal(err)
		}
	}
	if sn.Stories, err = st.Stories(ctx, store.StoryQuery{Limit: 100}); err != nil {
		t.Fatal(err)
	}
	if sn.GuildFeeds, err = st.GuildFeeds(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if sn.GuildTopics, err = st.GuildTopics(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if sn.Subscriptions, err = st.Subscriptions(ctx, store.SubscriptionFilter{}); err != nil {
		t.Fatal(err)
	}
	sn.Deliveries = deliveries()
	return sn
}

// deliveryRows lists the outbox as text, one row per delivery, from a query
// both databases answer alike.
const deliveryRowsSQL = `SELECT id, kind, coalesce(subscription_id, 0), channel_id, topic, coalesce(story_id, 0),
	state, message_id, attempts, claimed_by, last_error, edit_rev, claimed_rev FROM deliveries ORDER BY id`

func scanDeliveryRows(t *testing.T, next func() bool, scan func(...any) error) []string {
	t.Helper()
	var out []string
	for next() {
		var (
			id, sub, storyID, attempts, editRev, claimedRev   int64
			kind, channel, topic, state, msg, claimed, lastEr string
		)
		if err := scan(&id, &kind, &sub, &channel, &topic, &storyID, &state, &msg, &attempts, &claimed, &lastEr, &editRev, &claimedRev); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprint(id, kind, sub, channel, topic, storyID, state, msg, attempts, claimed, lastEr, editRev, claimedRev))
	}
	return out
}

func TestCopyFromSQLite(t *testing.T) {
	ctx := t.Context()
	src, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "briefbot.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	populateSQLite(t, src)
	dst := openURL(t, newSchema(t))

	srcDeliveries := func() []string {
		rows, err := src.ReadOnlyDB().QueryContext(ctx, deliveryRowsSQL)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		return scanDeliveryRows(t, rows.Next, rows.Scan)
	}
	dstDeliveries := func() []string {
		rows, err := dst.pool.Query(ctx, deliveryRowsSQL)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		return scanDeliveryRows(t, rows.Next, rows.Scan)
	}
	want := takeSnapshot(t, src, srcDeliveries)
	if len(want.Deliveries) < 6 || len(want.Stories) != 2 || len(want.Pending) != 1 {
		t.Fatalf("fixture is not what the test expects: %d deliveries, %d stories, %d pending",
			len(want.Deliveries), len(want.Stories), len(want.Pending))
	}

	for run := 1; run <= 2; run++ {
		counts, err := CopyFromSQLite(ctx, src.ReadOnlyDB(), dst)
		if err != nil {
			t.Fatalf("copy #%d: %v", run, err)
		}
		for _, c := range counts {
			wantCopied := c.Read
			if run == 2 {
				wantCopied = 0 // everything is already there
			}
			if c.Copied != wantCopied || c.Read == 0 {
				t.Errorf("copy #%d: %s: read %d, copied %d; want %d copied of a non-empty table", run, c.Table, c.Read, c.Copied, wantCopied)
			}
		}
		got := takeSnapshot(t, dst, dstDeliveries)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("after copy #%d the stores differ:\n got %+v\nwant %+v", run, got, want)
		}
	}

	// The copy works as a store: search finds copied stories, the outbox
	// goes on where it was, and new rows get IDs after the copied ones.
	found, err := dst.Stories(ctx, store.StoryQuery{Text: "muscat talks", Limit: 5})
	if err != nil || len(found) != 1 || found[0].ID != want.Items["https://reuters.example/talks"].Decision.StoryID {
		t.Errorf("search of the copy = %+v, %v; want the Muscat story", found, err)
	}
	claimAt := copyAt(2 * time.Hour)
	wantClaimed, err := src.ClaimDeliveries(ctx, "poster-b", claimAt, time.Hour, 100)
	if err != nil {
		t.Fatal(err)
	}
	gotClaimed, err := dst.ClaimDeliveries(ctx, "poster-b", claimAt, time.Hour, 100)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gotClaimed, wantClaimed) || !slices.ContainsFunc(wantClaimed, func(d store.Delivery) bool { return d.Kind == store.DeliverEdit }) {
		t.Errorf("claims after the copy:\n got %+v\nwant %+v", gotClaimed, wantClaimed)
	}
	if v, ok, err := dst.CachedSummary(ctx, "model-x/v1/https://ap.example/muscat"); err != nil || !ok || v != "Envoys met; talks go on." {
		t.Errorf("cached summary after the copy = %q, %v, %v; want the SQLite one", v, ok, err)
	}
	if first, err := dst.ClaimInteraction(ctx, "interaction-1", copyAt(11*time.Minute)); err != nil || first {
		t.Errorf("ClaimInteraction of a copied ID = %v, %v; want false", first, err)
	}
	newSub, err := dst.Subscribe(ctx, store.Subscription{ChannelID: "c9", Topic: "diplomacy"})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range want.Subscriptions {
		if newSub.ID <= s.ID {
			t.Errorf("a new subscription got ID %d, not after the copied %d", newSub.ID, s.ID)
		}
	}
	if err := dst.CompleteItem(ctx, want.Pending[0].ID, store.Decision{Relevant: true, Topics: []string{"diplomacy"}, At: copyAt(3 * time.Hour)}); err != nil {
		t.Fatalf("completing a copied pending item: %v", err)
	}
}

func TestCopyRefusesADatabaseWithOtherData(t *testing.T) {
	ctx := t.Context()
	src, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "briefbot.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	populateSQLite(t, src)
	dst := openURL(t, newSchema(t))
	// Another instance already recorded one of the items, under its own ID.
	if err := dst.EnsureSource(ctx, "ap", "https://ap.example/feed.xml"); err != nil {
		t.Fatal(err)
	}
	if _, err := dst.pool.Exec(ctx, `INSERT INTO items (id, source, key, link, fetched, state)
		VALUES (1000, 'ap', 'muscat', 'https://ap.example/muscat', now(), 'seen')`); err != nil {
		t.Fatal(err)
	}
	_, err = CopyFromSQLite(ctx, src.ReadOnlyDB(), dst)
	if err == nil || !strings.Contains(err.Error(), "already holds different data") {
		t.Fatalf("copy into a database with other data: %v, want it refused", err)
	}
	var n int
	if err := dst.pool.QueryRow(ctx, `SELECT count(*) FROM items`).Scan(&n); err != nil || n != 1 {
		t.Errorf("after the refused copy the database has %d items (%v), want only its own 1: all or nothing", n, err)
	}
}

// A copy is read from one SQLite snapshot and commits as one transaction;
// a cancelled one leaves nothing behind.
func TestCopyCancelledLeavesNothing(t *testing.T) {
	src, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "briefbot.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	populateSQLite(t, src)
	dst := openURL(t, newSchema(t))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := CopyFromSQLite(ctx, src.ReadOnlyDB(), dst); err == nil {
		t.Fatal("a cancelled copy succeeded")
	}
	var n int
	if err := dst.pool.QueryRow(t.Context(), `SELECT count(*) FROM sources`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d sources (%v) after a cancelled copy, want 0", n, err)
	}
}
