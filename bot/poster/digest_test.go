package poster

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot/discordtest"
	"github.com/briefbot/briefbot/store"
)

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func mustTimes(t *testing.T, ss ...string) []clock {
	t.Helper()
	cs, err := parseDigestTimes(ss)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := loadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestLatestSlot(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		tz    string
		times []string
		now   string
		want  string
	}{
		{"after today's time", "UTC", []string{"08:00"}, "2025-06-10T09:00:00Z", "2025-06-10T08:00:00Z"},
		{"before today's time: yesterday's", "UTC", []string{"08:00"}, "2025-06-10T07:59:59Z", "2025-06-09T08:00:00Z"},
		{"exactly at the time", "UTC", []string{"08:00"}, "2025-06-10T08:00:00Z", "2025-06-10T08:00:00Z"},
		{"latest of several", "UTC", []string{"18:00", "08:00"}, "2025-06-10T20:00:00Z", "2025-06-10T18:00:00Z"},
		{"empty zone is UTC", "", []string{"08:00"}, "2025-06-10T09:00:00Z", "2025-06-10T08:00:00Z"},
		{"half-hour zone", "Asia/Tehran", []string{"08:00"}, "2025-06-10T05:00:00Z", "2025-06-10T04:30:00Z"},
		{"local date ahead of UTC", "Asia/Tokyo", []string{"07:00"}, "2025-06-09T23:00:00Z", "2025-06-09T22:00:00Z"},
		{"month boundary", "UTC", []string{"23:00"}, "2025-07-01T01:00:00Z", "2025-06-30T23:00:00Z"},
		// America/New_York: EST (-5) until 2025-03-09 02:00, EDT (-4) until 2025-11-02 02:00.
		{"morning of the spring change", "America/New_York", []string{"08:00"}, "2025-03-09T12:30:00Z", "2025-03-09T12:00:00Z"},
		{"morning of the autumn change, before 08:00 EST", "America/New_York", []string{"08:00"}, "2025-11-02T12:30:00Z", "2025-11-01T12:00:00Z"},
		{"skipped time fires as far past the jump", "America/New_York", []string{"02:30"}, "2025-03-09T12:00:00Z", "2025-03-09T07:30:00Z"},
		{"repeated time fires the first time", "America/New_York", []string{"01:30"}, "2025-11-02T12:00:00Z", "2025-11-02T05:30:00Z"},
		// Europe/London: GMT until 2025-03-30 01:00, BST (+1) until 2025-10-26 02:00.
		{"skipped time in London", "Europe/London", []string{"01:30"}, "2025-03-30T12:00:00Z", "2025-03-30T01:30:00Z"},
		{"repeated time in London", "Europe/London", []string{"01:30"}, "2025-10-26T12:00:00Z", "2025-10-26T00:30:00Z"},
		// Australia/Lord_Howe moves by 30 minutes: 02:00 +10:30 becomes 02:30 +11 on 2025-10-05.
		{"half-hour DST jump", "Australia/Lord_Howe", []string{"02:15"}, "2025-10-05T00:00:00Z", "2025-10-04T15:45:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := latestSlot(mustTimes(t, tt.times...), mustLoc(t, tt.tz), utc(tt.now))
			if want := utc(tt.want); !got.Equal(want) {
				t.Errorf("latestSlot(%v in %q at %s) = %s, want %s", tt.times, tt.tz, tt.now, got, want)
			}
		})
	}
}

func TestDueSlot(t *testing.T) {
	t.Parallel()
	times := mustTimes(t, "08:00")
	slot := utc("2025-06-10T08:00:00Z")
	tests := []struct {
		name     string
		last     time.Time
		now      time.Time
		wantSlot time.Time // zero: none due
	}{
		{"never sent", time.Time{}, slot.Add(time.Minute), slot},
		{"sent yesterday", slot.Add(-24 * time.Hour), slot.Add(time.Minute), slot},
		{"already enqueued", slot, slot.Add(time.Minute), time.Time{}},
		{"a later slot was enqueued", slot.Add(time.Hour), slot.Add(2 * time.Hour), time.Time{}},
		{"not yet time", slot.Add(-24 * time.Hour), slot.Add(-time.Second), time.Time{}},
		{"late but within MaxLate", slot.Add(-24 * time.Hour), slot.Add(5 * time.Hour), slot},
		{"too late: wait for the next slot", slot.Add(-24 * time.Hour), slot.Add(7 * time.Hour), time.Time{}},
		{"down for days: only the latest slot", slot.Add(-72 * time.Hour), slot.Add(time.Hour), slot},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := dueSlot(times, time.UTC, tt.last, tt.now, DefaultMaxLate)
			if ok != !tt.wantSlot.IsZero() || !got.Equal(tt.wantSlot) {
				t.Errorf("dueSlot(last %s, now %s) = %s, %v; want %s", tt.last, tt.now, got, ok, tt.wantSlot)
			}
		})
	}
}

