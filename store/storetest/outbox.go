package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/briefbot/briefbot/store"
)

func (s *suite) subscriptionTests() []test {
	return []test{
		{"subscribe creates, lists and replaces, keeping Since", func(t *testing.T) {
			st, _ := s.fresh(t)
			first := subscribe(t, st, store.Subscription{GuildID: "g1", ChannelID: "c2", Topic: topicGaza, Since: at(time.Hour), CreatedBy: "u1"})
			if first.ID <= 0 || first.Mode != store.ModeRealtime || first.Paused {
				t.Errorf("Subscribe = %+v, want an ID, realtime by default, not paused", first)
			}
			s.checkTime(t, "Since", at(time.Hour), first.Since)
			subscribe(t, st, store.Subscription{GuildID: "g1", ChannelID: "c1", Topic: topicGaza, Mode: store.ModeRealtime})
			subscribe(t, st, store.Subscription{GuildID: "g1", ChannelID: "c1", Topic: topicDiplomacy, Mode: store.ModeDigest,
				DigestTimes: []string{"08:00", "18:30"}, Timezone: "Asia/Tehran"})
			subscribe(t, st, store.Subscription{GuildID: "g2", ChannelID: "c9", Topic: topicGaza})

			// Replace: new mode and times, same ID, Since kept.
			replaced := subscribe(t, st, store.Subscription{GuildID: "g1", ChannelID: "c2", Topic: topicGaza, Mode: store.ModeDigest,
				DigestTimes: []string{"07:15"}, Timezone: "Europe/London", Since: at(5 * time.Hour), CreatedBy: "u2"})
			if replaced.ID != first.ID || replaced.Mode != store.ModeDigest || !slices.Equal(replaced.DigestTimes, []string{"07:15"}) ||
				replaced.Timezone != "Europe/London" || replaced.CreatedBy != "u2" {
				t.Errorf("replaced subscription = %+v, want ID %d in digest mode at 07:15 Europe/London by u2", replaced, first.ID)
			}
			s.checkTime(t, "Since after replacing", at(time.Hour), replaced.Since)

			key := func(subs []store.Subscription) []string {
				var out []string
				for _, sub := range subs {
					out = append(out, sub.ChannelID+"/"+sub.Topic)
				}
				return out
			}
			tests := []struct {
				name string
				f    store.SubscriptionFilter
				want []string
			}{
				{"all, by channel then topic", store.SubscriptionFilter{}, []string{"c1/gaza", "c1/mideast-diplomacy", "c2/gaza", "c9/gaza"}},
				{"guild", store.SubscriptionFilter{GuildID: "g1"}, []string{"c1/gaza", "c1/mideast-diplomacy", "c2/gaza"}},
				{"channel", store.SubscriptionFilter{ChannelID: "c1"}, []string{"c1/gaza", "c1/mideast-diplomacy"}},
				{"topic", store.SubscriptionFilter{Topic: topicGaza}, []string{"c1/gaza", "c2/gaza", "c9/gaza"}},
				{"mode", store.SubscriptionFilter{Mode: store.ModeDigest}, []string{"c1/mideast-diplomacy", "c2/gaza"}},
				{"several", store.SubscriptionFilter{GuildID: "g1", Topic: topicGaza, Mode: store.ModeRealtime}, []string{"c1/gaza"}},
				{"none", store.SubscriptionFilter{ChannelID: "c404"}, nil},
			}
			for _, tc := range tests {
				if got := key(subscriptions(t, st, tc.f)); !slices.Equal(got, tc.want) {
					t.Errorf("%s: Subscriptions = %q, want %q", tc.name, got, tc.want)
				}
			}
			got := subscriptions(t, st, store.SubscriptionFilter{ChannelID: "c2"})
			if len(got) != 1 || got[0].ID != replaced.ID || got[0].Mode != store.ModeDigest || got[0].Timezone != "Europe/London" {
				t.Errorf("listed %+v, want the replaced subscription %+v", got, replaced)
			}
		}},
		{"bad subscriptions are refused", func(t *testing.T) {
			st, _ := s.fresh(t)
			for _, sub := range []store.Subscription{
				{Topic: topicGaza},
				{ChannelID: "c1"},
				{ChannelID: "c1", Topic: topicGaza, Mode: "hourly"},
				{ChannelID: "c1", Topic: topicGaza, Mode: store.ModeDigest},
				{ChannelID: "c1", Topic: topicGaza, Mode: store.ModeDigest, DigestTimes: []string{"25:00"}},
				{ChannelID: "c1", Topic: topicGaza, Mode: store.ModeDigest, DigestTimes: []string{"8:00"}},
				{ChannelID: "c1", Topic: topicGaza, Mode: store.ModeDigest, DigestTimes: []string{"08:00", "noon"}},
			} {
				if _, err := st.Subscribe(t.Context(), sub); err == nil {
					t.Errorf("Subscribe(%+v) succeeded, want an error", sub)
				}
			}
			if got := subscriptions(t, st, store.SubscriptionFilter{}); len(got) != 0 {
				t.Errorf("refused subscriptions were stored: %+v", got)
			}
		}},
		{"unsubscribe removes, and says whether there was one", func(t *testing.T) {
			st, _ := s.fresh(t)
			subscribe(t, st, realtime("c1", topicGaza))
			subscribe(t, st, realtime("c1", topicDiplomacy))
			for i, want := range []bool{true, false} {
				got, err := st.Unsubscribe(t.Context(), "c1", topicGaza)
				if err != nil || got != want {
					t.Errorf("Unsubscribe #%d = %v, %v; want %v", i+1, got, err, want)
				}
			}
			if got := subscriptions(t, st, store.SubscriptionFilter{}); len(got) != 1 || got[0].Topic != topicDiplomacy {
				t.Errorf("left %+v, want only the diplomacy subscription", got)
			}
		}},
	}
}

