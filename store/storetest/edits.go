package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/story"
)

// join completes a new item of outlet src into story id at when.
func join(t *testing.T, st store.Store, id int64, src, key string, when time.Time) story.Item {
	t.Helper()
	d := relevantDecision(when, "Summary "+key+".", topicGaza)
	d.StoryID = id
	it, got := complete(t, st, article(src, key, "Headline "+key, when.Add(-time.Hour)), d)
	if got != id {
		t.Fatalf("item %q joined story %d, want %d", key, got, id)
	}
	return it
}

// sentAs records d sent as message msg.
func sentAs(t *testing.T, st store.Store, d store.Delivery, msg string) {
	t.Helper()
	if err := st.DeliverySent(t.Context(), d.ID, msg, t0); err != nil {
		t.Fatalf("DeliverySent(%d, %s): %v", d.ID, msg, err)
	}
}

// wantEdit checks d is the edit of delivery id's message msg.
func wantEdit(t *testing.T, what string, d store.Delivery, id int64, msg string, attempts int) {
	t.Helper()
	if d.Kind != store.DeliverEdit || d.ID != id || d.MessageID != msg || d.Attempts != attempts {
		t.Errorf("%s: got %s delivery %d of message %q on attempt %d; want the edit of delivery %d's message %q on attempt %d",
			what, d.Kind, d.ID, d.MessageID, d.Attempts, id, msg, attempts)
	}
}

