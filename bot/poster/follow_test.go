package poster

import (
	"encoding/json"
	"testing"
	"time"
)

// replyRef is the message_reference of a create-message request body.
type replyRef struct {
	MessageID       string `json:"message_id"`
	ChannelID       string `json:"channel_id"`
	FailIfNotExists *bool  `json:"fail_if_not_exists"`
}

func TestFollowUpIsAReplyToTheEarlierStorysMessage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.subscribe(mainChannel, topicDiplomacy)
	p, _ := e.poster(nil, nil)
	first := e.story(storyOpts{source: "reuters", title: "Envoys meet in Muscat"})
	drain(t, p)
	original := e.waitMessages(mainChannel, 1)[0]

	// otherChannelID subscribes after the first story: it has no message
	// to reply to, so the follow-up reaches it as a plain message.
	e.subscribe(otherChannelID, topicDiplomacy)
	e.clock.Advance(30 * time.Hour)
	e.story(storyOpts{source: "ap", title: "Envoys agree a framework in Muscat", follows: first})
	drain(t, p)
	e.waitMessages(mainChannel, 2)
	e.waitMessages(otherChannelID, 1)

	tests := []struct {
		channel string
		want    *replyRef
	}{
		{mainChannel, &replyRef{MessageID: original.ID, ChannelID: mainChannel}},
		{otherChannelID, nil},
	}
	for _, tt := range tests {
		posts := e.posts(tt.channel)
		last := posts[len(posts)-1]
		var body struct {
			MessageReference *replyRef `json:"message_reference"`
		}
		if err := json.Unmarshal(last.Body, &body); err != nil {
			t.Fatal(err)
		}
		got := body.MessageReference
		switch {
		case tt.want == nil:
			if got != nil {
				t.Errorf("%s: follow-up sent with message_reference %+v, want none", tt.channel, *got)
			}
		case got == nil:
			t.Errorf("%s: follow-up sent without message_reference, want a reply to %s", tt.channel, tt.want.MessageID)
		default:
			if got.MessageID != tt.want.MessageID || got.ChannelID != tt.want.ChannelID {
				t.Errorf("%s: reply to message %s in %s, want %s in %s",
					tt.channel, got.MessageID, got.ChannelID, tt.want.MessageID, tt.want.ChannelID)
			}
			if got.FailIfNotExists == nil || *got.FailIfNotExists {
				t.Errorf("%s: fail_if_not_exists = %v, want false (a deleted original must not fail the post)", tt.channel, got.FailIfNotExists)
			}
		}
	}
	if n := len(e.posts(mainChannel)); n != 2 {
		t.Errorf("%d create-message requests to %s, want 2 (the original and the follow-up)", n, mainChannel)
	}
}