// TestSlotsFireOncePerDayAcrossDST runs a digester's clock through DST
// changes in five-minute steps: each time fires once a day, at its wall time,
// or as far past a jump as it fell into it.
func TestSlotsFireOncePerDayAcrossDST(t *testing.T) {
	t.Parallel()
	tests := []struct {
		tz    string
		times []string
		from  string // local midnight, a few days before a change
	}{
		{"America/New_York", []string{"01:30", "08:00", "17:45"}, "2025-03-07T05:00:00Z"},
		{"America/New_York", []string{"02:30", "08:00"}, "2025-03-07T05:00:00Z"},
		{"America/New_York", []string{"01:30", "08:00"}, "2025-10-31T04:00:00Z"},
		{"Europe/London", []string{"01:30", "12:00"}, "2025-03-28T00:00:00Z"},
		{"Europe/London", []string{"01:30", "12:00"}, "2025-10-24T23:00:00Z"},
		{"Australia/Lord_Howe", []string{"02:15", "09:00"}, "2025-10-02T13:30:00Z"},
		{"Australia/Lord_Howe", []string{"01:45", "09:00"}, "2025-04-03T13:00:00Z"},
		{"Asia/Tehran", []string{"00:00", "12:30"}, "2025-03-19T20:30:00Z"},
	}
	const days = 5
	for _, tt := range tests {
		t.Run(tt.tz+" "+strings.Join(tt.times, ","), func(t *testing.T) {
			loc, times := mustLoc(t, tt.tz), mustTimes(t, tt.times...)
			start := utc(tt.from)
			if h, m, _ := start.In(loc).Clock(); h != 0 || m != 0 {
				t.Fatalf("from %s is %s in %s, not midnight", tt.from, start.In(loc), tt.tz)
			}
			var last time.Time
			fired := map[string][]time.Time{} // local date → fires
			for now := start; now.Before(start.Add(days * 24 * time.Hour)); now = now.Add(5 * time.Minute) {
				if slot, ok := dueSlot(times, loc, last, now, DefaultMaxLate); ok {
					last = slot
					day := slot.In(loc).Format("2006-01-02")
					fired[day] = append(fired[day], slot)
				}
			}
			if len(fired) < days-1 {
				t.Fatalf("fired on %d days, want at least %d: %v", len(fired), days-1, fired)
			}
			for day, slots := range fired {
				if len(slots) != len(times) {
					t.Errorf("%s: fired %d times (%v), want %d", day, len(slots), slots, len(times))
					continue
				}
				for i, s := range slots {
					want := times[i%len(times)] // times are given in order
					h, m, _ := s.In(loc).Clock()
					got := h*60 + m
					wantMin := want.hour*60 + want.min
					// A skipped time fires up to the jump's size (at most an hour) later.
					if got < wantMin || got > wantMin+60 {
						t.Errorf("%s: fire %d at %s local, want %02d:%02d", day, i, s.In(loc).Format("15:04 MST"), want.hour, want.min)
					}
					if local := s.In(loc); got != wantMin && exists(local.Year(), local.Month(), local.Day(), want, loc) {
						t.Errorf("%s: %02d:%02d exists that day but fired at %s", day, want.hour, want.min, local.Format("15:04"))
					}
				}
			}
		})
	}
}

// exists reports whether the clocks in loc show c on that day.
func exists(y int, m time.Month, d int, c clock, loc *time.Location) bool {
	h, min, _ := time.Date(y, m, d, c.hour, c.min, 0, 0, loc).Clock()
	return h == c.hour && min == c.min
}