func (s *suite) editTests() []test {
	return []test{
		{"a join makes a sent delivery an edit of its message and leaves a pending one a post", func(t *testing.T) {
			st, _ := s.fresh(t)
			subscribe(t, st, realtime("sent", topicGaza))
			subscribe(t, st, realtime("waiting", topicGaza))
			id := newStory(t, st, "s", at(time.Minute), topicGaza)
			ds := claim(t, st, at(time.Minute))
			if len(ds) != 2 {
				t.Fatalf("claimed %q, want two story deliveries", owed(ds))
			}
			var posted, waiting store.Delivery
			for _, d := range ds {
				if d.MessageID != "" {
					t.Errorf("story delivery %+v carries a message ID before it is sent", d)
				}
				if d.ChannelID == "sent" {
					posted = d
				} else {
					waiting = d
				}
			}
			sentAs(t, st, posted, "m1")
			if err := st.DeliveryRetry(t.Context(), waiting.ID, at(time.Hour), "HTTP 503"); err != nil {
				t.Fatal(err)
			}
			join(t, st, id, "ap", "b", at(2*time.Minute))

			got := claim(t, st, at(2*time.Minute))
			wantOwed(t, "after a join", got, fmt.Sprintf("sent/gaza:edit[%d]", id))
			if len(got) == 1 {
				wantEdit(t, "after a join", got[0], posted.ID, "m1", 1)
				if got[0].LastError != "" || !got[0].NotBefore.IsZero() {
					t.Errorf("edit starts with LastError %q, NotBefore %v; want none", got[0].LastError, got[0].NotBefore)
				}
			}
			// The waiting delivery is still one post, due when it was.
			wantOwed(t, "the waiting post", claim(t, st, at(time.Hour)), fmt.Sprintf("waiting/gaza:story[%d]", id))
		}},
		{"joins before the edit is made coalesce into one edit", func(t *testing.T) {
			st, _ := s.fresh(t)
			subscribe(t, st, realtime("c1", topicGaza))
			id := newStory(t, st, "s", t0, topicGaza)
			d := one(t, "post", claim(t, st, t0))
			sentAs(t, st, d, "m1")
			join(t, st, id, "ap", "b", at(time.Minute))
			join(t, st, id, "bbc", "c", at(2*time.Minute))
			e := one(t, "after two joins", claim(t, st, at(3*time.Minute)))
			wantEdit(t, "after two joins", e, d.ID, "m1", 1)
			sentAs(t, st, e, "m1")
			if more := claim(t, st, at(4*time.Minute)); len(more) != 0 {
				t.Errorf("after the edit: still owed %q", owed(more))
			}
			// Recording the edit again is harmless, as for a post.
			sentAs(t, st, e, "m1")
		}},
		{"a join while a post or an edit is in flight leaves one more edit due", func(t *testing.T) {
			st, _ := s.fresh(t)
			subscribe(t, st, realtime("c1", topicGaza))
			id := newStory(t, st, "s", t0, topicGaza)
			d := one(t, "post", claim(t, st, t0))
			join(t, st, id, "ap", "b", at(time.Minute)) // after the poster read the story
			sentAs(t, st, d, "m1")
			e := one(t, "after a join during the post", claim(t, st, at(2*time.Minute)))
			wantEdit(t, "after a join during the post", e, d.ID, "m1", 1)

			join(t, st, id, "bbc", "c", at(3*time.Minute)) // during the edit
			sentAs(t, st, e, "m1")
			e2 := one(t, "after a join during the edit", claim(t, st, at(4*time.Minute)))
			wantEdit(t, "after a join during the edit", e2, d.ID, "m1", 1)
			sentAs(t, st, e2, "m1")
			if more := claim(t, st, at(5*time.Minute)); len(more) != 0 {
				t.Errorf("after the last edit: still owed %q", owed(more))
			}
		}},
		{"an edit may record a new message, which later edits change", func(t *testing.T) {
			st, _ := s.fresh(t)
			subscribe(t, st, realtime("c1", topicGaza))
			id := newStory(t, st, "s", t0, topicGaza)
			d := one(t, "post", claim(t, st, t0))
			sentAs(t, st, d, "m1")
			join(t, st, id, "ap", "b", at(time.Minute))
			e := one(t, "edit", claim(t, st, at(time.Minute)))
			sentAs(t, st, e, "m2") // m1 was deleted: posted anew
			if err := st.DeliverySent(t.Context(), e.ID, "m3", t0); err == nil {
				t.Error("DeliverySent with a third message ID after the edit was recorded: no error")
			}
			join(t, st, id, "bbc", "c", at(2*time.Minute))
			wantEdit(t, "after the next join", one(t, "next edit", claim(t, st, at(2*time.Minute))), d.ID, "m2", 1)
		}},
		{"an edit is retried like a post and never fails the delivery", func(t *testing.T) {
			for _, pause := range []bool{false, true} {
				t.Run(fmt.Sprintf("pause=%v", pause), func(t *testing.T) {
					st, _ := s.fresh(t)
					subscribe(t, st, realtime("c1", topicGaza))
					id := newStory(t, st, "s", t0, topicGaza)
					d := one(t, "post", claim(t, st, t0))
					sentAs(t, st, d, "m1")
					join(t, st, id, "ap", "b", at(time.Minute))
					e := one(t, "edit", claim(t, st, at(time.Minute)))
					if err := st.DeliveryRetry(t.Context(), e.ID, at(2*time.Minute), "HTTP 502"); err != nil {
						t.Fatal(err)
					}
					e = one(t, "retried edit", claim(t, st, at(2*time.Minute)))
					wantEdit(t, "retried edit", e, d.ID, "m1", 2)
					if e.LastError != "HTTP 502" {
						t.Errorf("retried edit LastError %q, want HTTP 502", e.LastError)
					}
					end := st.DeliveryDropped
					if pause {
						end = st.DeliveryFailed
					}
					if err := end(t.Context(), e.ID, "Missing Access", at(3*time.Minute)); err != nil {
						t.Fatal(err)
					}
					if more := claim(t, st, at(time.Hour)); len(more) != 0 {
						t.Errorf("after giving up the edit: still owed %q", owed(more))
					}
					if paused := subscriptions(t, st, store.SubscriptionFilter{ChannelID: "c1"})[0].Paused; paused != pause {
						t.Errorf("channel paused = %v, want %v", paused, pause)
					}
					// The message is still the channel's: a resumed channel
					// and a later join edit it again; nothing is reposted.
					subscribe(t, st, realtime("c1", topicGaza))
					join(t, st, id, "bbc", "c", at(2*time.Hour))
					wantEdit(t, "after a later join", one(t, "later edit", claim(t, st, at(2*time.Hour))), d.ID, "m1", 1)
				})
			}
		}},
		{"unsubscribing gives up a pending edit and never reposts", func(t *testing.T) {
			st, _ := s.fresh(t)
			subscribe(t, st, realtime("c1", topicGaza))
			id := newStory(t, st, "s", t0, topicGaza)
			sentAs(t, st, one(t, "post", claim(t, st, t0)), "m1")
			join(t, st, id, "ap", "b", at(time.Minute))
			if ok, err := st.Unsubscribe(t.Context(), "c1", topicGaza); err != nil || !ok {
				t.Fatalf("Unsubscribe = %v, %v", ok, err)
			}
			if more := claim(t, st, at(time.Minute)); len(more) != 0 {
				t.Errorf("after unsubscribing: owed %q", owed(more))
			}
			subscribe(t, st, store.Subscription{ChannelID: "c1", Topic: topicGaza})
			join(t, st, id, "bbc", "c", at(2*time.Minute))
			if more := claim(t, st, at(2*time.Minute)); len(more) != 0 {
				t.Errorf("after subscribing again and another join: owed %q; want nothing (the story was posted once)", owed(more))
			}
		}},
		{"Item reads an item back with its story", func(t *testing.T) {
			st, _ := s.fresh(t)
			it, id := complete(t, st, article("wire", "a", "Truce talks", t0), relevantDecision(at(time.Minute), "S.", topicGaza))
			got, err := st.Item(t.Context(), it.ID)
			if err != nil {
				t.Fatal(err)
			}
			s.checkItem(t, it, got.Item)
			if got.State != store.ItemDone || got.Decision == nil || got.Decision.StoryID != id || id == 0 {
				t.Errorf("Item = state %s, decision %+v; want done in story %d", got.State, got.Decision, id)
			}
			p := record(t, st, article("wire", "p", "Pending", t0))
			if got, err := st.Item(t.Context(), p.ID); err != nil || got.State != store.ItemPending || got.Decision != nil {
				t.Errorf("pending Item = %+v, %v; want pending with no decision", got, err)
			}
			_, err = st.Item(t.Context(), p.ID+1000)
			wantNotFound(t, "Item of an unknown ID", err)
		}},
	}
}

