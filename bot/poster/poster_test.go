package poster

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/discordtest"
	"github.com/briefbot/briefbot/pipeline"
	"github.com/briefbot/briefbot/store"
)

const (
	postRoute   = "POST /channels/{channel_id}/messages"
	mainChannel = discordtest.DefaultChannelID
)

// sentBody is the part of a create-message request the poster controls.
type sentBody struct {
	Nonce           string          `json:"nonce"`
	EnforceNonce    bool            `json:"enforce_nonce"`
	AllowedMentions json.RawMessage `json:"allowed_mentions"`
}

func body(t *testing.T, r discordtest.Request) sentBody {
	t.Helper()
	var b sentBody
	if err := json.Unmarshal(r.Body, &b); err != nil {
		t.Fatalf("request body %s: %v", r.Body, err)
	}
	return b
}

// parsesNothing checks allowed_mentions is {"parse": []} with no user or
// role allowed.
func parsesNothing(t *testing.T, raw json.RawMessage) {
	t.Helper()
	var am struct {
		Parse []string `json:"parse"`
		Users []string `json:"users"`
		Roles []string `json:"roles"`
	}
	if err := json.Unmarshal(raw, &am); err != nil || am.Parse == nil || len(am.Parse)+len(am.Users)+len(am.Roles) > 0 {
		t.Errorf("allowed_mentions = %s, want {\"parse\": []}", raw)
	}
}

