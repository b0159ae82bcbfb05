package discordtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/bwmarrin/discordgo"
)

// InteractionCallback is one accepted POST /interactions/{id}/{token}/callback.
type InteractionCallback struct {
	InteractionID   string
	Type            discordgo.InteractionResponseType
	Content         string
	Embeds          []*discordgo.MessageEmbed
	Flags           discordgo.MessageFlags
	AllowedMentions json.RawMessage
	Choices         []*discordgo.ApplicationCommandOptionChoice
	// Body is the request body as sent.
	Body json.RawMessage
	At   time.Time
}

// Ephemeral reports whether the response is visible to its invoker only.
func (c InteractionCallback) Ephemeral() bool {
	return c.Flags&discordgo.MessageFlagsEphemeral != 0
}

// InteractionRecord is everything the fake knows about one dispatched interaction.
type InteractionRecord struct {
	Interaction  *discordgo.Interaction
	DispatchedAt time.Time
	// Callbacks are the accepted callbacks; Discord accepts only one, so a
	// second attempt is rejected (40060) and shows up in Requests only.
	Callbacks []InteractionCallback
	// Original is the @original response message after any edits; nil until a
	// type 4 or 5 callback, and after it is deleted.
	Original  *Message
	Followups []Message
}

type interactionState struct {
	in         *discordgo.Interaction
	dispatched time.Time
	callbacks  []InteractionCallback
	original   *Message
	followups  []*Message
}

func (st *interactionState) record() InteractionRecord {
	r := InteractionRecord{
		Interaction:  cloneInteraction(st.in),
		DispatchedAt: st.dispatched,
		Callbacks:    slices.Clone(st.callbacks),
	}
	if st.original != nil {
		o := st.original.copy()
		r.Original = &o
	}
	for _, f := range st.followups {
		r.Followups = append(r.Followups, f.copy())
	}
	return r
}

func cloneInteraction(in *discordgo.Interaction) *discordgo.Interaction {
	b, err := json.Marshal(in)
	if err != nil {
		panic("discordtest: marshalling interaction: " + err.Error())
	}
	var out discordgo.Interaction
	if err := json.Unmarshal(b, &out); err != nil {
		panic("discordtest: unmarshalling interaction: " + err.Error())
	}
	return &out
}

// Member returns a guild member for interactions, with the given permission
// bits (for example discordgo.PermissionManageChannels).
func Member(userID string, permissions int64) *discordgo.Member {
	return &discordgo.Member{
		User:        &discordgo.User{ID: userID, Username: "user" + userID, Discriminator: "0"},
		Permissions: permissions,
		JoinedAt:    time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
	}
}

// CommandOption builds a slash command option; the type follows value (string,
// int, float64 or bool).
func CommandOption(name string, value any) *discordgo.ApplicationCommandInteractionDataOption {
	o := &discordgo.ApplicationCommandInteractionDataOption{Name: name, Value: value}
	switch value.(type) {
	case string:
		o.Type = discordgo.ApplicationCommandOptionString
	case int, int64:
		o.Type = discordgo.ApplicationCommandOptionInteger
	case float64:
		o.Type = discordgo.ApplicationCommandOptionNumber
	case bool:
		o.Type = discordgo.ApplicationCommandOptionBoolean
	default:
		panic(fmt.Sprintf("discordtest: CommandOption(%q): unsupported value type %T", name, value))
	}
	return o
}

// CommandInteraction builds a slash command interaction from an ordinary
// member (no special permissions) in the default channel, with the ID of the
// registered command of that name when there is one. Adjust the fields before
// dispatching it.
func (s *Server) CommandInteraction(name string, options ...*discordgo.ApplicationCommandInteractionDataOption) *discordgo.Interaction {
	s.mu.Lock()
	cmdID := ""
	for _, scope := range []string{DefaultGuildID, ""} {
		for _, c := range s.commands[scope] {
			if c.Name == name && c.Type == discordgo.ChatApplicationCommand && cmdID == "" {
				cmdID = c.ID
			}
		}
	}
	s.mu.Unlock()
	return &discordgo.Interaction{
		Type:      discordgo.InteractionApplicationCommand,
		GuildID:   DefaultGuildID,
		ChannelID: DefaultChannelID,
		Member: Member(DefaultUserID, discordgo.PermissionViewChannel|discordgo.PermissionSendMessages|
			discordgo.PermissionUseApplicationCommands),
		Locale: discordgo.EnglishUS,
		Data: discordgo.ApplicationCommandInteractionData{
			ID:          cmdID,
			Name:        name,
			CommandType: discordgo.ChatApplicationCommand,
			Options:     options,
		},
	}
}

