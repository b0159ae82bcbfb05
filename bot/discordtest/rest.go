package discordtest

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// maxBody bounds request bodies; Discord's own limit for JSON is far lower
// than attachments, which the fake does not store.
const maxBody = 10 << 20

func (s *Server) routes() *http.ServeMux {
	m := http.NewServeMux()
	m.HandleFunc("GET /gateway", s.handleGateway)
	m.HandleFunc("GET /gateway/bot", s.handleGatewayBot)
	m.HandleFunc("GET /users/@me", s.handleMe)
	m.HandleFunc("GET /oauth2/applications/@me", s.handleApplication)
	m.HandleFunc("GET /channels/{channel_id}", s.handleGetChannel)
	m.HandleFunc("GET /channels/{channel_id}/messages", s.handleListMessages)
	m.HandleFunc("POST /channels/{channel_id}/messages", s.handleCreateMessage)
	m.HandleFunc("GET /channels/{channel_id}/messages/{message_id}", s.handleGetMessage)
	m.HandleFunc("PATCH /channels/{channel_id}/messages/{message_id}", s.handleEditMessage)
	m.HandleFunc("DELETE /channels/{channel_id}/messages/{message_id}", s.handleDeleteMessage)
	for _, base := range []string{"/applications/{application_id}/commands", "/applications/{application_id}/guilds/{guild_id}/commands"} {
		m.HandleFunc("GET "+base, s.handleListCommands)
		m.HandleFunc("PUT "+base, s.handleBulkOverwriteCommands)
		m.HandleFunc("POST "+base, s.handleCreateCommand)
		m.HandleFunc("GET "+base+"/{command_id}", s.handleGetCommand)
		m.HandleFunc("PATCH "+base+"/{command_id}", s.handleEditCommand)
		m.HandleFunc("DELETE "+base+"/{command_id}", s.handleDeleteCommand)
	}
	m.HandleFunc("POST /interactions/{interaction_id}/{interaction_token}/callback", s.handleInteractionCallback)
	m.HandleFunc("POST /webhooks/{application_id}/{interaction_token}", s.handleFollowupCreate)
	m.HandleFunc("GET /webhooks/{application_id}/{interaction_token}/messages/{message_id}", s.handleWebhookGet)
	m.HandleFunc("PATCH /webhooks/{application_id}/{interaction_token}/messages/{message_id}", s.handleWebhookEdit)
	m.HandleFunc("DELETE /webhooks/{application_id}/{interaction_token}/messages/{message_id}", s.handleWebhookDelete)
	return m
}

// noAuthRoute reports routes Discord serves without the bot token: GET
// /gateway, and those authenticated by the interaction token in the path.
func noAuthRoute(route string) bool {
	if route == "GET /gateway" {
		return true
	}
	_, path, _ := strings.Cut(route, " ")
	return strings.HasPrefix(path, "/interactions/") || strings.HasPrefix(path, "/webhooks/")
}

// ServeHTTP serves the gateway websocket at / and the REST API under /api/vN.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/" && websocket.IsWebSocketUpgrade(r) {
		s.serveGateway(w, r)
		return
	}
	now := s.cfg.now()
	path, isAPI := stripAPIPrefix(r.URL.Path)
	body, bodyErr := readBody(r)
	rec := &recordingWriter{ResponseWriter: w}
	req := Request{Method: r.Method, Path: path, Query: r.URL.Query(), Header: r.Header.Clone(), Body: body, At: now}
	defer func() {
		req.Status = rec.status()
		req.Response = rec.buf.Bytes()
		s.mu.Lock()
		s.requests = append(s.requests, req)
		s.bumpLocked()
		s.mu.Unlock()
	}()

	if !isAPI {
		errNotFound.write(rec)
		return
	}
	r2 := r.Clone(r.Context())
	r2.URL.Path, r2.URL.RawPath = path, ""
	r2.Body = io.NopCloser(bytes.NewReader(body))
	r2.Header.Set("Content-Type", "application/json")
	_, route := s.mux.Handler(r2)
	req.Route = route
	if route == "" {
		errNotFound.write(rec)
		return
	}
	if !noAuthRoute(route) && r.Header.Get("Authorization") != s.cfg.token {
		errUnauthorized.write(rec)
		return
	}
	if bodyErr != nil {
		errInvalidJSON.write(rec)
		return
	}
	if f, ok := s.takeFault(r.Method, path); ok {
		req.Fault = true
		if f.ApplyFirst {
			s.mux.ServeHTTP(httptest.NewRecorder(), r2)
		}
		writeFault(rec, f, route, now)
		return
	}
	s.mux.ServeHTTP(rec, r2)
}

