package bot

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/store"
)

func TestVisibleStory(t *testing.T) {
	t.Parallel()
	private := store.GuildSourcePrefix + "other-server"
	t0 := time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)
	reuters := store.StorySource{ItemID: 1, Source: "reuters", Title: "Envoys meet in Muscat", Link: "https://reuters.example/a", Published: t0.Add(2 * time.Hour)}
	bbc := store.StorySource{ItemID: 2, Source: "bbc", Title: "Envoys meet in Oman", Link: "https://bbc.example/b", Published: t0.Add(time.Hour)}
	own := store.StorySource{ItemID: 3, Source: private, Title: "Private feed's headline", Link: "https://private.example/c", Published: t0}
	story := func(head store.StorySource, srcs ...store.StorySource) store.Story {
		return store.Story{ID: 9, Headline: head.Title, Link: head.Link, Summary: "Summary of " + head.Title, Published: head.Published, Sources: srcs}
	}
	shown := func(src string) bool { return !strings.HasPrefix(src, store.GuildSourcePrefix) }
	tests := []struct {
		name string
		in   store.Story
		want store.Story
		ok   bool
	}{
		{"all visible", story(reuters, reuters, bbc), story(reuters, reuters, bbc), true},
		{"hidden non-head source dropped", story(reuters, reuters, own, bbc), story(reuters, reuters, bbc), true},
		{"hidden head gives way to the earliest visible, without its summary",
			story(own, own, bbc, reuters),
			store.Story{ID: 9, Headline: bbc.Title, Link: bbc.Link, Published: bbc.Published, Sources: []store.StorySource{bbc, reuters}}, true},
		{"a visible source sharing the head's link keeps the head",
			story(own, own, store.StorySource{ItemID: 4, Source: "wire", Title: "Wire copy", Link: own.Link}),
			store.Story{ID: 9, Headline: own.Title, Link: own.Link, Summary: "Summary of " + own.Title, Published: own.Published,
				Sources: []store.StorySource{{ItemID: 4, Source: "wire", Title: "Wire copy", Link: own.Link}}}, true},
		{"nothing visible: unchanged, not ok", story(own, own), story(own, own), false},
		{"no sources recorded", story(reuters), story(reuters), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := VisibleStory(tt.in, shown)
			if ok != tt.ok || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("VisibleStory = %+v, %v; want %+v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}
