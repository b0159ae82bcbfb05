package discordtest_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot/bot/discordtest"
)

var testCommands = []*discordgo.ApplicationCommand{
	{Name: "latest", Description: "Newest stories", Options: []*discordgo.ApplicationCommandOption{
		{Type: discordgo.ApplicationCommandOptionString, Name: "topic", Description: "Topic", Autocomplete: true},
		{Type: discordgo.ApplicationCommandOptionInteger, Name: "count", Description: "How many"},
	}},
	{Name: "subscribe", Description: "Subscribe this channel", Options: []*discordgo.ApplicationCommandOption{
		{Type: discordgo.ApplicationCommandOptionString, Name: "topic", Description: "Topic", Required: true},
	}},
}

func TestApplicationCommands(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	s := srv.Session(t, "")

	for _, guild := range []string{"", discordtest.DefaultGuildID} {
		first, err := s.ApplicationCommandBulkOverwrite(discordtest.AppID, guild, testCommands)
		if err != nil {
			t.Fatalf("bulk overwrite (guild %q): %v", guild, err)
		}
		if len(first) != 2 || first[0].ID == "" || first[0].GuildID != guild || first[0].ApplicationID != discordtest.AppID {
			t.Fatalf("registered = %+v, want two commands with IDs in scope %q", first, guild)
		}
		// Overwriting again keeps the IDs of commands that still exist.
		again, err := s.ApplicationCommandBulkOverwrite(discordtest.AppID, guild, testCommands[:1])
		if err != nil {
			t.Fatal(err)
		}
		if len(again) != 1 || again[0].ID != first[0].ID {
			t.Fatalf("re-registered = %+v, want /latest with ID %s", again, first[0].ID)
		}
		listed, err := s.ApplicationCommands(discordtest.AppID, guild)
		if err != nil || len(listed) != 1 || listed[0].Name != "latest" {
			t.Fatalf("ApplicationCommands = %+v, %v; want only /latest", listed, err)
		}
	}
	created, err := s.ApplicationCommandCreate(discordtest.AppID, "", testCommands[1])
	if err != nil || created.ID == "" {
		t.Fatalf("create: %+v, %v", created, err)
	}
	if got := len(srv.Commands()); got != 3 {
		t.Fatalf("srv.Commands() has %d commands, want 2 global + 1 guild", got)
	}
	if err := s.ApplicationCommandDelete(discordtest.AppID, "", created.ID); err != nil {
		t.Fatal(err)
	}
	if in := srv.CommandInteraction("latest"); in.ApplicationCommandData().ID == "" {
		t.Error("CommandInteraction did not pick up the registered command ID")
	}
}

func TestApplicationCommandValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cmd  *discordgo.ApplicationCommand
		want string
	}{
		{"upper case name", &discordgo.ApplicationCommand{Name: "Latest", Description: "d"}, "APPLICATION_COMMAND_INVALID_NAME"},
		{"space in name", &discordgo.ApplicationCommand{Name: "two words", Description: "d"}, "APPLICATION_COMMAND_INVALID_NAME"},
		{"no description", &discordgo.ApplicationCommand{Name: "latest"}, "BASE_TYPE_BAD_LENGTH"},
		{"required after optional", &discordgo.ApplicationCommand{Name: "x", Description: "d", Options: []*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionString, Name: "a", Description: "a"},
			{Type: discordgo.ApplicationCommandOptionString, Name: "b", Description: "b", Required: true},
		}}, "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID"},
	}
	srv := discordtest.New(t)
	s := srv.Session(t, "")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.ApplicationCommandBulkOverwrite(discordtest.AppID, "", []*discordgo.ApplicationCommand{tt.cmd})
			rerr := restError(t, err)
			if rerr.Message == nil || rerr.Message.Code != 50035 || !strings.Contains(string(rerr.ResponseBody), tt.want) {
				t.Fatalf("error = %v, want Invalid Form Body %s", err, tt.want)
			}
		})
	}
	if _, err := s.ApplicationCommandBulkOverwrite("1234", "", testCommands); err == nil {
		t.Error("registering commands for another application succeeded")
	}
	if _, err := s.ApplicationCommandBulkOverwrite(discordtest.AppID, "42", testCommands); err == nil {
		t.Error("registering commands in a guild the bot is not in succeeded")
	}
}

