package source

import (
	"strings"
	"testing"
	"time"
)

// A feed that suddenly lists many new items posts at most MaxNewPerPoll of
// them; the rest are recorded as seen and the source's health says so.
func TestPollCapsNewItems(t *testing.T) {
	fx := newPollerFixture(t, rssDoc("", hourly("a", 2, pollNow)...), "", 5)
	fx.poll(t)
	fx.clock.Advance(2 * time.Minute)
	// 60 new items, all recent enough to be posted.
	burst := hourly("b", 60, fx.clock.Now().Add(-time.Minute))
	for i := range burst {
		burst[i].Pub = fx.clock.Now().Add(-time.Duration(i) * time.Minute)
	}
	fx.srv.set(rssDoc("", append(burst, hourly("a", 2, pollNow)...)...), "")
	res := fx.poll(t)
	if len(res.New) != DefaultMaxNewPerPoll || res.Capped != 60-DefaultMaxNewPerPoll || res.Seen != res.Capped {
		t.Fatalf("poll of 60 new items: %d new, %d capped, %d seen; want %d new and the rest capped",
			len(res.New), res.Capped, res.Seen, DefaultMaxNewPerPoll)
	}
	if got := len(fx.store.pendingItems()); got != 2+DefaultMaxNewPerPoll {
		t.Errorf("%d items pending in the store, want %d", got, 2+DefaultMaxNewPerPoll)
	}
	// The newest are the ones kept (the document lists them first).
	if res.New[0].Title != "b story 60" {
		t.Errorf("first new item = %q, want the newest", res.New[0].Title)
	}
	st := fx.store.state("test")
	if !strings.Contains(st.Warning, "35 new items recorded as seen") || st.WarningAt.IsZero() {
		t.Errorf("health warning = %q at %v", st.Warning, st.WarningAt)
	}
	// A normal poll clears it.
	fx.clock.Advance(2 * time.Minute)
	fx.poll(t)
	if st := fx.store.state("test"); st.Warning != "" {
		t.Errorf("warning after a normal poll = %q", st.Warning)
	}
}

// A document with no items (an entity bomb, a broken CMS) is a warning on
// a first poll and on a source that had items before.
func TestPollWarnsWhenNoItems(t *testing.T) {
	empty := `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>` +
		`<rss version="2.0"><channel><title>&b;</title></channel></rss>`
	fx := newPollerFixture(t, empty, "", 5)
	if res := fx.poll(t); res.Items != 0 {
		t.Fatalf("items = %d, want 0", res.Items)
	}
	if st := fx.store.state("test"); st.Warning != WarnNoItems {
		t.Errorf("first poll of an empty document: warning %q, want %q", st.Warning, WarnNoItems)
	}
	fx.srv.set(rssDoc("", hourly("a", 2, pollNow)...), "")
	fx.clock.Advance(2 * time.Minute)
	fx.poll(t)
	if st := fx.store.state("test"); st.Warning != "" {
		t.Errorf("warning after items came back = %q", st.Warning)
	}
	fx.srv.set(rssDoc(""), "")
	fx.clock.Advance(2 * time.Minute)
	fx.poll(t)
	if st := fx.store.state("test"); st.Warning != WarnNoItems {
		t.Errorf("empty after items: warning %q, want %q", st.Warning, WarnNoItems)
	}
}

// A source that has never had items is not warned about after its first
// poll: some feeds are empty between events.
func TestPollNoWarningForAlwaysEmptySource(t *testing.T) {
	fx := newPollerFixture(t, rssDoc(""), "", 5)
	fx.poll(t)
	fx.clock.Advance(2 * time.Minute)
	fx.poll(t)
	if st := fx.store.state("test"); st.Warning != "" {
		t.Errorf("second poll of an always-empty source: warning %q", st.Warning)
	}
}