// DispatchInteraction sends INTERACTION_CREATE over the gateway. Missing
// ID, token, application ID and version are filled in; the interaction's
// channel (and guild) become known channels if they were not, as an
// interaction can only come from a channel that exists. It returns the
// interaction as dispatched. Dispatching an interaction whose ID was already
// dispatched sends it again without resetting what was answered, as when
// Discord redelivers an event.
func (s *Server) DispatchInteraction(in *discordgo.Interaction) (*discordgo.Interaction, error) {
	if in == nil {
		return nil, errors.New("discordtest: DispatchInteraction: nil interaction")
	}
	if in.Type == 0 {
		return nil, errors.New("discordtest: DispatchInteraction: interaction type is required")
	}
	in = cloneInteraction(in)
	s.mu.Lock()
	if in.ID == "" {
		in.ID = s.ids.next()
	}
	s.mu.Unlock()
	if in.Token == "" {
		in.Token = "itok." + in.ID + "." + randomToken()
	}
	if in.AppID == "" {
		in.AppID = AppID
	}
	if in.Version == 0 {
		in.Version = 1
	}
	raw, err := json.Marshal(in)
	if err != nil {
		return nil, fmt.Errorf("discordtest: encoding interaction: %w", err)
	}
	return s.dispatchInteraction(in, raw)
}

// DispatchInteractionJSON sends a raw INTERACTION_CREATE payload, such as a
// recorded fixture, filling only a missing id and token.
func (s *Server) DispatchInteractionJSON(raw []byte) (*discordgo.Interaction, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return nil, fmt.Errorf("discordtest: interaction fixture is not a JSON object: %w", err)
	}
	var in discordgo.Interaction
	if err := json.Unmarshal(raw, &in); err != nil {
		return nil, fmt.Errorf("discordtest: interaction fixture does not decode as an interaction: %w", err)
	}
	if in.ID == "" {
		s.mu.Lock()
		in.ID = s.ids.next()
		s.mu.Unlock()
		fields["id"], _ = json.Marshal(in.ID)
	}
	if in.Token == "" {
		in.Token = "itok." + in.ID + "." + randomToken()
		fields["token"], _ = json.Marshal(in.Token)
	}
	raw, err := json.Marshal(fields)
	if err != nil {
		return nil, fmt.Errorf("discordtest: encoding interaction: %w", err)
	}
	return s.dispatchInteraction(&in, raw)
}

func (s *Server) dispatchInteraction(in *discordgo.Interaction, raw json.RawMessage) (*discordgo.Interaction, error) {
	s.mu.Lock()
	if in.ChannelID != "" {
		if _, ok := s.channels[in.ChannelID]; !ok {
			s.addChannelLocked(&discordgo.Channel{ID: in.ChannelID, GuildID: in.GuildID, Name: "channel-" + in.ChannelID, Type: discordgo.ChannelTypeGuildText})
		}
	}
	if _, ok := s.interactions[in.ID]; !ok {
		s.interactions[in.ID] = &interactionState{in: cloneInteraction(in), dispatched: s.cfg.now()}
		s.byToken[in.Token] = in.ID
	}
	s.bumpLocked()
	s.mu.Unlock()
	if err := s.dispatchRaw("INTERACTION_CREATE", in.GuildID, raw); err != nil {
		return nil, err
	}
	return in, nil
}

// Interaction returns what the fake knows about a dispatched interaction.
func (s *Server) Interaction(id string) (InteractionRecord, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.interactions[id]
	if !ok {
		return InteractionRecord{}, false
	}
	return st.record(), true
}

// InteractionResponses returns every accepted interaction callback in order.
func (s *Server) InteractionResponses() []InteractionCallback {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.callbacks)
}

// WaitInteraction waits until cond holds for the interaction's record.
func (s *Server) WaitInteraction(ctx context.Context, id string, cond func(InteractionRecord) bool) (InteractionRecord, error) {
	var rec InteractionRecord
	err := s.WaitFor(ctx, func() bool {
		var ok bool
		rec, ok = s.Interaction(id)
		return ok && cond(rec)
	})
	if err != nil {
		return rec, fmt.Errorf("waiting for interaction %s: %w", id, err)
	}
	return rec, nil
}

// WaitInteractionResponse waits until the interaction has been answered.
func (s *Server) WaitInteractionResponse(ctx context.Context, id string) (InteractionRecord, error) {
	return s.WaitInteraction(ctx, id, func(r InteractionRecord) bool { return len(r.Callbacks) > 0 })
}