func embedJSON(t *testing.T, e *discordgo.MessageEmbed) string {
	t.Helper()
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestStoryPostedOnceWithItsEmbed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.subscribe(mainChannel, topicDiplomacy)
	p, rec := e.poster(nil, func(o *Options) {
		o.OutletName = func(src string) string { return map[string]string{"reuters": "Reuters"}[src] }
	})
	stop := run(t, p)
	<-rec.claims // Run's first look at the outbox is done: only Wake can post now

	id := e.story(storyOpts{source: "reuters", title: "Envoys meet in Muscat", summary: "Iranian and US envoys met.",
		subtopics: []string{"iran-nuclear"}})
	if err := p.Sink().Publish(t.Context(), pipeline.Briefing{}); err != nil {
		t.Fatal(err)
	}
	msgs := e.waitMessages(mainChannel, 1)
	if err := stop(); err != nil {
		t.Fatal(err)
	}

	st, err := e.st.Story(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	want := bot.StoryEmbed(bot.Briefing{
		Title: "Envoys meet in Muscat", Link: "https://reuters.example/news/item-1", Summary: "Iranian and US envoys met.",
		Outlets:   []bot.OutletLink{{Name: "Reuters", Link: "https://reuters.example/news/item-1"}},
		Published: st.Published, Subtopics: []string{"iran-nuclear"}, Topic: topicDiplomacy,
	})
	if len(msgs) != 1 || len(msgs[0].Embeds) != 1 {
		t.Fatalf("channel holds %+v, want one message with one embed", msgs)
	}
	m := msgs[0]
	if got, want := embedJSON(t, m.Embeds[0]), embedJSON(t, want); got != want {
		t.Errorf("embed\n got %s\nwant %s", got, want)
	}
	parsesNothing(t, m.AllowedMentions)
	sent := rec.sentIDs()
	if len(sent) != 1 {
		t.Fatalf("recorded sent %v, want one delivery", sent)
	}
	for did, mid := range sent {
		if mid != m.ID {
			t.Errorf("delivery %d recorded as message %s, want %s", did, mid, m.ID)
		}
		if m.Nonce != nonce(did, 0) || !m.EnforceNonce {
			t.Errorf("message nonce %q (enforced %v), want %q enforced", m.Nonce, m.EnforceNonce, nonce(did, 0))
		}
	}
	if n := rec.posted.Load(); n != 1 {
		t.Errorf("Posted counted %d, want 1", n)
	}
	if due := e.due(e.st); len(due) != 0 {
		t.Errorf("deliveries still due after posting: %+v", due)
	}
}

func TestRateLimitedPostRetriedAfterRetryAfter(t *testing.T) {
	t.Parallel()
	const retryAfter = 300 * time.Millisecond
	e := newEnv(t)
	e.subscribe(mainChannel, topicDiplomacy)
	e.srv.Inject(postRoute, discordtest.Fault{Status: http.StatusTooManyRequests, RetryAfter: retryAfter})
	p, rec := e.poster(nil, nil)
	e.story(storyOpts{})
	stop := run(t, p)
	e.waitMessages(mainChannel, 1)
	if err := stop(); err != nil {
		t.Fatal(err)
	}

	posts := e.posts(mainChannel)
	if len(posts) != 2 || posts[0].Status != http.StatusTooManyRequests || posts[1].Status != http.StatusOK {
		t.Fatalf("posts = %v, want a 429 then a 200", statuses(posts))
	}
	if gap := posts[1].At.Sub(posts[0].At); gap < retryAfter {
		t.Errorf("retried %v after the 429, before its Retry-After of %v", gap, retryAfter)
	}
	if b0, b1 := body(t, posts[0]), body(t, posts[1]); b0.Nonce != b1.Nonce {
		t.Errorf("retry nonce %q, first %q: want the same", b1.Nonce, b0.Nonce)
	}
	if n := len(e.messages(mainChannel)); n != 1 {
		t.Errorf("%d messages, want 1", n)
	}
	if got := rec.causes(false); got[CauseRateLimit] != 1 {
		t.Errorf("retries %v, want one rate_limit", got)
	}
}

func TestGlobalRateLimitHoldsEveryChannel(t *testing.T) {
	t.Parallel()
	const retryAfter = 300 * time.Millisecond
	e := newEnv(t)
	e.subscribe(mainChannel, topicDiplomacy)
	e.story(storyOpts{})
	e.subscribe(otherChannelID, topicDiplomacy)
	e.story(storyOpts{})
	// The first post (main channel's oldest delivery) hits the global limit.
	e.srv.Inject(postRoute, discordtest.Fault{Status: http.StatusTooManyRequests, RetryAfter: retryAfter, Global: true})
	p, _ := e.poster(nil, func(o *Options) { o.Concurrency = 1 })
	stop := run(t, p)
	e.waitMessages(mainChannel, 2)
	e.waitMessages(otherChannelID, 1)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	all := e.srv.RequestsMatching(postRoute)
	if len(all) != 4 || all[0].Status != http.StatusTooManyRequests {
		t.Fatalf("posts = %v, want the global 429 then three messages", statuses(all))
	}
	for _, r := range all[1:] {
		if gap := r.At.Sub(all[0].At); gap < retryAfter {
			t.Errorf("%s posted %v after a global 429 with Retry-After %v", r.Path, gap, retryAfter)
		}
	}
}

func TestServerErrorAfterStoreRetriedWithSameNonce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.subscribe(mainChannel, topicDiplomacy)
	e.srv.FailAfterStore(postRoute, http.StatusBadGateway)
	p, rec := e.poster(nil, nil)
	e.story(storyOpts{})

	drain(t, p)
	if posts := e.posts(mainChannel); len(posts) != 1 || posts[0].Status != http.StatusBadGateway {
		t.Fatalf("after the first round posts = %v, want one 502 (discordgo must not retry by itself)", statuses(posts))
	}
	if len(rec.sentIDs()) != 0 {
		t.Fatalf("a delivery was recorded sent after a 502: %v", rec.sentIDs())
	}
	drain(t, p) // the backoff has not passed
	if n := len(e.posts(mainChannel)); n != 1 {
		t.Fatalf("%d posts before the backoff passed, want 1", n)
	}

	e.clock.Advance(backoffCap + time.Second)
	drain(t, p)
	posts := e.posts(mainChannel)
	if len(posts) != 2 || posts[1].Status != http.StatusOK {
		t.Fatalf("posts = %v, want the 502 then a 200", statuses(posts))
	}
	if b0, b1 := body(t, posts[0]), body(t, posts[1]); b0.Nonce != b1.Nonce || !b1.EnforceNonce {
		t.Errorf("retry nonce %q (enforced %v), first %q: want the same, enforced", b1.Nonce, b1.EnforceNonce, b0.Nonce)
	}
	msgs := e.messages(mainChannel)
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(msgs))
	}
	for _, mid := range rec.sentIDs() {
		if mid != msgs[0].ID {
			t.Errorf("recorded message %s, want the one Discord stored first, %s", mid, msgs[0].ID)
		}
	}
	if got := rec.causes(false); got[CauseServerError] != 1 {
		t.Errorf("retries %v, want one server_error", got)
	}
}

func TestCrashBetweenSendAndRecordPostsOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.subscribe(mainChannel, topicDiplomacy)
	e.story(storyOpts{})

	// The first instance posts, then dies before recording the message.
	ctx, crash := context.WithCancel(t.Context())
	p1, rec1 := e.poster(nil, nil)
	rec1.sentErr = func(int64) error { crash(); return errCrashed }
	if _, err := p1.drainOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(e.messages(mainChannel)); n != 1 {
		t.Fatalf("%d messages after the first instance, want 1", n)
	}

	// A restarted instance waits for the dead one's lease, then sends the
	// same nonce: Discord answers with the message it already has.
	p2, rec2 := e.poster(e.open(), nil)
	drain(t, p2)
	if n := len(e.posts(mainChannel)); n != 1 {
		t.Fatalf("%d posts while the dead instance's lease held, want 1", n)
	}
	e.clock.Advance(DefaultLease + time.Second)
	drain(t, p2)
	msgs := e.messages(mainChannel)
	if posts := e.posts(mainChannel); len(posts) != 2 {
		t.Fatalf("posts = %v, want the first and the resend", statuses(posts))
	}
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(msgs))
	}
	sent := rec2.sentIDs()
	if len(sent) != 1 {
		t.Fatalf("restarted instance recorded %v, want one delivery", sent)
	}
	for _, mid := range sent {
		if mid != msgs[0].ID {
			t.Errorf("recorded message %s, want %s", mid, msgs[0].ID)
		}
	}
}

func TestClaimAbandonedBeforeSendingPostsOnceAfterLease(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.subscribe(mainChannel, topicDiplomacy)
	e.story(storyOpts{})
	// An instance claims and dies before sending anything.
	if ds, err := e.st.ClaimDeliveries(t.Context(), "dead", e.clock.Now(), DefaultLease, 10); err != nil || len(ds) != 1 {
		t.Fatalf("claim: %d, %v", len(ds), err)
	}
	p, _ := e.poster(e.open(), nil)
	drain(t, p)
	if n := len(e.posts(mainChannel)); n != 0 {
		t.Fatalf("%d posts while the claim held, want 0", n)
	}
	e.clock.Advance(DefaultLease + time.Second)
	drain(t, p)
	drain(t, p)
	if n := len(e.messages(mainChannel)); n != 1 {
		t.Errorf("%d messages, want 1", n)
	}
}

func TestPermanentErrorPausesOnlyThatChannel(t *testing.T) {
	t.Parallel()
	tests := []struct {
		fault      discordtest.Fault
		cause      string
		wantReason string
	}{
		{discordtest.UnknownChannel, CauseUnknownChannel, "(Unknown Channel)"},
		{discordtest.MissingAccess, CauseMissingAccess, "the bot cannot see this channel (Missing Access)"},
		{discordtest.MissingPermissions, CauseMissingPerms, "(Missing Permissions)"},
	}
	for _, tt := range tests {
		t.Run(tt.fault.Message, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.subscribe(mainChannel, topicDiplomacy)
			e.subscribe(otherChannelID, topicDiplomacy)
			e.srv.Inject("POST /channels/"+otherChannelID+"/messages", tt.fault.Always())
			p, rec := e.poster(nil, nil)
			e.story(storyOpts{})
			drain(t, p)

			if n := len(e.messages(mainChannel)); n != 1 {
				t.Errorf("healthy channel has %d messages, want 1", n)
			}
			subs, err := e.st.Subscriptions(t.Context(), store.SubscriptionFilter{})
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range subs {
				switch s.ChannelID {
				case otherChannelID:
					if !s.Paused || !strings.Contains(s.PausedReason, tt.wantReason) {
						t.Errorf("failing channel's subscription paused=%v reason %q, want paused with %q", s.Paused, s.PausedReason, tt.wantReason)
					}
				default:
					if s.Paused {
						t.Errorf("healthy channel's subscription paused: %q", s.PausedReason)
					}
				}
			}
			if got := rec.causes(true); got[tt.cause] != 1 {
				t.Errorf("failures %v, want one %s", got, tt.cause)
			}

			// Later stories reach the healthy channel; the paused one is not tried.
			e.story(storyOpts{})
			e.clock.Advance(time.Hour)
			drain(t, p)
			if n := len(e.messages(mainChannel)); n != 2 {
				t.Errorf("healthy channel has %d messages after a second story, want 2", n)
			}
			if n := len(e.posts(otherChannelID)); n != 1 {
				t.Errorf("paused channel got %d post attempts, want only the first", n)
			}
		})
	}
}