// readBody returns the JSON body, or the payload_json part of a multipart
// request (discordgo uses multipart when files are attached).
func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		return io.ReadAll(io.LimitReader(r.Body, maxBody))
	}
	mr := multipart.NewReader(io.LimitReader(r.Body, maxBody), params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		if p.FormName() == "payload_json" {
			return io.ReadAll(p)
		}
	}
}

type recordingWriter struct {
	http.ResponseWriter
	code int
	buf  bytes.Buffer
}

func (w *recordingWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recordingWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	w.buf.Write(b)
	return w.ResponseWriter.Write(b)
}

func (w *recordingWriter) status() int {
	if w.code == 0 {
		return http.StatusOK
	}
	return w.code
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"message": "500: Internal Server Error", "code": 0}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	b, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(b, v); err != nil {
		errInvalidJSON.write(w)
		return false
	}
	return true
}

// --- gateway, users, channels ---

func (s *Server) handleGateway(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"url": s.GatewayURL()})
}

func (s *Server) handleGatewayBot(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"url":    s.GatewayURL(),
		"shards": 1,
		"session_start_limit": map[string]any{
			"total": 1000, "remaining": 999, "reset_after": 14400000, "max_concurrency": 1,
		},
	})
}

func (s *Server) handleMe(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.botUser)
}

// handleApplication is the token's application, as `briefbot invite`
// asks for it when no application ID is configured.
func (s *Server) handleApplication(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"id": AppID, "name": s.botUser.Username, "bot": s.botUser})
}