func (s *suite) recentStoryTests() []test {
	return []test{
		{"stories updated since, each with all its items", func(t *testing.T) {
			st, _ := s.fresh(t)
			old := newStory(t, st, "old", t0, topicGaza)
			revived := newStory(t, st, "revived", t0, topicGaza)
			fresh := newStory(t, st, "fresh", at(2*time.Hour), topicGaza)
			join(t, st, revived, "ap", "revived-ap", at(3*time.Hour))
			complete(t, st, article("wire", "noise", "Off topic", t0), store.Decision{At: at(3 * time.Hour)})

			got, err := st.RecentStoryItems(t.Context(), at(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, si := range got {
				ids = append(ids, si.StoryID)
			}
			if want := []int64{revived, fresh}; !slices.Equal(ids, want) {
				t.Fatalf("RecentStoryItems stories = %v, want %v (not %d, last updated before since)", ids, want, old)
			}
			if k := keys(got[0].Items); !slices.Equal(k, []string{"revived", "revived-ap"}) {
				t.Errorf("revived story's items = %q, want both, in ID order", k)
			}
			it := got[1].Items[0]
			want := article("wire", "fresh", "Headline fresh", at(time.Hour))
			want.ID = it.ID
			s.checkItem(t, want, it)

			all, err := st.RecentStoryItems(t.Context(), time.Time{})
			if err != nil || len(all) != 3 {
				t.Errorf("RecentStoryItems(zero) = %d stories, %v; want all 3", len(all), err)
			}
			if none, err := st.RecentStoryItems(t.Context(), at(4*time.Hour)); err != nil || len(none) != 0 {
				t.Errorf("RecentStoryItems(after every update) = %v, %v; want none", none, err)
			}
			if _, err := st.RecentStoryItems(cancelled(t), time.Time{}); !errors.Is(err, context.Canceled) {
				t.Errorf("RecentStoryItems on a cancelled context: %v, want context.Canceled", err)
			}
		}},
	}
}