func TestMentionsInHeadlinePingNoOne(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.subscribe(mainChannel, topicDiplomacy)
	e.story(storyOpts{title: "@everyone @here <@900000000000000300> <@&900000000000000400> talks collapse",
		summary: "@everyone read this <@900000000000000300>"})
	p, _ := e.poster(nil, nil)
	drain(t, p)
	msgs := e.messages(mainChannel)
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(msgs))
	}
	m := msgs[0]
	if m.Pinged() {
		t.Errorf("message pinged everyone=%v users=%v roles=%v", m.MentionEveryone, m.MentionUsers, m.MentionRoles)
	}
	parsesNothing(t, m.AllowedMentions)
	parsesNothing(t, body(t, e.posts(mainChannel)[0]).AllowedMentions)
	if strings.Contains(m.Embeds[0].Title, "@everyone") {
		t.Errorf("title %q shows a live @everyone", m.Embeds[0].Title)
	}
}

func TestRestartDoesNotRepost(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.subscribe(mainChannel, topicDiplomacy)
	e.story(storyOpts{})
	e.story(storyOpts{})
	p, _ := e.poster(nil, nil)
	drain(t, p)
	if n := len(e.messages(mainChannel)); n != 2 {
		t.Fatalf("%d messages, want 2", n)
	}

	p2, rec2 := e.poster(e.open(), nil)
	stop := run(t, p2)
	<-rec2.claims
	e.clock.Advance(24 * time.Hour)
	p2.Wake()
	<-rec2.claims
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if n := len(e.posts(mainChannel)); n != 2 {
		t.Errorf("%d posts after a restart, want the 2 from before", n)
	}
}

func TestInvalidMessageFallsBackToTitleAndLink(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.subscribe(mainChannel, topicDiplomacy)
	invalid := discordtest.Fault{Status: http.StatusBadRequest, Code: 50035, Message: "Invalid Form Body"}
	e.srv.Inject(postRoute, invalid)
	e.story(storyOpts{title: "Talks resume", summary: "A summary Discord will not take this once."})
	p, rec := e.poster(nil, nil)
	drain(t, p)
	msgs := e.messages(mainChannel)
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want the plain version", len(msgs))
	}
	if em := msgs[0].Embeds[0]; em.Title != "Talks resume" || em.Description != "" || em.URL == "" {
		t.Errorf("fallback embed = %+v, want only the title and link", em)
	}
	if len(rec.sentIDs()) != 1 {
		t.Errorf("recorded %v, want the delivery sent", rec.sentIDs())
	}

	// When the plain version is refused too, the delivery fails.
	e.srv.Inject(postRoute, invalid.Always())
	e.story(storyOpts{})
	drain(t, p)
	if got := rec.causes(true); got[CauseRejected] != 1 {
		t.Errorf("failures %v, want one rejected", got)
	}
	// A message Discord will not take says nothing about the channel.
	subs, err := e.st.Subscriptions(t.Context(), store.SubscriptionFilter{ChannelID: mainChannel})
	if err != nil {
		t.Fatal(err)
	}
	if len(subs) != 1 || subs[0].Paused {
		t.Errorf("subscription = %+v, want it still active after one rejected message", subs)
	}
}

