package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/config"
	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/store/sqlite"
)

// A URL several servers add is one feed to poll, beside the config's.
func TestLiveFeedsPollAURLOnce(t *testing.T) {
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "bb.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now()
	for _, f := range []store.GuildFeed{
		{GuildID: "g1", URL: "https://a.example/feed", Source: "guild:a1", Outlet: "A", Added: now},
		{GuildID: "g2", URL: "https://a.example/feed", Source: "guild:a2", Outlet: "A too", Added: now.Add(time.Second)},
		{GuildID: "g2", URL: "https://b.example/feed", Source: "guild:b", Outlet: "B", Added: now},
	} {
		if _, err := st.AddGuildFeed(t.Context(), f, 0); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := config.Parse([]byte("sources:\n  - name: wire\n    url: https://wire.example/feed\n"), "test.yaml", func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	l := &live{st: st}
	feeds, _, err := l.build(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range feeds {
		names = append(names, f.Name+"="+f.URL)
		// No interval of their own: the adaptive schedule decides, with
		// polling.interval as its default.
		if f.Interval != 0 {
			t.Errorf("feed %s interval %v, want 0 (adaptive)", f.Name, f.Interval)
		}
	}
	want := "wire=https://wire.example/feed guild:a1=https://a.example/feed guild:b=https://b.example/feed"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("feeds %s\nwant %s", got, want)
	}
}