func TestInteractionRespond(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	s := open(t, srv, nil)
	respErr := make(chan error, 1)
	s.AddHandler(func(s *discordgo.Session, i *discordgo.InteractionCreate) {
		topic := i.ApplicationCommandData().GetOption("topic").StringValue()
		respErr <- s.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{
				Content:         "stories about " + topic,
				Flags:           discordgo.MessageFlagsEphemeral,
				AllowedMentions: noMentions,
			},
		})
	})
	in, err := srv.DispatchInteraction(srv.CommandInteraction("latest", discordtest.CommandOption("topic", "iran")))
	if err != nil {
		t.Fatal(err)
	}
	rec, err := srv.WaitInteractionResponse(ctx(t), in.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-respErr; err != nil {
		t.Fatalf("InteractionRespond: %v", err)
	}
	cb := rec.Callbacks[0]
	if cb.Type != discordgo.InteractionResponseChannelMessageWithSource || cb.Content != "stories about iran" || !cb.Ephemeral() {
		t.Errorf("callback = %+v, want an ephemeral message about iran", cb)
	}
	if rec.Original == nil || rec.Original.Content != "stories about iran" || rec.Original.InteractionID != in.ID {
		t.Errorf("original = %+v, want the response message", rec.Original)
	}
	if got := srv.InteractionResponses(); len(got) != 1 || got[0].InteractionID != in.ID {
		t.Errorf("InteractionResponses = %+v, want the one callback", got)
	}
	if n := len(srv.Messages(discordtest.DefaultChannelID)); n != 0 {
		t.Errorf("interaction response counted as %d channel messages, want 0", n)
	}

	// Discord takes one callback per interaction.
	err = s.InteractionRespond(in, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource})
	if rerr := restError(t, err); rerr.Message == nil || rerr.Message.Code != 40060 {
		t.Fatalf("second callback: %v, want 40060 already acknowledged", err)
	}
}

func TestInteractionDeferEditFollowup(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	s := open(t, srv, nil)
	done := make(chan error, 1)
	s.AddHandler(func(s *discordgo.Session, i *discordgo.InteractionCreate) {
		done <- func() error {
			if err := s.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource}); err != nil {
				return err
			}
			embeds := []*discordgo.MessageEmbed{{Title: "Story"}}
			if _, err := s.InteractionResponseEdit(i.Interaction, &discordgo.WebhookEdit{Embeds: &embeds, AllowedMentions: noMentions}); err != nil {
				return err
			}
			_, err := s.FollowupMessageCreate(i.Interaction, true, &discordgo.WebhookParams{Content: "more", AllowedMentions: noMentions})
			return err
		}()
	})
	in, err := srv.DispatchInteraction(srv.CommandInteraction("latest"))
	if err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	rec, _ := srv.Interaction(in.ID)
	if rec.Original == nil || rec.Original.Flags&discordgo.MessageFlagsLoading != 0 || len(rec.Original.Embeds) != 1 || rec.Original.Edits != 1 {
		t.Errorf("original = %+v, want the edited story embed, no longer loading", rec.Original)
	}
	if len(rec.Followups) != 1 || rec.Followups[0].Content != "more" {
		t.Errorf("followups = %+v, want one", rec.Followups)
	}
}

func TestInteractionDeadlineAndRedelivery(t *testing.T) {
	t.Parallel()
	c := &clock{t: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)}
	srv := discordtest.New(t, discordtest.WithClock(c.now))
	s := open(t, srv, nil)
	got := make(chan *discordgo.Interaction, 2)
	s.AddHandler(func(_ *discordgo.Session, i *discordgo.InteractionCreate) { got <- i.Interaction })

	in, err := srv.DispatchInteraction(srv.CommandInteraction("latest"))
	if err != nil {
		t.Fatal(err)
	}
	<-got
	// The same interaction delivered again reaches the handler again...
	if _, err := srv.DispatchInteraction(in); err != nil {
		t.Fatal(err)
	}
	<-got
	// ...and answering later than Discord's 3 seconds fails.
	c.advance(discordtest.DefaultInteractionDeadline + time.Millisecond)
	err = s.InteractionRespond(in, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource})
	if rerr := restError(t, err); rerr.Response.StatusCode != http.StatusNotFound || rerr.Message == nil || rerr.Message.Code != 10062 {
		t.Fatalf("late callback: %v, want 404 Unknown interaction", err)
	}
	if _, err := s.InteractionResponseEdit(in, &discordgo.WebhookEdit{}); err == nil {
		t.Fatal("editing @original of an unacknowledged interaction succeeded")
	}
}

func TestAutocompleteAndFixture(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	s := open(t, srv, nil)
	seen := make(chan *discordgo.Interaction, 1)
	s.AddHandler(func(s *discordgo.Session, i *discordgo.InteractionCreate) {
		seen <- i.Interaction
		_ = s.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{
			Type: discordgo.InteractionApplicationCommandAutocompleteResult,
			Data: &discordgo.InteractionResponseData{Choices: []*discordgo.ApplicationCommandOptionChoice{{Name: "Iran & Middle East diplomacy", Value: "iran"}}},
		})
	})
	raw, err := os.ReadFile(filepath.Join("testdata", "autocomplete_topic.json"))
	if err != nil {
		t.Fatal(err)
	}
	in, err := srv.DispatchInteractionJSON(raw)
	if err != nil {
		t.Fatal(err)
	}
	i := <-seen
	if i.Type != discordgo.InteractionApplicationCommandAutocomplete || !i.ApplicationCommandData().Options[0].Focused {
		t.Fatalf("handler got %+v, want the focused autocomplete option from the fixture", i)
	}
	rec, err := srv.WaitInteractionResponse(ctx(t), in.ID)
	if err != nil {
		t.Fatal(err)
	}
	if cb := rec.Callbacks[0]; len(cb.Choices) != 1 || cb.Choices[0].Value != "iran" {
		t.Fatalf("choices = %+v, want the iran topic", cb.Choices)
	}
}
