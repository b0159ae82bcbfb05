package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/bwmarrin/discordgo"
)

// reply is a command's answer.
type reply struct {
	content   string
	embeds    []*discordgo.MessageEmbed
	ephemeral bool
	// followups are sent after the answer: /subscribe's public catch-up
	// below its ephemeral confirmation.
	followups []*discordgo.WebhookParams
}

// userError is a reply to a request we will not carry out: bad arguments or
// a missing permission. The user sees its message; it is not a failure.
type userError struct {
	msg     string
	outcome string // "invalid" or "denied"
}

func (e *userError) Error() string { return e.msg }

func invalidf(format string, args ...any) error {
	return &userError{msg: fmt.Sprintf(format, args...), outcome: "invalid"}
}

func deniedf(format string, args ...any) error {
	return &userError{msg: fmt.Sprintf(format, args...), outcome: "denied"}
}

// somethingWrong is all a user sees of our own failures; the log has the rest.
const somethingWrong = "Something went wrong; try again."

// respondFunc sends an interaction's first response: a POST to Discord's
// callback endpoint in gateway mode, the HTTP response body in HTTP mode.
// Everything after it (edits, followups) goes through the session's REST.
type respondFunc func(ctx context.Context, r *discordgo.InteractionResponse) error

func (b *Bot) onInteraction(s *discordgo.Session, ic *discordgo.InteractionCreate) {
	in := ic.Interaction
	b.handle(in, func(ctx context.Context, r *discordgo.InteractionResponse) error {
		return s.InteractionRespond(in, r, discordgo.WithContext(ctx))
	})
}

// handle answers one interaction. It returns once the answer is complete,
// deferred edits and followups included; false when the bot is closed.
func (b *Bot) handle(in *discordgo.Interaction, respond respondFunc) bool {
	if !b.inflight.add() {
		return false
	}
	defer b.inflight.done()
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), b.timeout)
	defer cancel()
	switch in.Type {
	case discordgo.InteractionApplicationCommand:
		b.command(ctx, in, respond, start)
	case discordgo.InteractionApplicationCommandAutocomplete:
		b.autocomplete(ctx, in, respond, start)
	default:
		b.log.Debug("ignoring interaction", slog.Int("type", int(in.Type)), slog.String("interaction", in.ID))
	}
	return true
}

func (b *Bot) logger(in *discordgo.Interaction, name string) *slog.Logger {
	return b.log.With(slog.String("command", name), slog.String("guild", in.GuildID),
		slog.String("channel", in.ChannelID), slog.String("interaction", in.ID))
}

func (b *Bot) emit(ev CommandEvent) {
	if b.observe != nil {
		b.observe(ev)
	}
}

func (b *Bot) command(ctx context.Context, in *discordgo.Interaction, respond respondFunc, start time.Time) {
	c := newCall(in)
	log := b.logger(in, c.name)
	ev := CommandEvent{Command: c.name, Kind: "command"}
	defer func() {
		ev.Total = time.Since(start)
		b.emit(ev)
	}()

	// Discord may deliver an interaction twice (a gateway resume replays
	// events); the first to claim it answers. When the store cannot say,
	// answering twice is better than not at all: Discord itself refuses a
	// second response.
	claimed, err := b.store.ClaimInteraction(ctx, in.ID, b.now())
	if err != nil {
		log.Warn("could not record the interaction; answering anyway", slog.Any("err", err))
	} else if !claimed {
		log.Info("interaction delivered again: already answered")
		ev.Outcome = "duplicate"
		return
	}

	cmd := b.commands[c.name]
	if cmd == nil {
		cmd = &command{ephemeral: true, run: func(context.Context, *call) (reply, error) {
			return reply{}, invalidf("briefbot no longer has /%s; type / to see its commands.", clipRunes(c.name, 32))
		}}
	}

	// The work runs beside a timer: a quick answer is sent as it is; a slow
	// one is deferred ("briefbot is thinking…") and edited in when ready, so
	// Discord's 3-second deadline is never missed.
	type result struct {
		r   reply
		err error
	}
	done := make(chan result, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- result{err: fmt.Errorf("panic: %v\n%s", p, debug.Stack())}
			}
		}()
		r, err := b.run(ctx, cmd, c)
		done <- result{r, err}
	}()
	timer := time.NewTimer(b.deferAfter)
	defer timer.Stop()
	var res result
	select {
	case res = <-done:
	case <-timer.C:
		ev.Deferred = true
		resp := &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{Flags: flagsFor(cmd.ephemeral)}}
		err := respond(ctx, resp)
		ev.Latency = time.Since(start)
		res = <-done
		if err != nil {
			log.Error("deferring the answer failed", slog.Any("err", err))
			ev.Outcome = "error"
			return
		}
	}

	r, outcome := b.outcome(res.r, res.err, log)
	ev.Outcome = outcome
	if ev.Deferred {
		if err := b.editOriginal(ctx, in, r, cmd.ephemeral); err != nil {
			log.Error("sending the deferred answer failed", slog.Any("err", err))
			ev.Outcome = "error"
			return
		}
	} else {
		err := respond(ctx, &discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{
				Content: r.content, Embeds: r.embeds, Flags: flagsFor(r.ephemeral), AllowedMentions: NoMentions(),
			},
		})
		ev.Latency = time.Since(start)
		if err != nil {
			log.Error("answering failed", slog.Any("err", err))
			ev.Outcome = "error"
			return
		}
	}
	for _, f := range r.followups {
		if _, err := b.session.FollowupMessageCreate(in, true, f, discordgo.WithContext(ctx)); err != nil {
			log.Error("sending a followup failed", slog.Any("err", err))
			ev.Outcome = "error"
			return
		}
	}
}

