package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/briefbot/briefbot/store"
)

// guildFeed is a feed server guild added, polled as source src.
func guildFeed(guild, url, src string) store.GuildFeed {
	return store.GuildFeed{GuildID: guild, URL: url, Source: src, Outlet: "Local Paper", AddedBy: "user-1", Added: t0}
}

func addGuildFeed(t *testing.T, st store.Store, f store.GuildFeed, max int) store.GuildFeed {
	t.Helper()
	got, err := st.AddGuildFeed(t.Context(), f, max)
	if err != nil {
		t.Fatalf("AddGuildFeed(%s, %s): %v", f.GuildID, f.URL, err)
	}
	return got
}

func (s *suite) guildTests() []test {
	return []test{
		{"feeds are listed per server and persist", func(t *testing.T) {
			st, open := s.fresh(t)
			addGuildFeed(t, st, guildFeed("g1", "https://b.example/feed", "guild:b"), 0)
			addGuildFeed(t, st, guildFeed("g1", "https://a.example/feed", "guild:a"), 0)
			addGuildFeed(t, st, guildFeed("g2", "https://c.example/feed", "guild:c"), 0)
			if err := st.Close(); err != nil {
				t.Fatal(err)
			}
			st = s.open(t, open)
			got, err := st.GuildFeeds(t.Context(), "g1")
			if err != nil {
				t.Fatal(err)
			}
			var urls []string
			for _, f := range got {
				urls = append(urls, f.URL)
				if f.GuildID != "g1" || f.Outlet != "Local Paper" || f.AddedBy != "user-1" || !s.sameTime(t0, f.Added) {
					t.Errorf("stored feed %+v lost a field", f)
				}
			}
			if want := []string{"https://a.example/feed", "https://b.example/feed"}; !slices.Equal(urls, want) {
				t.Errorf("GuildFeeds(g1) = %q, want %q", urls, want)
			}
			all, err := st.GuildFeeds(t.Context(), "")
			if err != nil || len(all) != 3 {
				t.Errorf("GuildFeeds(\"\") = %d feeds, %v; want 3", len(all), err)
			}
		}},
		{"the same URL in two servers shares one source", func(t *testing.T) {
			st, _ := s.fresh(t)
			addGuildFeed(t, st, guildFeed("g1", "https://a.example/feed", "guild:first"), 0)
			got := addGuildFeed(t, st, guildFeed("g2", "https://a.example/feed", "guild:second"), 0)
			if got.Source != "guild:first" {
				t.Errorf("second server's feed is polled as %q, want the first's %q", got.Source, "guild:first")
			}
		}},
		{"adding again updates outlet and language, not the count", func(t *testing.T) {
			st, _ := s.fresh(t)
			addGuildFeed(t, st, guildFeed("g1", "https://a.example/feed", "guild:a"), 1)
			f := guildFeed("g1", "https://a.example/feed", "guild:a")
			f.Outlet, f.Language = "Renamed", "fa"
			got := addGuildFeed(t, st, f, 1)
			if got.Outlet != "Renamed" || got.Language != "fa" {
				t.Errorf("re-added feed = %+v, want outlet Renamed, language fa", got)
			}
		}},
		{"a server's feeds are bounded", func(t *testing.T) {
			st, _ := s.fresh(t)
			addGuildFeed(t, st, guildFeed("g1", "https://a.example/feed", "guild:a"), 2)
			addGuildFeed(t, st, guildFeed("g1", "https://b.example/feed", "guild:b"), 2)
			_, err := st.AddGuildFeed(t.Context(), guildFeed("g1", "https://c.example/feed", "guild:c"), 2)
			if !errors.Is(err, store.ErrLimit) {
				t.Errorf("third feed with max 2: err = %v, want ErrLimit", err)
			}
			// Another server has its own budget.
			addGuildFeed(t, st, guildFeed("g2", "https://c.example/feed", "guild:c"), 2)
		}},
		{"bad feeds are refused", func(t *testing.T) {
			st, _ := s.fresh(t)
			for _, f := range []store.GuildFeed{
				guildFeed("", "https://a.example/feed", "guild:a"),
				guildFeed("g1", "", "guild:a"),
				guildFeed("g1", "https://a.example/feed", "a"),
				{GuildID: "g1", URL: "https://a.example/feed", Source: "guild:a"}, // no Added
			} {
				if _, err := st.AddGuildFeed(t.Context(), f, 0); err == nil {
					t.Errorf("AddGuildFeed(%+v) succeeded, want an error", f)
				}
			}
		}},
		{"removing a feed", func(t *testing.T) {
			st, _ := s.fresh(t)
			addGuildFeed(t, st, guildFeed("g1", "https://a.example/feed", "guild:a"), 0)
			if ok, err := st.RemoveGuildFeed(t.Context(), "g2", "https://a.example/feed"); ok || err != nil {
				t.Errorf("another server removing it = %v, %v; want false, nil", ok, err)
			}
			if ok, err := st.RemoveGuildFeed(t.Context(), "g1", "https://a.example/feed"); !ok || err != nil {
				t.Errorf("RemoveGuildFeed = %v, %v; want true, nil", ok, err)
			}
			if got, err := st.GuildFeeds(t.Context(), "g1"); len(got) != 0 || err != nil {
				t.Errorf("after removal GuildFeeds = %v, %v; want none", got, err)
			}
		}},
		{"a server's source reaches only the servers that added it", func(t *testing.T) {
			st := s.twoServers(t)
			complete(t, st, article("guild:local", "k1", "Local report", t0), relevantDecision(at(time.Minute), "S.", topicGaza))
			complete(t, st, article("wire", "k2", "Wire report", t0), relevantDecision(at(time.Minute), "S.", topicGaza))
			got := claim(t, st, at(time.Hour))
			var chans []string
			for _, d := range got {
				chans = append(chans, d.ChannelID)
			}
			slices.Sort(chans)
			// The wire story reaches both servers, the local one only g1.
			if want := []string{"chan-g1", "chan-g1", "chan-g2"}; !slices.Equal(chans, want) {
				t.Errorf("deliveries went to %q, want %q", chans, want)
			}
		}},
		{"a server's source joining a story edits only that server's messages", func(t *testing.T) {
			st := s.twoServers(t)
			_, id := complete(t, st, article("wire", "k1", "Wire report", t0), relevantDecision(at(time.Minute), "S.", topicGaza))
			sent(t, st, claim(t, st, at(time.Minute))...)
			join := relevantDecision(at(2*time.Minute), "S.", topicGaza)
			join.StoryID = id
			complete(t, st, article("guild:local", "k2", "Local report", t0), join)
			got := claim(t, st, at(time.Hour))
			if len(got) != 1 || got[0].ChannelID != "chan-g1" {
				t.Errorf("edits owed %+v, want only chan-g1's (chan-g2's server cannot see the joining report)", got)
			}
		}},
		{"a removed server source reaches no one", func(t *testing.T) {
			st, _ := s.fresh(t)
			addGuildFeed(t, st, guildFeed("g1", "https://local.example/feed", "guild:local"), 0)
			sub := realtime("chan-g1", topicGaza)
			sub.GuildID = "g1"
			subscribe(t, st, sub)
			it := record(t, st, article("guild:local", "k1", "Local report", t0))
			if _, err := st.RemoveGuildFeed(t.Context(), "g1", "https://local.example/feed"); err != nil {
				t.Fatal(err)
			}
			if err := st.CompleteItem(t.Context(), it.ID, relevantDecision(at(time.Minute), "S.", topicGaza)); err != nil {
				t.Fatal(err)
			}
			wantOwed(t, "after the feed was removed", claim(t, st, at(time.Hour)))
		}},
		{"outlets limit a subscription", func(t *testing.T) {
			st, _ := s.fresh(t)
			sub := realtime("chan-1", topicGaza)
			sub.Outlets = []string{"bbc"}
			got := subscribe(t, st, sub)
			if !slices.Equal(got.Outlets, []string{"bbc"}) {
				t.Errorf("Subscribe returned outlets %q, want [bbc]", got.Outlets)
			}
			complete(t, st, article("wire", "k1", "Wire report", t0), relevantDecision(at(time.Minute), "S.", topicGaza))
			wantOwed(t, "a story from another outlet", claim(t, st, at(time.Hour)))
			_, id := complete(t, st, article("bbc", "k2", "BBC report", t0), relevantDecision(at(2*time.Minute), "S.", topicGaza))
			wantOwed(t, "a story from bbc", claim(t, st, at(time.Hour)), fmt.Sprintf("chan-1/%s:story[%d]", topicGaza, id))
		}},
		{"a subscription's role comes with its story deliveries", func(t *testing.T) {
			st, _ := s.fresh(t)
			sub := realtime("chan-1", topicGaza)
			sub.MentionRole = "role-9"
			if got := subscribe(t, st, sub); got.MentionRole != "role-9" {
				t.Errorf("Subscribe returned role %q, want role-9", got.MentionRole)
			}
			newStory(t, st, "k1", at(time.Minute), topicGaza)
			d := one(t, "the story", claim(t, st, at(time.Hour)))
			if d.MentionRole != "role-9" {
				t.Errorf("delivery's MentionRole = %q, want role-9", d.MentionRole)
			}
			// Subscribing again updates the options.
			sub.MentionRole, sub.Outlets = "", []string{"wire"}
			got := subscribe(t, st, sub)
			if got.MentionRole != "" || !slices.Equal(got.Outlets, []string{"wire"}) {
				t.Errorf("re-subscribed = role %q outlets %q, want none and [wire]", got.MentionRole, got.Outlets)
			}
			if subs := subscriptions(t, st, store.SubscriptionFilter{ChannelID: "chan-1"}); len(subs) != 1 || subs[0].MentionRole != "" {
				t.Errorf("Subscriptions = %+v, want one without a role", subs)
			}
		}},
		{"topics are saved, replaced, listed per server and deleted", func(t *testing.T) {
			st, open := s.fresh(t)
			tp := store.GuildTopic{GuildID: "g1", Name: "water", Description: "Water rights",
				Include: []string{"dam", "river"}, Exclude: []string{"flood"}, Require: []string{"iran"}, CreatedBy: "u", Created: t0}
			if err := st.SaveGuildTopic(t.Context(), tp); err != nil {
				t.Fatal(err)
			}
			other := tp
			other.GuildID = "g2"
			if err := st.SaveGuildTopic(t.Context(), other); err != nil {
				t.Fatal(err)
			}
			tp.Include = []string{"dam"}
			if err := st.SaveGuildTopic(t.Context(), tp); err != nil {
				t.Fatal(err)
			}
			if err := st.Close(); err != nil {
				t.Fatal(err)
			}
			st = s.open(t, open)
			got, err := st.GuildTopics(t.Context(), "g1")
			if err != nil || len(got) != 1 {
				t.Fatalf("GuildTopics(g1) = %+v, %v; want one", got, err)
			}
			g := got[0]
			if g.Name != "water" || g.Description != "Water rights" || !slices.Equal(g.Include, []string{"dam"}) ||
				!slices.Equal(g.Exclude, []string{"flood"}) || !slices.Equal(g.Require, []string{"iran"}) || !s.sameTime(t0, g.Created) {
				t.Errorf("stored topic = %+v", g)
			}
			if ok, err := st.DeleteGuildTopic(t.Context(), "g1", "water"); !ok || err != nil {
				t.Errorf("DeleteGuildTopic = %v, %v; want true", ok, err)
			}
			if ok, err := st.DeleteGuildTopic(t.Context(), "g1", "water"); ok || err != nil {
				t.Errorf("deleting again = %v, %v; want false", ok, err)
			}
			if all, err := st.GuildTopics(t.Context(), ""); err != nil || len(all) != 1 || all[0].GuildID != "g2" {
				t.Errorf("GuildTopics(\"\") = %+v, %v; want g2's only", all, err)
			}
		}},
	}
}

// twoServers is a fresh store where servers g1 and g2 each have a channel
// (chan-g1, chan-g2) following topicGaza in real time, and g1 has its own
// feed, source guild:local.
func (s *suite) twoServers(t *testing.T) store.Store {
	t.Helper()
	st, _ := s.fresh(t)
	addGuildFeed(t, st, guildFeed("g1", "https://local.example/feed", "guild:local"), 0)
	for _, sub := range []store.Subscription{realtime("chan-g1", topicGaza), realtime("chan-g2", topicGaza)} {
		sub.GuildID = "g" + sub.ChannelID[len(sub.ChannelID)-1:]
		subscribe(t, st, sub)
	}
	return st
}