func TestParseDigestTimes(t *testing.T) {
	t.Parallel()
	good := map[string]clock{"00:00": {0, 0}, "08:05": {8, 5}, "23:59": {23, 59}, " 7:30 ": {7, 30}}
	for in, want := range good {
		got, err := parseDigestTimes([]string{in})
		if err != nil || len(got) != 1 || got[0] != want {
			t.Errorf("parseDigestTimes(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"24:00", "08:60", "8", "08:5", "8h30", "-1:00", "", "08:00:00"} {
		if got, err := parseDigestTimes([]string{in}); err == nil {
			t.Errorf("parseDigestTimes(%q) = %v, want an error", in, got)
		}
	}
	if _, err := parseDigestTimes(nil); err == nil {
		t.Error("parseDigestTimes(nil) succeeded, want an error")
	}
}

func TestTopStoriesRanking(t *testing.T) {
	t.Parallel()
	slot := utc("2025-06-10T08:00:00Z")
	src := func(n int) []store.StorySource { return make([]store.StorySource, n) }
	ss := []store.Story{
		{ID: 1, FirstSeen: slot.Add(-3 * time.Hour), Sources: src(1)},
		{ID: 2, FirstSeen: slot.Add(-2 * time.Hour), Sources: src(3)},
		{ID: 3, FirstSeen: slot.Add(-1 * time.Hour), Sources: src(1)},
		{ID: 4, FirstSeen: slot.Add(-4 * time.Hour), Sources: src(3)},
		{ID: 5, FirstSeen: slot.Add(time.Minute), Sources: src(5)},     // after the slot
		{ID: 6, FirstSeen: slot.Add(-25 * time.Hour), Sources: src(5)}, // in the last digest
		{ID: 7, FirstSeen: slot.Add(-24 * time.Hour), Sources: src(5)}, // exactly at the last digest
		{ID: 8, FirstSeen: slot, Sources: src(1)},                      // exactly at the slot
	}
	sub := store.Subscription{LastDigest: slot.Add(-24 * time.Hour)}
	got := topStories(ss, sub, sub.LastDigest, slot, 4, nil)
	if want := []int64{2, 4, 8, 3}; !slices.Equal(got, want) {
		t.Errorf("topStories = %v, want %v (most sources, then newest, within (last digest, slot])", got, want)
	}
}

// digestEnv has a digest subscription whose slot was 20 minutes ago.
func digestEnv(t *testing.T) (*env, store.Subscription, time.Time) {
	e := newEnv(t)
	slot := e.clock.Now().Add(-20 * time.Minute).UTC().Truncate(time.Minute)
	sub := e.subscribeDigest(mainChannel, topicDiplomacy, "UTC", slot.Format("15:04"))
	return e, sub, slot
}

func (e *env) digester(st DigestStore, clk *testClock, mod func(*DigesterOptions)) *Digester {
	e.t.Helper()
	o := DigesterOptions{Store: st, Now: clk.Now}
	if mod != nil {
		mod(&o)
	}
	g, err := NewDigester(o)
	if err != nil {
		e.t.Fatal(err)
	}
	return g
}

func TestDigestOncePerSlotGroupedBySubtopic(t *testing.T) {
	t.Parallel()
	e, _, slot := digestEnv(t)
	a := e.story(storyOpts{title: "Talks story A", subtopics: []string{"talks"}, seen: slot.Add(-3 * time.Hour)})
	b := e.story(storyOpts{title: "Sanctions story B", subtopics: []string{"sanctions"}, seen: slot.Add(-2 * time.Hour)})
	e.story(storyOpts{source: "ap", title: "Sanctions story B elsewhere", seen: slot.Add(-110 * time.Minute), join: b})
	c := e.story(storyOpts{title: "Talks story C", subtopics: []string{"talks", "sanctions"}, seen: slot.Add(-time.Hour)})
	d := e.story(storyOpts{title: "Unfiled story D", seen: slot.Add(-30 * time.Minute)})
	later := e.story(storyOpts{title: "Story after the slot", subtopics: []string{"talks"}, seen: slot.Add(5 * time.Minute)})

	// Two instances, each with its own connection to the database, run at once.
	clk := &testClock{}
	var wakes atomic.Int32
	wake := func() { wakes.Add(1) }
	gs := []*Digester{
		e.digester(e.st, clk, func(o *DigesterOptions) { o.Wake = wake }),
		e.digester(e.open(), clk, func(o *DigesterOptions) { o.Wake = wake }),
	}
	made := make([]int, len(gs))
	var wg sync.WaitGroup
	for i, g := range gs {
		wg.Go(func() {
			n, err := g.EnqueueDue(t.Context())
			if err != nil {
				t.Error(err)
			}
			made[i] = n
		})
	}
	wg.Wait()
	if made[0]+made[1] != 1 || wakes.Load() != 1 {
		t.Fatalf("digesters enqueued %v and woke the poster %d times, want one digest and one wake", made, wakes.Load())
	}
	for _, g := range gs { // and again: the slot is done
		if n, err := g.EnqueueDue(t.Context()); n != 0 || err != nil {
			t.Errorf("second check enqueued %d, %v; want nothing", n, err)
		}
	}

	due := e.due(e.st)
	if len(due) != 1 || due[0].Kind != store.DeliverDigest || !due[0].Slot.Equal(slot) {
		t.Fatalf("due = %+v, want one digest for slot %s", due, slot)
	}
	if want := []int64{b, d, c, a}; !slices.Equal(due[0].StoryIDs, want) {
		t.Errorf("digest stories %v, want %v (most sources first, then newest; not %d)", due[0].StoryIDs, want, later)
	}

	p, rec := e.poster(nil, nil)
	drain(t, p)
	msgs := e.messages(mainChannel)
	if len(msgs) != 1 || len(msgs[0].Embeds) != 1 {
		t.Fatalf("channel holds %d messages, want one digest", len(msgs))
	}
	em := msgs[0].Embeds[0]
	var names []string
	for _, f := range em.Fields {
		names = append(names, f.Name)
	}
	if want := []string{"sanctions", "talks", "Other"}; !slices.Equal(names, want) {
		t.Errorf("digest groups %q, want %q", names, want)
	}
	if len(em.Fields) == 3 {
		talks := em.Fields[1].Value
		if i, j := strings.Index(talks, "Talks story C"), strings.Index(talks, "Talks story A"); i < 0 || j < 0 || i > j {
			t.Errorf("talks group %q, want C then A", talks)
		}
		if !strings.Contains(em.Fields[0].Value, "Sanctions story B") || !strings.Contains(em.Fields[2].Value, "Unfiled story D") {
			t.Errorf("groups %+v miss B or D", em.Fields)
		}
	}
	if strings.Contains(fmt.Sprint(em), "Story after the slot") {
		t.Error("the digest lists a story first seen after its slot")
	}
	parsesNothing(t, msgs[0].AllowedMentions)
	if len(rec.sentIDs()) != 1 {
		t.Errorf("recorded %v, want the digest sent", rec.sentIDs())
	}

	// The next day's digest lists only what is new since this one.
	clk.Advance(24 * time.Hour)
	if n, err := gs[1].EnqueueDue(t.Context()); n != 1 || err != nil {
		t.Fatalf("next day: enqueued %d, %v; want 1", n, err)
	}
	due = e.due(e.st)
	if len(due) != 1 || !slices.Equal(due[0].StoryIDs, []int64{later}) {
		t.Errorf("next day's digest = %+v, want only story %d", due, later)
	}
}

func TestNoDigestWhenNothingNew(t *testing.T) {
	t.Parallel()
	e, sub, slot := digestEnv(t)
	// Only a story from before the subscription's window.
	e.story(storyOpts{seen: sub.Since.Add(-time.Hour)})
	woke := false
	g := e.digester(e.st, &testClock{}, func(o *DigesterOptions) { o.Wake = func() { woke = true } })
	if n, err := g.EnqueueDue(t.Context()); n != 0 || err != nil {
		t.Fatalf("EnqueueDue = %d, %v; want nothing", n, err)
	}
	if woke {
		t.Error("the poster was woken for an empty digest")
	}
	subs, err := e.st.Subscriptions(t.Context(), store.SubscriptionFilter{ChannelID: mainChannel})
	if err != nil || len(subs) != 1 {
		t.Fatalf("Subscriptions: %v, %v", subs, err)
	}
	if !subs[0].LastDigest.Equal(slot) {
		t.Errorf("LastDigest = %s, want the slot %s recorded", subs[0].LastDigest, slot)
	}
	if due := e.due(e.st); len(due) != 0 {
		t.Errorf("due = %+v, want nothing", due)
	}
	p, _ := e.poster(nil, nil)
	drain(t, p)
	if n := len(e.posts(mainChannel)); n != 0 {
		t.Errorf("%d posts, want none", n)
	}
}

func TestPausedSubscriptionGetsNoDigest(t *testing.T) {
	t.Parallel()
	e, _, slot := digestEnv(t)
	e.story(storyOpts{seen: slot.Add(-time.Hour)})
	// The channel's realtime subscription to another topic meets a
	// permanent error, which pauses every subscription in the channel.
	e.subscribe(mainChannel, "gaza")
	e.srv.Inject(postRoute, discordtest.MissingAccess)
	e.story(storyOpts{topics: []string{"gaza"}})
	p, _ := e.poster(nil, nil)
	drain(t, p)
	g := e.digester(e.st, &testClock{}, nil)
	if n, err := g.EnqueueDue(t.Context()); n != 0 || err != nil {
		t.Errorf("EnqueueDue = %d, %v; want nothing for a paused channel", n, err)
	}
	if due := e.due(e.st); len(due) != 0 {
		t.Errorf("due = %+v, want nothing", due)
	}
}

func TestMultiPartDigestUsesOneNoncePerPart(t *testing.T) {
	t.Parallel()
	e, _, slot := digestEnv(t)
	const n = 40
	for i := range n {
		e.story(storyOpts{
			title:     fmt.Sprintf("Story %02d: %s", i, strings.Repeat("a long headline about the negotiations ", 4)),
			subtopics: []string{"talks"},
			seen:      slot.Add(-time.Duration(i+1) * time.Minute),
		})
	}
	g := e.digester(e.st, &testClock{}, func(o *DigesterOptions) { o.MaxStories = n })
	if made, err := g.EnqueueDue(t.Context()); made != 1 || err != nil {
		t.Fatalf("EnqueueDue = %d, %v", made, err)
	}
	// The first part's response is lost after Discord stored it.
	e.srv.FailAfterStore(postRoute, http.StatusBadGateway)
	p, rec := e.poster(nil, nil)
	drain(t, p)
	if got := len(e.messages(mainChannel)); got != 1 {
		t.Fatalf("%d messages after the lost response, want the first part only", got)
	}
	e.clock.Advance(backoffCap + time.Second)
	drain(t, p)

	msgs := e.messages(mainChannel)
	if len(msgs) < 2 {
		t.Fatalf("%d messages, want a digest split over several", len(msgs))
	}
	nonces := map[string]bool{}
	for _, m := range msgs {
		if nonces[m.Nonce] || !m.EnforceNonce {
			t.Errorf("nonce %q repeated or not enforced", m.Nonce)
		}
		nonces[m.Nonce] = true
	}
	sent := rec.sentIDs()
	if len(sent) != 1 {
		t.Fatalf("recorded %v, want the digest", sent)
	}
	for did, mid := range sent {
		if mid != msgs[0].ID {
			t.Errorf("recorded message %s, want the first part %s", mid, msgs[0].ID)
		}
		for i, m := range msgs {
			if m.Nonce != nonce(did, i) {
				t.Errorf("part %d nonce %q, want %q", i, m.Nonce, nonce(did, i))
			}
		}
	}
	// Every story appears once across the parts.
	var all strings.Builder
	for _, m := range msgs {
		for _, f := range m.Embeds[0].Fields {
			all.WriteString(f.Value)
		}
	}
	for i := range n {
		if c := strings.Count(all.String(), fmt.Sprintf("Story %02d:", i)); c != 1 {
			t.Errorf("story %d listed %d times", i, c)
		}
	}
}

// A digest subscription limited to some outlets lists only stories one of
// them carried, as a realtime one gets only those.
func TestDigestKeepsToItsOutlets(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	slot := e.clock.Now().Add(-20 * time.Minute).UTC().Truncate(time.Minute)
	if _, err := e.st.Subscribe(t.Context(), store.Subscription{
		GuildID: discordtest.DefaultGuildID, ChannelID: mainChannel, Topic: topicDiplomacy, Mode: store.ModeDigest,
		DigestTimes: []string{slot.Format("15:04")}, Timezone: "UTC", Since: e.clock.Now().Add(-48 * time.Hour),
		CreatedBy: discordtest.DefaultUserID, Outlets: []string{"bbc"},
	}); err != nil {
		t.Fatal(err)
	}
	wireOnly := e.story(storyOpts{title: "Wire only", seen: slot.Add(-3 * time.Hour)})
	joined := e.story(storyOpts{title: "Wire first", seen: slot.Add(-2 * time.Hour)})
	e.story(storyOpts{source: "bbc", title: "BBC joins", seen: slot.Add(-110 * time.Minute), join: joined})
	bbc := e.story(storyOpts{source: "bbc", title: "BBC only", seen: slot.Add(-time.Hour)})
	g := e.digester(e.st, &testClock{}, nil)
	if n, err := g.EnqueueDue(t.Context()); n != 1 || err != nil {
		t.Fatalf("EnqueueDue = %d, %v; want one digest", n, err)
	}
	due := e.due(e.st)
	if want := []int64{joined, bbc}; len(due) != 1 || !slices.Equal(due[0].StoryIDs, want) {
		t.Errorf("due = %+v, want one digest of stories %v (not %d, which bbc did not carry)", due, want, wireOnly)
	}
}
