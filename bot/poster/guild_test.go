package poster

import (
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/store"
)

// A server's own feed joining a story other servers have does not show up
// in their message: SourceVisible hides it from them.
func TestEditsHideOtherServersOwnFeeds(t *testing.T) {
	t.Parallel()
	e, p, hidden := hidingEnv(t)
	id := e.story(storyOpts{source: "reuters", title: "Envoys meet in Muscat"})
	drain(t, p)
	e.waitMessages(mainChannel, 1)
	e.story(storyOpts{source: hidden, title: "Envoys meet in Oman", join: id})
	e.story(storyOpts{source: "bbc", title: "Envoys meet in Oman again", join: id})
	drain(t, p)
	msgs := e.messages(mainChannel)
	if len(msgs) != 1 || msgs[0].Edits == 0 {
		t.Fatalf("messages %+v; want the one message, edited", msgs)
	}
	text := embedJSON(t, msgs[0].Embeds[0])
	if strings.Contains(text, "elsewhere") {
		t.Errorf("the message shows another server's own feed:\n%s", text)
	}
	if !strings.Contains(text, "bbc") || !strings.Contains(text, "reuters") {
		t.Errorf("the message lost the visible outlet that joined:\n%s", text)
	}
}

// A story first reported by another server's own feed reaches this
// server when an outlet it sees joins; the message is headed by that
// outlet's report, not the hidden feed's headline, link or summary.
func TestHiddenHeadGivesWayToVisibleReport(t *testing.T) {
	t.Parallel()
	e, p, hidden := hidingEnv(t)
	id := e.story(storyOpts{source: hidden, title: "Secret headline from a private feed", summary: "Secret summary."})
	e.story(storyOpts{source: "reuters", title: "Envoys meet in Muscat", join: id})
	drain(t, p)
	msgs := e.messages(mainChannel)
	if len(msgs) != 1 {
		t.Fatalf("messages %+v; want one", msgs)
	}
	text := embedJSON(t, msgs[0].Embeds[0])
	if strings.Contains(text, "Secret") || strings.Contains(text, "elsewhere") {
		t.Errorf("the message shows another server's own feed:\n%s", text)
	}
	if !strings.Contains(text, "Envoys meet in Muscat") {
		t.Errorf("the message is not headed by the visible report:\n%s", text)
	}
}

// hidingEnv is an env whose main channel follows diplomacy and a poster
// that hides every server's own feed, with such a feed's source name.
func hidingEnv(t *testing.T) (*env, *Poster, string) {
	t.Helper()
	e := newEnv(t)
	e.subscribe(mainChannel, topicDiplomacy)
	p, _ := e.poster(nil, func(o *Options) {
		o.SourceVisible = func(_, src string) bool { return !strings.HasPrefix(src, store.GuildSourcePrefix) }
	})
	return e, p, store.GuildSourcePrefix + "elsewhere"
}

// A digest lists only stories an outlet its server may see carried, and
// shows one that another server's own feed headed by the visible report.
func TestDigestsHideOtherServersOwnFeeds(t *testing.T) {
	t.Parallel()
	e, _, slot := digestEnv(t)
	hidden := store.GuildSourcePrefix + "elsewhere"
	visible := func(_, src string) bool { return !strings.HasPrefix(src, store.GuildSourcePrefix) }
	e.story(storyOpts{source: hidden, title: "Secret story only a private feed carried", summary: "Secret summary.", seen: slot.Add(-3 * time.Hour)})
	shared := e.story(storyOpts{source: hidden, title: "Secret headline of a shared story", summary: "Secret summary.", seen: slot.Add(-2 * time.Hour)})
	e.story(storyOpts{source: "reuters", title: "Envoys meet in Muscat", seen: slot.Add(-110 * time.Minute), join: shared})
	plain := e.story(storyOpts{title: "Talks resume in Oman", seen: slot.Add(-time.Hour)})

	g := e.digester(e.st, &testClock{}, func(o *DigesterOptions) { o.SourceVisible = visible })
	if n, err := g.EnqueueDue(t.Context()); n != 1 || err != nil {
		t.Fatalf("EnqueueDue = %d, %v; want one digest", n, err)
	}
	p, _ := e.poster(nil, func(o *Options) { o.SourceVisible = visible })
	drain(t, p)
	msgs := e.messages(mainChannel)
	if len(msgs) != 1 {
		t.Fatalf("messages %+v; want one digest", msgs)
	}
	text := embedJSON(t, msgs[0].Embeds[0])
	if strings.Contains(text, "Secret") || strings.Contains(text, "elsewhere") {
		t.Errorf("the digest shows another server's own feed:\n%s", text)
	}
	for _, want := range []string{"Envoys meet in Muscat", "Talks resume in Oman"} {
		if !strings.Contains(text, want) {
			t.Errorf("the digest misses %q (stories %d and %d):\n%s", want, shared, plain, text)
		}
	}
}