func (s *Server) handleGetChannel(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	c, ok := s.channels[r.PathValue("channel_id")]
	c = clone(c)
	s.mu.Unlock()
	if !ok {
		errUnknownChannel.write(w)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// --- channel messages ---

type nonceEntry struct {
	messageID string
	at        time.Time
}

func (s *Server) handleCreateMessage(w http.ResponseWriter, r *http.Request) {
	channelID := r.PathValue("channel_id")
	var p messagePayload
	if !decode(w, r, &p) {
		return
	}
	var fe formErrors
	nonce := p.nonce(&fe)
	content, embeds := deref(p.Content), derefEmbeds(p.Embeds)
	validateMessage(&fe, content, embeds, p.AllowedMentions)
	if err := fe.err(); err != nil {
		err.write(w)
		return
	}
	if content == "" && len(embeds) == 0 && !nonEmptyArray(p.Components) && len(p.StickerIDs) == 0 && !present(p.Poll) {
		errEmptyMessage.write(w)
		return
	}

	s.mu.Lock()
	ch, ok := s.channels[channelID]
	if !ok {
		s.mu.Unlock()
		errUnknownChannel.write(w)
		return
	}
	now := s.cfg.now()
	// enforce_nonce: Discord returns the earlier message by the same author
	// with the same nonce instead of creating another one.
	key := BotUserID + "\x00" + nonce
	if p.EnforceNonce && nonce != "" {
		if e, ok := s.nonces[key]; ok && now.Sub(e.at) < s.cfg.nonceWindow {
			if m, ok := s.messages[e.messageID]; ok {
				out := m.wire(s.botUser, "")
				s.mu.Unlock()
				writeJSON(w, http.StatusOK, out)
				return
			}
		}
	}
	m := &Message{
		ID:              s.ids.next(),
		ChannelID:       channelID,
		GuildID:         ch.GuildID,
		Content:         content,
		Embeds:          embeds,
		Components:      p.Components,
		AllowedMentions: p.AllowedMentions,
		Nonce:           nonce,
		EnforceNonce:    p.EnforceNonce,
		Timestamp:       now,
	}
	if p.Flags != nil {
		m.Flags = *p.Flags
	}
	m.computeMentions()
	s.messages[m.ID] = m
	s.channelMsgs[channelID] = append(s.channelMsgs[channelID], m.ID)
	if p.EnforceNonce && nonce != "" {
		s.nonces[key] = nonceEntry{messageID: m.ID, at: now}
	}
	out := m.wire(s.botUser, "")
	s.bumpLocked()
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

// channelMessage finds a message in a channel, writing Discord's error if not.
// It must be called with s.mu held.
func (s *Server) channelMessageLocked(w http.ResponseWriter, r *http.Request) *Message {
	channelID := r.PathValue("channel_id")
	if _, ok := s.channels[channelID]; !ok {
		errUnknownChannel.write(w)
		return nil
	}
	m, ok := s.messages[r.PathValue("message_id")]
	if !ok || m.ChannelID != channelID {
		errUnknownMessage.write(w)
		return nil
	}
	return m
}

func (s *Server) handleGetMessage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.channelMessageLocked(w, r); m != nil {
		writeJSON(w, http.StatusOK, m.wire(s.botUser, ""))
	}
}

func (s *Server) handleListMessages(w http.ResponseWriter, r *http.Request) {
	limit := 50
	if v, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil && v >= 1 && v <= 100 {
		limit = v
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	channelID := r.PathValue("channel_id")
	if _, ok := s.channels[channelID]; !ok {
		errUnknownChannel.write(w)
		return
	}
	ids := s.channelMsgs[channelID]
	out := []map[string]any{}
	for i := len(ids) - 1; i >= 0 && len(out) < limit; i-- {
		out = append(out, s.messages[ids[i]].wire(s.botUser, ""))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleEditMessage(w http.ResponseWriter, r *http.Request) {
	var p messagePayload
	if !decode(w, r, &p) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.channelMessageLocked(w, r)
	if m == nil {
		return
	}
	if err := s.applyEditLocked(m, &p); err != nil {
		err.write(w)
		return
	}
	writeJSON(w, http.StatusOK, m.wire(s.botUser, ""))
}

// applyEditLocked applies a PATCH body: present fields replace, absent keep.
func (s *Server) applyEditLocked(m *Message, p *messagePayload) *apiError {
	content, embeds, am := m.Content, m.Embeds, m.AllowedMentions
	if p.Content != nil {
		content = *p.Content
	}
	if p.Embeds != nil {
		embeds = *p.Embeds
	}
	if present(p.AllowedMentions) {
		am = p.AllowedMentions
	}
	var fe formErrors
	validateMessage(&fe, content, embeds, am)
	if err := fe.err(); err != nil {
		return err
	}
	components := m.Components
	if present(p.Components) {
		components = p.Components
	}
	if content == "" && len(embeds) == 0 && !nonEmptyArray(components) {
		return errEmptyMessage
	}
	now := s.cfg.now()
	m.Content, m.Embeds, m.AllowedMentions, m.Components = content, cloneSlice(embeds), am, components
	if p.Flags != nil {
		// Only the embed-suppression bit can change; loading ends with any edit.
		m.Flags = m.Flags&discordgo.MessageFlagsEphemeral | *p.Flags&discordgo.MessageFlagsSuppressEmbeds
	}
	m.Flags &^= discordgo.MessageFlagsLoading
	m.EditedTimestamp = &now
	m.Edits++
	m.computeMentions()
	s.bumpLocked()
	return nil
}

func (s *Server) handleDeleteMessage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.channelMessageLocked(w, r)
	if m == nil {
		return
	}
	delete(s.messages, m.ID)
	ids := s.channelMsgs[m.ChannelID]
	for i, id := range ids {
		if id == m.ID {
			s.channelMsgs[m.ChannelID] = append(ids[:i:i], ids[i+1:]...)
			break
		}
	}
	s.bumpLocked()
	w.WriteHeader(http.StatusNoContent)
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func derefEmbeds(p *[]*discordgo.MessageEmbed) []*discordgo.MessageEmbed {
	if p == nil {
		return nil
	}
	return *p
}