func (s *Server) handleInteractionCallback(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Type discordgo.InteractionResponseType `json:"type"`
		Data json.RawMessage                   `json:"data"`
	}
	raw, ok := readAll(w, r)
	if !ok || !unmarshalOr400(w, raw, &body) {
		return
	}
	var p messagePayload
	if present(body.Data) && !unmarshalOr400(w, body.Data, &p) {
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.interactions[r.PathValue("interaction_id")]
	now := s.cfg.now()
	if !ok || st.in.Token != r.PathValue("interaction_token") || (len(st.callbacks) == 0 && now.Sub(st.dispatched) > s.cfg.interactionDeadline) {
		errUnknownInteraction.write(w)
		return
	}
	if len(st.callbacks) > 0 {
		errAlreadyAcked.write(w)
		return
	}
	var fe formErrors
	content, embeds := deref(p.Content), derefEmbeds(p.Embeds)
	var flags discordgo.MessageFlags
	if p.Flags != nil {
		flags = *p.Flags
	}
	it := st.in.Type
	switch body.Type {
	case discordgo.InteractionResponsePong:
		if it != discordgo.InteractionPing {
			fe.add("type", "INTERACTION_RESPONSE_TYPE_INVALID", "PONG is only valid for PING interactions")
		}
	case discordgo.InteractionResponseChannelMessageWithSource:
		validateMessage(&fe, content, embeds, p.AllowedMentions)
		if fe.err() == nil && content == "" && len(embeds) == 0 && !nonEmptyArray(p.Components) && !present(p.Poll) {
			errEmptyMessage.write(w)
			return
		}
	case discordgo.InteractionResponseDeferredChannelMessageWithSource:
	case discordgo.InteractionResponseDeferredMessageUpdate, discordgo.InteractionResponseUpdateMessage:
		if it != discordgo.InteractionMessageComponent && it != discordgo.InteractionModalSubmit {
			fe.add("type", "INTERACTION_RESPONSE_TYPE_INVALID", "message updates are only valid for component interactions")
		}
		if body.Type == discordgo.InteractionResponseUpdateMessage {
			validateMessage(&fe, content, embeds, p.AllowedMentions)
		}
	case discordgo.InteractionApplicationCommandAutocompleteResult:
		if it != discordgo.InteractionApplicationCommandAutocomplete {
			fe.add("type", "INTERACTION_RESPONSE_TYPE_INVALID", "autocomplete results are only valid for autocomplete interactions")
		}
		if len(p.Choices) > 25 {
			fe.add("data.choices", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
		}
		for i, c := range p.Choices {
			if c == nil || c.Name == "" || len([]rune(c.Name)) > 100 {
				fe.add(fmt.Sprintf("data.choices.%d.name", i), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
			}
		}
	case discordgo.InteractionResponseModal:
		if p.CustomID == "" || p.Title == "" {
			fe.add("data", "BASE_TYPE_REQUIRED", "custom_id and title are required")
		}
	default:
		fe.add("type", "ENUM_TYPE_COERCE", fmt.Sprintf("Value %d is not a valid enum value.", body.Type))
	}
	if err := fe.err(); err != nil {
		err.write(w)
		return
	}

	cb := InteractionCallback{
		InteractionID:   st.in.ID,
		Type:            body.Type,
		Content:         content,
		Embeds:          cloneSlice(embeds),
		Flags:           flags,
		AllowedMentions: p.AllowedMentions,
		Choices:         p.Choices,
		Body:            raw,
		At:              now,
	}
	st.callbacks = append(st.callbacks, cb)
	s.callbacks = append(s.callbacks, cb)
	switch body.Type {
	case discordgo.InteractionResponseChannelMessageWithSource, discordgo.InteractionResponseDeferredChannelMessageWithSource:
		m := &Message{
			ID:              s.ids.next(),
			ChannelID:       st.in.ChannelID,
			GuildID:         st.in.GuildID,
			Content:         content,
			Embeds:          cloneSlice(embeds),
			Components:      p.Components,
			AllowedMentions: p.AllowedMentions,
			Flags:           flags & (discordgo.MessageFlagsEphemeral | discordgo.MessageFlagsSuppressEmbeds),
			Timestamp:       now,
			InteractionID:   st.in.ID,
		}
		if body.Type == discordgo.InteractionResponseDeferredChannelMessageWithSource {
			// The "is thinking..." placeholder, replaced by editing @original.
			m.Content, m.Embeds, m.Components = "", nil, nil
			m.Flags |= discordgo.MessageFlagsLoading
		}
		m.computeMentions()
		st.original = m
	case discordgo.InteractionResponseUpdateMessage:
		if st.in.Message != nil {
			if m, ok := s.messages[st.in.Message.ID]; ok {
				_ = s.applyEditLocked(m, &p)
			}
		}
	}
	s.bumpLocked()
	w.WriteHeader(http.StatusNoContent)
}

func readAll(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	b, err := readBody(r)
	if err != nil {
		errInvalidJSON.write(w)
		return nil, false
	}
	return b, true
}

func unmarshalOr400(w http.ResponseWriter, b []byte, v any) bool {
	if err := json.Unmarshal(b, v); err != nil {
		errInvalidJSON.write(w)
		return false
	}
	return true
}

// webhookInteractionLocked finds the interaction behind an interaction
// webhook (followups and @original). Its token works once the interaction was
// acknowledged, for 15 minutes. It must be called with s.mu held.
func (s *Server) webhookInteractionLocked(w http.ResponseWriter, r *http.Request) *interactionState {
	id, ok := s.byToken[r.PathValue("interaction_token")]
	st := s.interactions[id]
	if !ok || st == nil || r.PathValue("application_id") != st.in.AppID || len(st.callbacks) == 0 ||
		s.cfg.now().Sub(st.dispatched) > interactionTokenLifetime {
		errUnknownWebhook.write(w)
		return nil
	}
	return st
}

// webhookMessageLocked resolves {message_id}: "@original" or a followup ID.
func (s *Server) webhookMessageLocked(w http.ResponseWriter, r *http.Request, st *interactionState) *Message {
	id := r.PathValue("message_id")
	if id == "@original" {
		if st.original == nil {
			errUnknownMessage.write(w)
			return nil
		}
		return st.original
	}
	for _, f := range st.followups {
		if f.ID == id {
			return f
		}
	}
	if st.original != nil && st.original.ID == id {
		return st.original
	}
	errUnknownMessage.write(w)
	return nil
}

func (s *Server) handleFollowupCreate(w http.ResponseWriter, r *http.Request) {
	var p messagePayload
	if !decode(w, r, &p) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.webhookInteractionLocked(w, r)
	if st == nil {
		return
	}
	var fe formErrors
	content, embeds := deref(p.Content), derefEmbeds(p.Embeds)
	validateMessage(&fe, content, embeds, p.AllowedMentions)
	if err := fe.err(); err != nil {
		err.write(w)
		return
	}
	if content == "" && len(embeds) == 0 && !nonEmptyArray(p.Components) && !present(p.Poll) {
		errEmptyMessage.write(w)
		return
	}
	m := &Message{
		ID:              s.ids.next(),
		ChannelID:       st.in.ChannelID,
		GuildID:         st.in.GuildID,
		Content:         content,
		Embeds:          cloneSlice(embeds),
		Components:      p.Components,
		AllowedMentions: p.AllowedMentions,
		Timestamp:       s.cfg.now(),
		InteractionID:   st.in.ID,
	}
	if p.Flags != nil {
		m.Flags = *p.Flags & (discordgo.MessageFlagsEphemeral | discordgo.MessageFlagsSuppressEmbeds)
	}
	m.computeMentions()
	st.followups = append(st.followups, m)
	s.bumpLocked()
	// Interaction followups always return the message (wait is implied).
	writeJSON(w, http.StatusOK, m.wire(s.botUser, st.in.AppID))
}

func (s *Server) handleWebhookGet(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.webhookInteractionLocked(w, r)
	if st == nil {
		return
	}
	if m := s.webhookMessageLocked(w, r, st); m != nil {
		writeJSON(w, http.StatusOK, m.wire(s.botUser, st.in.AppID))
	}
}

func (s *Server) handleWebhookEdit(w http.ResponseWriter, r *http.Request) {
	var p messagePayload
	if !decode(w, r, &p) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.webhookInteractionLocked(w, r)
	if st == nil {
		return
	}
	m := s.webhookMessageLocked(w, r, st)
	if m == nil {
		return
	}
	if err := s.applyEditLocked(m, &p); err != nil {
		err.write(w)
		return
	}
	writeJSON(w, http.StatusOK, m.wire(s.botUser, st.in.AppID))
}

func (s *Server) handleWebhookDelete(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.webhookInteractionLocked(w, r)
	if st == nil {
		return
	}
	m := s.webhookMessageLocked(w, r, st)
	if m == nil {
		return
	}
	if m == st.original {
		st.original = nil
	} else {
		st.followups = slices.DeleteFunc(st.followups, func(f *Message) bool { return f == m })
	}
	s.bumpLocked()
	w.WriteHeader(http.StatusNoContent)
}