// run checks where and by whom a command may be used, then runs it.
func (b *Bot) run(ctx context.Context, cmd *command, c *call) (reply, error) {
	if cmd.manage {
		if c.in.GuildID == "" || c.in.Member == nil {
			return reply{}, invalidf("Use /%s in a server channel.", c.name)
		}
		if cmd.manageServer && !c.canManageServer() {
			return reply{}, deniedf("You need the Manage Server permission to use /%s.", c.name)
		}
		if !cmd.manageServer && !c.canManage() {
			return reply{}, deniedf("You need the Manage Channels permission in this channel to use /%s.", c.name)
		}
	}
	r, err := cmd.run(ctx, c)
	if cmd.ephemeral {
		r.ephemeral = true
	}
	return r, err
}

// outcome turns a command's result into what the user sees: user errors as
// they are, our failures as a short apology with the details logged. Both
// are ephemeral.
func (b *Bot) outcome(r reply, err error, log *slog.Logger) (reply, string) {
	if err == nil {
		if r.content == "" && len(r.embeds) == 0 {
			log.Error("command produced an empty answer")
			return reply{content: somethingWrong, ephemeral: true}, "error"
		}
		return r, "ok"
	}
	var ue *userError
	if errors.As(err, &ue) {
		return reply{content: ue.msg, ephemeral: true}, ue.outcome
	}
	log.Error("command failed", slog.Any("err", err))
	return reply{content: somethingWrong, ephemeral: true}, "error"
}

// editOriginal puts the answer in place of "briefbot is thinking…". An
// ephemeral answer (an error) to a public deferral cannot be made private by
// editing, so the placeholder is deleted and the answer sent privately.
func (b *Bot) editOriginal(ctx context.Context, in *discordgo.Interaction, r reply, deferredEphemeral bool) error {
	if r.ephemeral && !deferredEphemeral {
		if err := b.session.InteractionResponseDelete(in, discordgo.WithContext(ctx)); err != nil {
			return fmt.Errorf("deleting the public placeholder: %w", err)
		}
		_, err := b.session.FollowupMessageCreate(in, true, &discordgo.WebhookParams{
			Content: r.content, Embeds: r.embeds, Flags: discordgo.MessageFlagsEphemeral, AllowedMentions: NoMentions(),
		}, discordgo.WithContext(ctx))
		return err
	}
	content, embeds := r.content, r.embeds
	if embeds == nil {
		embeds = []*discordgo.MessageEmbed{}
	}
	_, err := b.session.InteractionResponseEdit(in, &discordgo.WebhookEdit{
		Content: &content, Embeds: &embeds, AllowedMentions: NoMentions(),
	}, discordgo.WithContext(ctx))
	return err
}

func flagsFor(ephemeral bool) discordgo.MessageFlags {
	if ephemeral {
		return discordgo.MessageFlagsEphemeral
	}
	return 0
}

// autocomplete answers the focused option's choices. It is not claimed in
// the store: it fires on every keystroke, changes nothing, and Discord
// ignores a second answer.
func (b *Bot) autocomplete(ctx context.Context, in *discordgo.Interaction, respond respondFunc, start time.Time) {
	c := newCall(in)
	log := b.logger(in, c.name)
	ev := CommandEvent{Command: c.name, Kind: "autocomplete", Outcome: "ok"}
	defer func() {
		ev.Latency = time.Since(start)
		ev.Total = ev.Latency
		b.emit(ev)
	}()
	var choices []*discordgo.ApplicationCommandOptionChoice
	if cmd := b.commands[c.name]; cmd != nil && cmd.complete != nil {
		name, typed := c.focused()
		// Discord asks only for options declared with Autocomplete.
		if name != "" {
			var err error
			if choices, err = cmd.complete(ctx, c, typed); err != nil {
				log.Error("autocomplete failed", slog.Any("err", err))
				ev.Outcome = "error"
			}
		}
	}
	err := respond(ctx, &discordgo.InteractionResponse{
		Type: discordgo.InteractionApplicationCommandAutocompleteResult,
		Data: &discordgo.InteractionResponseData{Choices: choices},
	})
	if err != nil {
		log.Error("answering autocomplete failed", slog.Any("err", err))
		ev.Outcome = "error"
	}
}