func (s *suite) outboxTests() []test {
	return []test{
		{"a story is queued once per subscribed channel, realtime only", func(t *testing.T) {
			st, _ := s.fresh(t)
			subscribe(t, st, realtime("both-topics", topicGaza))
			subscribe(t, st, realtime("both-topics", topicDiplomacy))
			subscribe(t, st, realtime("one-topic", topicDiplomacy))
			subscribe(t, st, realtime("other-topic", topicEnergy))
			subscribe(t, st, store.Subscription{ChannelID: "digest", Topic: topicGaza, Mode: store.ModeDigest, DigestTimes: []string{"08:00"}, Since: t0})
			subscribe(t, st, store.Subscription{ChannelID: "too-late", Topic: topicGaza, Since: at(2 * time.Hour)})
			subscribe(t, st, store.Subscription{ChannelID: "no-since", Topic: topicGaza})
			exact := subscribe(t, st, store.Subscription{ChannelID: "since-equal", Topic: topicGaza, Since: at(time.Hour)})

			id := newStory(t, st, "s", at(time.Hour), topicGaza, topicDiplomacy)
			got := claim(t, st, at(time.Hour))
			wantOwed(t, "after one story", got,
				fmt.Sprintf("both-topics/gaza:story[%d]", id), // its older subscription owns it
				fmt.Sprintf("one-topic/mideast-diplomacy:story[%d]", id),
				fmt.Sprintf("no-since/gaza:story[%d]", id),
				fmt.Sprintf("since-equal/gaza:story[%d]", id))
			for _, d := range got {
				if d.Kind != store.DeliverStory || d.Attempts != 1 || d.GuildID != "guild-1" || d.SubscriptionID <= 0 || !d.Slot.IsZero() {
					t.Errorf("delivery %+v: want a story delivery of guild-1 on its first attempt with a subscription", d)
				}
				s.checkTime(t, "Created", at(time.Hour), d.Created)
				if d.ChannelID == "since-equal" && d.SubscriptionID != exact.ID {
					t.Errorf("delivery to since-equal belongs to subscription %d, want %d", d.SubscriptionID, exact.ID)
				}
			}
			if more := claim(t, st, at(90*time.Minute)); len(more) != 0 {
				t.Errorf("claimed again while leased: %q", owed(more))
			}
		}},
		{"completing again or joining a story posts nothing twice", func(t *testing.T) {
			st, _ := s.fresh(t)
			subscribe(t, st, realtime("c1", topicGaza))
			d := relevantDecision(at(time.Minute), "S.", topicGaza)
			it, id := complete(t, st, article("reuters", "a", "Truce talks", t0), d)
			if err := st.CompleteItem(t.Context(), it.ID, d); err != nil {
				t.Fatal(err)
			}
			first := one(t, "after completing twice", claim(t, st, at(time.Minute)))
			sent(t, st, first)

			// A channel that subscribes now (no lower bound) and one whose
			// topic the joining item adds get the story; c1 gets its
			// message edited, not a second post.
			subscribe(t, st, store.Subscription{ChannelID: "c2", Topic: topicGaza})
			subscribe(t, st, store.Subscription{ChannelID: "c3", Topic: topicDiplomacy})
			subscribe(t, st, realtime("c1", topicDiplomacy))
			join := relevantDecision(at(time.Hour), "S2.", topicDiplomacy)
			join.StoryID = id
			complete(t, st, article("ap", "b", "Truce talks, again", t0), join)
			wantOwed(t, "after an item joined", claim(t, st, at(time.Hour)),
				fmt.Sprintf("c1/gaza:edit[%d]", id),
				fmt.Sprintf("c2/gaza:story[%d]", id), fmt.Sprintf("c3/mideast-diplomacy:story[%d]", id))
		}},
		{"an expired lease is claimable again and counts the attempt", func(t *testing.T) {
			st, _ := s.fresh(t)
			subscribe(t, st, realtime("c1", topicGaza))
			newStory(t, st, "s", t0, topicGaza)
			const lease = 2 * time.Minute
			claimAt := func(now time.Time) []store.Delivery {
				got, err := st.ClaimDeliveries(t.Context(), "poster-a", now, lease, 10)
				if err != nil {
					t.Fatal(err)
				}
				return got
			}
			d := one(t, "first claim", claimAt(t0))
			if d.Attempts != 1 {
				t.Errorf("Attempts = %d, want 1", d.Attempts)
			}
			if got := claimAt(t0.Add(lease - time.Nanosecond)); len(got) != 0 {
				t.Errorf("claimed %q while the lease held", owed(got))
			}
			again := one(t, "claim at lease end", claimAt(t0.Add(lease)))
			if again.ID != d.ID || again.Attempts != 2 {
				t.Errorf("reclaimed %+v, want delivery %d on attempt 2", again, d.ID)
			}
		}},
		{"a retried delivery waits for its not-before", func(t *testing.T) {
			st, _ := s.fresh(t)
			subscribe(t, st, realtime("c1", topicGaza))
			newStory(t, st, "s", t0, topicGaza)
			d := one(t, "claim", claim(t, st, t0))
			if !d.NotBefore.IsZero() || d.LastError != "" {
				t.Errorf("fresh delivery: NotBefore %v, LastError %q; want zero", d.NotBefore, d.LastError)
			}
			if err := st.DeliveryRetry(t.Context(), d.ID, at(5*time.Minute), "HTTP 503"); err != nil {
				t.Fatal(err)
			}
			if got := claim(t, st, at(5*time.Minute-time.Nanosecond)); len(got) != 0 {
				t.Errorf("claimed %q before not-before", owed(got))
			}
			again := one(t, "claim at not-before", claim(t, st, at(5*time.Minute)))
			if again.ID != d.ID || again.Attempts != 2 || again.LastError != "HTTP 503" {
				t.Errorf("retried delivery = %+v, want %d on attempt 2 with LastError HTTP 503", again, d.ID)
			}
			s.checkTime(t, "NotBefore", at(5*time.Minute), again.NotBefore)
			// Released and retried at once: due immediately, lease or not.
			if err := st.DeliveryRetry(t.Context(), d.ID, time.Time{}, "connection reset"); err != nil {
				t.Fatal(err)
			}
			if got := one(t, "after an immediate retry", claim(t, st, at(5*time.Minute))); got.Attempts != 3 {
				t.Errorf("Attempts = %d, want 3", got.Attempts)
			}
		}},
		{"claims go oldest first, up to limit, and check their arguments", func(t *testing.T) {
			st, _ := s.fresh(t)
			subscribe(t, st, realtime("c1", topicGaza))
			var want []int64
			for i := range 5 {
				want = append(want, newStory(t, st, fmt.Sprint("s", i), at(time.Duration(i)*time.Minute), topicGaza))
			}
			var got []int64
			for _, n := range []int{2, 2, 2} {
				ds, err := st.ClaimDeliveries(t.Context(), "p", at(time.Hour), time.Hour, n)
				if err != nil {
					t.Fatal(err)
				}
				for _, d := range ds {
					got = append(got, d.StoryIDs...)
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("claimed stories in order %v, want %v", got, want)
			}
			for _, c := range []struct {
				owner string
				lease time.Duration
				limit int
			}{{"", time.Minute, 1}, {"p", 0, 1}, {"p", time.Minute, 0}} {
				if _, err := st.ClaimDeliveries(t.Context(), c.owner, t0, c.lease, c.limit); err == nil {
					t.Errorf("ClaimDeliveries(%q, lease %v, limit %d) succeeded, want an error", c.owner, c.lease, c.limit)
				}
			}
		}},
		{"sent is final and idempotent for the same message", func(t *testing.T) {
			st, _ := s.fresh(t)
			subscribe(t, st, realtime("c1", topicGaza))
			newStory(t, st, "s", t0, topicGaza)
			d := one(t, "claim", claim(t, st, t0))
			for i := range 2 {
				if err := st.DeliverySent(t.Context(), d.ID, "m-1", at(time.Second)); err != nil {
					t.Errorf("DeliverySent #%d: %v", i+1, err)
				}
			}
			if err := st.DeliverySent(t.Context(), d.ID, "m-2", at(time.Second)); err == nil {
				t.Error("DeliverySent with another message ID succeeded, want an error")
			}
			if err := st.DeliverySent(t.Context(), d.ID, "", at(time.Second)); err == nil {
				t.Error("DeliverySent with no message ID succeeded, want an error")
			}
			// A late retry from a poster whose lease ran out changes nothing.
			if err := st.DeliveryRetry(t.Context(), d.ID, t0, "late"); err != nil {
				t.Errorf("DeliveryRetry on a sent delivery: %v", err)
			}
			if got := claim(t, st, at(24*time.Hour)); len(got) != 0 {
				t.Errorf("a sent delivery was claimed again: %q", owed(got))
			}
			wantNotFound(t, "DeliverySent(unknown)", st.DeliverySent(t.Context(), d.ID+100, "m", t0))
			wantNotFound(t, "DeliveryRetry(unknown)", st.DeliveryRetry(t.Context(), d.ID+100, t0, "x"))
			wantNotFound(t, "DeliveryFailed(unknown)", st.DeliveryFailed(t.Context(), d.ID+100, "x", t0))
		}},
		{"a failed delivery pauses the channel until it subscribes again", func(t *testing.T) {
			st, _ := s.fresh(t)
			gaza := subscribe(t, st, realtime("c1", topicGaza))
			subscribe(t, st, realtime("c1", topicDiplomacy))
			subscribe(t, st, realtime("c2", topicGaza))
			s1 := newStory(t, st, "s1", at(time.Minute), topicGaza)
			s2 := newStory(t, st, "s2", at(2*time.Minute), topicGaza, topicDiplomacy)
			ds := claim(t, st, at(2*time.Minute))
			wantOwed(t, "before the failure", ds,
				fmt.Sprintf("c1/gaza:story[%d]", s1), fmt.Sprintf("c1/gaza:story[%d]", s2),
				fmt.Sprintf("c2/gaza:story[%d]", s1), fmt.Sprintf("c2/gaza:story[%d]", s2))
			var failing, held store.Delivery
			for _, d := range ds {
				switch {
				case d.ChannelID == "c1" && d.StoryIDs[0] == s1:
					failing = d
				case d.ChannelID == "c1":
					held = d
				}
			}
			const reason = "briefbot lost access to this channel (Missing Access)"
			if err := st.DeliveryFailed(t.Context(), failing.ID, reason, at(3*time.Minute)); err != nil {
				t.Fatal(err)
			}
			for _, sub := range subscriptions(t, st, store.SubscriptionFilter{}) {
				paused := sub.ChannelID == "c1"
				if sub.Paused != paused || (paused && sub.PausedReason != reason) || (!paused && sub.PausedReason != "") {
					t.Errorf("%s/%s: Paused %v (%q); want %v", sub.ChannelID, sub.Topic, sub.Paused, sub.PausedReason, paused)
				}
				if paused {
					s.checkTime(t, "PausedAt", at(3*time.Minute), sub.PausedAt)
				}
			}
			// The channel's other delivery is released but held back, and
			// new stories are not queued for it while paused.
			if err := st.DeliveryRetry(t.Context(), held.ID, time.Time{}, "channel paused"); err != nil {
				t.Fatal(err)
			}
			s3 := newStory(t, st, "s3", at(4*time.Minute), topicGaza)
			wantOwed(t, "while c1 is paused", claim(t, st, at(5*time.Minute)), fmt.Sprintf("c2/gaza:story[%d]", s3))

			// Subscribing again resumes: the held delivery is due, the
			// failed one never comes back.
			resumed := subscribe(t, st, realtime("c1", topicGaza))
			if resumed.ID != gaza.ID || resumed.Paused || resumed.PausedReason != "" || !resumed.PausedAt.IsZero() {
				t.Errorf("resumed subscription = %+v, want %d unpaused", resumed, gaza.ID)
			}
			got := one(t, "after resuming", claim(t, st, at(6*time.Minute)))
			if got.ID != held.ID {
				t.Errorf("claimed %q, want the held delivery of story %d", owed([]store.Delivery{got}), s2)
			}
		}},
		{"a dropped delivery ends without pausing the channel", func(t *testing.T) {
			st, _ := s.fresh(t)
			subscribe(t, st, realtime("c1", topicGaza))
			bad := newStory(t, st, "bad", t0, topicGaza)
			good := newStory(t, st, "good", at(time.Minute), topicGaza)
			ds := claim(t, st, at(time.Minute))
			if len(ds) != 2 || ds[0].StoryIDs[0] != bad {
				t.Fatalf("claimed %q, want story %d then %d", owed(ds), bad, good)
			}
			if err := st.DeliveryDropped(t.Context(), ds[0].ID, "Invalid Form Body", at(2*time.Minute)); err != nil {
				t.Fatal(err)
			}
			if subs := subscriptions(t, st, store.SubscriptionFilter{}); len(subs) != 1 || subs[0].Paused {
				t.Errorf("after a drop: %+v, want the subscription not paused", subs)
			}
			if err := st.DeliveryRetry(t.Context(), ds[1].ID, time.Time{}, "after the bad one"); err != nil {
				t.Fatal(err)
			}
			if got := one(t, "after the drop", claim(t, st, at(3*time.Minute))); got.StoryIDs[0] != good {
				t.Errorf("claimed %q, want only story %d (the dropped one never returns)", owed([]store.Delivery{got}), good)
			}
			wantNotFound(t, "DeliveryDropped(unknown)", st.DeliveryDropped(t.Context(), ds[1].ID+100, "x", t0))
		}},
		{"unsubscribing drops pending deliveries and hands shared ones over", func(t *testing.T) {
			st, _ := s.fresh(t)
			subscribe(t, st, realtime("c1", topicGaza))
			dip := subscribe(t, st, realtime("c1", topicDiplomacy))
			old := newStory(t, st, "old", at(time.Minute), topicGaza)
			sent(t, st, claim(t, st, at(time.Minute))...)
			shared := newStory(t, st, "shared", at(2*time.Minute), topicGaza, topicDiplomacy)
			gazaOnly := newStory(t, st, "gaza-only", at(3*time.Minute), topicGaza)
			// Claimed but unsent: the poster may be sending right now, and a
			// pending delivery goes with its subscription all the same.
			if got := claim(t, st, at(3*time.Minute)); len(got) != 2 {
				t.Fatalf("claimed %q, want 2", owed(got))
			}
			if ok, err := st.Unsubscribe(t.Context(), "c1", topicGaza); err != nil || !ok {
				t.Fatalf("Unsubscribe = %v, %v", ok, err)
			}
			// gazaOnly is dropped: no other subscription of c1 wants it.
			got := one(t, "after unsubscribing", claim(t, st, at(3*time.Hour)))
			if got.StoryIDs[0] != shared || got.SubscriptionID != dip.ID || got.Topic != topicDiplomacy {
				t.Errorf("claimed %+v, want story %d handed to subscription %d (diplomacy), story %d dropped", got, shared, dip.ID, gazaOnly)
			}
			sent(t, st, got)

			// Subscribing again reposts nothing that was sent, even when the
			// story grows; the story dropped above is gone for good.
			subscribe(t, st, store.Subscription{ChannelID: "c1", Topic: topicGaza})
			join := relevantDecision(at(4*time.Hour), "More.", topicGaza)
			join.StoryID = old
			complete(t, st, article("ap", "more", "Old story, more", t0), join)
			if more := claim(t, st, at(5*time.Hour)); len(more) != 0 {
				t.Errorf("after subscribing again: %q, want nothing (story %d was sent, %d dropped)", owed(more), old, gazaOnly)
			}
		}},
		{"unsubscribing hands a story over only to a subscription taking one of its outlets", func(t *testing.T) {
			st, _ := s.fresh(t)
			subscribe(t, st, realtime("c1", topicGaza))
			bbcOnly := realtime("c1", topicDiplomacy)
			bbcOnly.Outlets = []string{"bbc"}
			bbcOnly = subscribe(t, st, bbcOnly)
			wireOnly := newStory(t, st, "wire-only", at(time.Minute), topicGaza, topicDiplomacy)
			withBBC := newStory(t, st, "with-bbc", at(2*time.Minute), topicGaza, topicDiplomacy)
			join := relevantDecision(at(2*time.Minute), "More.", topicGaza, topicDiplomacy)
			join.StoryID = withBBC
			complete(t, st, article("bbc", "bbc-report", "Headline with-bbc, BBC", t0), join)
			if ok, err := st.Unsubscribe(t.Context(), "c1", topicGaza); err != nil || !ok {
				t.Fatalf("Unsubscribe = %v, %v", ok, err)
			}
			got := one(t, "after unsubscribing", claim(t, st, at(time.Hour)))
			if got.StoryIDs[0] != withBBC || got.SubscriptionID != bbcOnly.ID {
				t.Errorf("claimed %+v, want story %d handed to the bbc-only subscription %d, story %d (wire only) dropped", got, withBBC, bbcOnly.ID, wireOnly)
			}
		}},
	}
}

func (s *suite) digestTests() []test {
	return []test{
		{"a digest slot is enqueued once and moves LastDigest", func(t *testing.T) {
			st, _ := s.fresh(t)
			sub := subscribe(t, st, store.Subscription{ChannelID: "c1", Topic: topicGaza, Mode: store.ModeDigest, DigestTimes: []string{"08:00"}, Since: t0})
			a := newStory(t, st, "a", at(time.Minute), topicGaza)
			b := newStory(t, st, "b", at(2*time.Minute), topicGaza)
			if got := claim(t, st, at(time.Hour)); len(got) != 0 {
				t.Errorf("a digest subscription got realtime deliveries %q", owed(got))
			}
			slot := at(24 * time.Hour)
			enqueue := func(slot time.Time, ids ...int64) bool {
				t.Helper()
				ok, err := st.EnqueueDigest(t.Context(), sub.ID, slot, ids)
				if err != nil {
					t.Fatalf("EnqueueDigest(%v): %v", slot, err)
				}
				return ok
			}
			if !enqueue(slot, b, a) {
				t.Fatal("first EnqueueDigest = false, want true")
			}
			if enqueue(slot, b, a) || enqueue(slot.Add(-time.Hour), a) {
				t.Error("EnqueueDigest of the same or an earlier slot = true, want false")
			}
			d := one(t, "digest", claim(t, st, slot))
			if d.Kind != store.DeliverDigest || !slices.Equal(d.StoryIDs, []int64{b, a}) || d.SubscriptionID != sub.ID || d.ChannelID != "c1" || d.Topic != topicGaza {
				t.Errorf("digest delivery = %+v, want stories [%d %d] for subscription %d in c1", d, b, a, sub.ID)
			}
			s.checkTime(t, "Slot", slot, d.Slot)
			sent(t, st, d)
			s.checkTime(t, "LastDigest", slot, subscriptions(t, st, store.SubscriptionFilter{})[0].LastDigest)

			// Nothing new: the slot is recorded, nothing is posted.
			next := slot.Add(24 * time.Hour)
			if !enqueue(next) {
				t.Error("EnqueueDigest with no stories = false, want true (the slot is recorded)")
			}
			if got := claim(t, st, next.Add(2*time.Hour)); len(got) != 0 {
				t.Errorf("an empty digest was queued: %q", owed(got))
			}
			s.checkTime(t, "LastDigest", next, subscriptions(t, st, store.SubscriptionFilter{})[0].LastDigest)
			// Replacing the subscription keeps LastDigest: no slot fires twice.
			subscribe(t, st, store.Subscription{ChannelID: "c1", Topic: topicGaza, Mode: store.ModeDigest, DigestTimes: []string{"09:00"}})
			if enqueue(next, a) {
				t.Error("after replacing the subscription, an enqueued slot fired again")
			}
		}},
		{"digest errors: unknown subscription or story, no slot", func(t *testing.T) {
			st, _ := s.fresh(t)
			sub := subscribe(t, st, store.Subscription{ChannelID: "c1", Topic: topicGaza, Mode: store.ModeDigest, DigestTimes: []string{"08:00"}})
			a := newStory(t, st, "a", t0, topicGaza)
			_, err := st.EnqueueDigest(t.Context(), sub.ID+100, at(time.Hour), []int64{a})
			wantNotFound(t, "EnqueueDigest(unknown subscription)", err)
			_, err = st.EnqueueDigest(t.Context(), sub.ID, at(time.Hour), []int64{a, a + 100})
			wantNotFound(t, "EnqueueDigest(unknown story)", err)
			if _, err := st.EnqueueDigest(t.Context(), sub.ID, time.Time{}, []int64{a}); err == nil {
				t.Error("EnqueueDigest with a zero slot succeeded, want an error")
			}
			// The failed calls recorded nothing: the slot is still free.
			if ok, err := st.EnqueueDigest(t.Context(), sub.ID, at(time.Hour), []int64{a}); err != nil || !ok {
				t.Errorf("EnqueueDigest after failures = %v, %v; want true", ok, err)
			}
		}},
		{"a paused subscription's slot passes without a digest", func(t *testing.T) {
			st, _ := s.fresh(t)
			subscribe(t, st, realtime("c1", topicDiplomacy))
			dg := subscribe(t, st, store.Subscription{ChannelID: "c1", Topic: topicGaza, Mode: store.ModeDigest, DigestTimes: []string{"08:00"}})
			newStory(t, st, "x", t0, topicDiplomacy)
			a := newStory(t, st, "a", t0, topicGaza)
			if err := st.DeliveryFailed(t.Context(), one(t, "realtime", claim(t, st, t0)).ID, "Unknown Channel", t0); err != nil {
				t.Fatal(err)
			}
			ok, err := st.EnqueueDigest(t.Context(), dg.ID, at(time.Hour), []int64{a})
			if err != nil || !ok {
				t.Fatalf("EnqueueDigest on a paused subscription = %v, %v; want true", ok, err)
			}
			subscribe(t, st, store.Subscription{ChannelID: "c1", Topic: topicGaza, Mode: store.ModeDigest, DigestTimes: []string{"08:00"}})
			if got := claim(t, st, at(2*time.Hour)); len(got) != 0 {
				t.Errorf("a digest was queued while paused: %q", owed(got))
			}
		}},
	}
}

func (s *suite) interactionTests() []test {
	return []test{
		{"an interaction is claimed the first time only", func(t *testing.T) {
			st, _ := s.fresh(t)
			for i, want := range []bool{true, false, false} {
				got, err := st.ClaimInteraction(t.Context(), "1234567890", at(time.Duration(i)*time.Second))
				if err != nil || got != want {
					t.Errorf("ClaimInteraction #%d = %v, %v; want %v", i+1, got, err, want)
				}
			}
			if got, err := st.ClaimInteraction(t.Context(), "1234567891", t0); err != nil || !got {
				t.Errorf("another ID = %v, %v; want true", got, err)
			}
			if _, err := st.ClaimInteraction(t.Context(), "", t0); err == nil {
				t.Error("ClaimInteraction with an empty ID succeeded, want an error")
			}
		}},
	}
}