func TestTransientErrorsGiveUpOnlyWhileDiscordWorks(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.subscribe(mainChannel, topicDiplomacy)
	e.subscribe(otherChannelID, topicDiplomacy)
	e.srv.Inject("POST /channels/"+otherChannelID+"/messages", discordtest.Fault{Status: http.StatusInternalServerError}.Always())
	p, rec := e.poster(nil, func(o *Options) { o.MaxAttempts = 3 })
	e.story(storyOpts{})
	for range 3 {
		drain(t, p)
		e.clock.Advance(backoffCap + time.Second)
	}
	subs, err := e.st.Subscriptions(t.Context(), store.SubscriptionFilter{ChannelID: otherChannelID})
	if err != nil {
		t.Fatal(err)
	}
	// Giving up drops the one delivery; the channel itself is fine.
	if len(subs) != 1 || subs[0].Paused {
		t.Errorf("failing channel's subscription = %+v, want it still active", subs)
	}
	if got := rec.causes(true); got[CauseGaveUp] != 1 {
		t.Errorf("failures %v, want one attempts_exhausted", got)
	}
	// The dropped delivery is never tried again.
	before := len(e.srv.RequestsMatching("POST /channels/" + otherChannelID + "/messages"))
	e.clock.Advance(backoffCap + time.Second)
	drain(t, p)
	if after := len(e.srv.RequestsMatching("POST /channels/" + otherChannelID + "/messages")); after != before {
		t.Errorf("a dropped delivery was sent again (%d requests, then %d)", before, after)
	}
}

func TestOutageDoesNotGiveUp(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.subscribe(mainChannel, topicDiplomacy)
	e.srv.Inject(postRoute, discordtest.Fault{Status: http.StatusServiceUnavailable}.Always())
	p, rec := e.poster(nil, func(o *Options) { o.MaxAttempts = 2 })
	e.story(storyOpts{})
	for range 5 {
		drain(t, p)
		e.clock.Advance(backoffCap + time.Second)
	}
	if n := len(e.posts(mainChannel)); n != 5 {
		t.Errorf("%d attempts, want 5", n)
	}
	if got := rec.causes(true); len(got) != 0 {
		t.Errorf("gave up during an outage: %v", got)
	}
	if due := e.due(e.st); len(due) != 1 || due[0].Attempts < 5 {
		t.Errorf("due = %+v, want the delivery still pending", due)
	}
}

func TestUnauthorizedStopsRun(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.subscribe(mainChannel, topicDiplomacy)
	e.srv.Inject(postRoute, discordtest.Fault{Status: http.StatusUnauthorized, Message: "401: Unauthorized"})
	e.story(storyOpts{})
	p, _ := e.poster(nil, nil)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	if err := p.Run(ctx); !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("Run = %v, want ErrUnauthorized", err)
	}
	subs, err := e.st.Subscriptions(t.Context(), store.SubscriptionFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if subs[0].Paused {
		t.Errorf("a bad token paused channel %s: %q", subs[0].ChannelID, subs[0].PausedReason)
	}
	if due := e.due(e.st); len(due) != 1 {
		t.Errorf("due = %+v, want the delivery kept", due)
	}
}

func statuses(rs []discordtest.Request) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = strconv.Itoa(r.Status) + " " + r.Path
	}
	return out
}

func TestShutdownFinishesSendInFlightAndReleasesTheRest(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.subscribe(mainChannel, topicDiplomacy)
	for range 3 {
		e.story(storyOpts{})
	}
	p, rec := e.poster(nil, nil)
	stop := run(t, p)
	// Stop as soon as Discord has answered the first post, whatever the
	// poster is doing at that moment.
	if err := e.srv.WaitFor(t.Context(), func() bool { return len(e.posts(mainChannel)) > 0 }); err != nil {
		t.Fatal(err)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}

	msgs := e.messages(mainChannel)
	sent := rec.sentIDs()
	if len(sent) != len(msgs) {
		t.Fatalf("%d messages posted but %d recorded sent: %v", len(msgs), len(sent), sent)
	}
	for _, m := range msgs {
		found := false
		for _, id := range sent {
			found = found || id == m.ID
		}
		if !found {
			t.Errorf("message %s posted but not recorded", m.ID)
		}
	}
	// What was not sent is released, not left to a lease: another instance
	// takes it at once.
	left, err := e.st.ClaimDeliveries(t.Context(), "next", e.clock.Now(), time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(left)+len(msgs) != 3 {
		t.Errorf("%d posted and %d claimable right after shutdown, want 3 in all", len(msgs), len(left))
	}
}
