package poster

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/discordtest"
	"github.com/briefbot/briefbot/store"
)

const editRoute = "PATCH /channels/{channel_id}/messages/{message_id}"

// wantStoryEmbed checks the message's embed is the story as stored now, with
// every outlet.
func (e *env) wantStoryEmbed(m discordtest.Message, id int64, outlets int) {
	e.t.Helper()
	st, err := e.st.Story(e.t.Context(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	if len(st.Sources) != outlets {
		e.t.Fatalf("story %d has %d sources, want %d", id, len(st.Sources), outlets)
	}
	b := bot.Briefing{Title: st.Headline, Link: st.Link, Summary: st.Summary,
		Subtopics: st.Subtopics, Topic: topicDiplomacy}
	// The first report's time and, once joined, when the story changed.
	b.Published, b.Updated = bot.StoryTimes(st)
	if outlets > 1 && !strings.Contains(embedJSON(e.t, bot.StoryEmbed(b)), "updated") {
		e.t.Errorf("story %d with %d outlets renders no \"updated\" line", id, outlets)
	}
	for _, src := range st.Sources {
		b.Outlets = append(b.Outlets, bot.OutletLink{Name: src.Source, Link: src.Link})
	}
	if len(m.Embeds) != 1 {
		e.t.Fatalf("message %s has %d embeds, want 1", m.ID, len(m.Embeds))
	}
	if got, want := embedJSON(e.t, m.Embeds[0]), embedJSON(e.t, bot.StoryEmbed(b)); got != want {
		e.t.Errorf("message %s embed\n got %s\nwant %s", m.ID, got, want)
	}
}

func TestJoinEditsTheMessageInsteadOfPosting(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.subscribe(mainChannel, topicDiplomacy)
	p, rec := e.poster(nil, nil)
	id := e.story(storyOpts{source: "reuters", title: "Envoys meet in Muscat"})
	drain(t, p)
	first := e.waitMessages(mainChannel, 1)[0]

	for i, src := range []string{"ap", "bbc"} {
		e.story(storyOpts{source: src, title: "Envoys meet in Oman", join: id})
		drain(t, p)
		msgs := e.messages(mainChannel)
		if len(msgs) != 1 || msgs[0].ID != first.ID || msgs[0].Edits != i+1 {
			t.Fatalf("after %s joined: %d messages (first %s edited %d times); want message %s edited %d times",
				src, len(msgs), msgs[0].ID, msgs[0].Edits, first.ID, i+1)
		}
		e.wantStoryEmbed(msgs[0], id, i+2)
	}
	if n := len(e.posts(mainChannel)); n != 1 {
		t.Errorf("%d create-message requests, want 1", n)
	}
	edits := e.srv.RequestsMatching(editRoute)
	if len(edits) != 2 {
		t.Fatalf("%d edit requests, want 2", len(edits))
	}
	for _, r := range edits {
		var b struct {
			AllowedMentions json.RawMessage `json:"allowed_mentions"`
		}
		if err := json.Unmarshal(r.Body, &b); err != nil {
			t.Fatal(err)
		}
		parsesNothing(t, b.AllowedMentions)
	}
	if n := rec.posted.Load(); n != 3 {
		t.Errorf("Posted counted %d, want 3 (a post and two edits)", n)
	}
	if due := e.due(e.st); len(due) != 0 {
		t.Errorf("deliveries still due after the edits: %+v", due)
	}
}

func TestEditOfADeletedMessagePostsItAgain(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.subscribe(mainChannel, topicDiplomacy)
	p, _ := e.poster(nil, nil)
	id := e.story(storyOpts{source: "reuters"})
	drain(t, p)
	old := e.waitMessages(mainChannel, 1)[0]
	if err := e.dg.ChannelMessageDelete(mainChannel, old.ID); err != nil {
		t.Fatal(err)
	}

	e.story(storyOpts{source: "ap", join: id})
	drain(t, p)
	msgs := e.waitMessages(mainChannel, 1)
	if len(msgs) != 1 || msgs[0].ID == old.ID {
		t.Fatalf("channel holds %d messages (first %s); want one new message replacing %s", len(msgs), msgs[0].ID, old.ID)
	}
	e.wantStoryEmbed(msgs[0], id, 2)
	if n := e.srv.RequestsMatching(editRoute); len(n) != 1 || n[0].Status != http.StatusNotFound {
		t.Errorf("edit requests %v, want one answered 404", statuses(n))
	}
	if b := body(t, e.posts(mainChannel)[1]); b.Nonce == body(t, e.posts(mainChannel)[0]).Nonce || !b.EnforceNonce {
		t.Errorf("repost nonce %q (enforced %v); want a nonce of its own, enforced", b.Nonce, b.EnforceNonce)
	}

	// The new message is the one later joins edit.
	e.story(storyOpts{source: "bbc", join: id})
	drain(t, p)
	msgs = e.messages(mainChannel)
	if len(msgs) != 1 || msgs[0].Edits != 1 {
		t.Fatalf("after another join: %+v; want the reposted message edited once", msgs)
	}
	e.wantStoryEmbed(msgs[0], id, 3)
}

func TestFailedEditIsRetriedThenDroppedWithoutReposting(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.subscribe(mainChannel, topicDiplomacy)
	p, rec := e.poster(nil, nil)
	id := e.story(storyOpts{source: "reuters"})
	drain(t, p)
	e.waitMessages(mainChannel, 1)

	e.srv.Inject(editRoute, discordtest.Fault{Status: http.StatusBadGateway})
	e.story(storyOpts{source: "ap", join: id})
	drain(t, p)
	if got := rec.causes(false); got[CauseServerError] != 1 {
		t.Errorf("retries %v, want one server_error", got)
	}
	due := e.due(e.st)
	if len(due) != 1 || due[0].Kind != store.DeliverEdit {
		t.Fatalf("due after a failed edit: %+v; want the edit", due)
	}
	e.clock.Advance(backoffCap)
	drain(t, p)
	if msgs := e.messages(mainChannel); len(msgs) != 1 || msgs[0].Edits != 1 {
		t.Fatalf("after the retry: %+v; want one message edited once", msgs)
	}

	// An edit Discord refuses is given up; the channel keeps its message
	// and is not paused.
	e.srv.Inject(editRoute, discordtest.Fault{Status: http.StatusBadRequest, Code: 50035, Message: "Invalid Form Body"}.Always())
	e.story(storyOpts{source: "bbc", join: id})
	drain(t, p)
	if due := e.due(e.st); len(due) != 0 {
		t.Errorf("due after a refused edit: %+v; want none", due)
	}
	if n := len(e.posts(mainChannel)); n != 1 {
		t.Errorf("%d create-message requests, want 1: a refused edit never reposts", n)
	}
	subs, err := e.st.Subscriptions(t.Context(), store.SubscriptionFilter{ChannelID: mainChannel})
	if err != nil || len(subs) != 1 || subs[0].Paused {
		t.Errorf("subscriptions %+v, %v; want one, not paused", subs, err)
	}
}
