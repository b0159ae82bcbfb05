package discordtest

import (
	"bytes"
	"compress/zlib"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// Gateway opcodes used by the fake.
const (
	opDispatch       = 0
	opHeartbeat      = 1
	opIdentify       = 2
	opPresenceUpdate = 3
	opVoiceState     = 4
	opResume         = 6
	opReconnect      = 7
	opRequestMembers = 8
	opInvalidSession = 9
	opHello          = 10
	opHeartbeatAck   = 11
)

// maxHistory bounds the events kept per session for Resume.
const maxHistory = 1000

// Identify is a client's Identify payload as the fake recorded it, without
// the token. (discordgo.Identify does not decode its own JSON: its activity
// timestamps marshal as strings but unmarshal as integers.)
type Identify struct {
	Intents        discordgo.Intent  `json:"intents"`
	Compress       bool              `json:"compress"`
	LargeThreshold int               `json:"large_threshold"`
	Shard          *[2]int           `json:"shard"`
	Properties     map[string]string `json:"properties"`
	Presence       json.RawMessage   `json:"presence"`
}

// GatewaySession describes one gateway session (an Identify and any Resumes).
type GatewaySession struct {
	ID       string
	Identify Identify
	// Connected reports whether a websocket currently carries the session.
	Connected bool
	// Seq is the sequence number of the last dispatched event.
	Seq        int64
	Resumes    int
	Heartbeats int
	// LastHeartbeatSeq is the sequence the client sent in its last heartbeat.
	LastHeartbeatSeq int64
	// CloseCode is the code of the client's last close frame (0 if the
	// connection dropped without one). 1000 and 1001 end the session, as on
	// Discord.
	CloseCode int
	// Invalidated sessions can no longer be resumed.
	Invalidated bool
}

type gwEvent struct {
	seq   int64
	frame []byte
}

type gwSession struct {
	GatewaySession
	token   string
	history []gwEvent
	conn    *gwConn
}

type gwConn struct {
	ws       *websocket.Conn
	wmu      sync.Mutex // one writer at a time, as gorilla requires
	compress bool       // zlib each dispatch, as Discord does for compress:true
	once     sync.Once
}

func (c *gwConn) write(frame []byte, compress bool) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.writeLocked(frame, compress)
}

func (c *gwConn) writeLocked(frame []byte, compress bool) error {
	_ = c.ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if !compress {
		return c.ws.WriteMessage(websocket.TextMessage, frame)
	}
	var b bytes.Buffer
	zw := zlib.NewWriter(&b)
	_, _ = zw.Write(frame)
	_ = zw.Close()
	return c.ws.WriteMessage(websocket.BinaryMessage, b.Bytes())
}

// close sends a close frame with code and drops the connection.
func (c *gwConn) close(code int, reason string) {
	c.once.Do(func() {
		_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
		_ = c.ws.Close()
	})
}

type frame struct {
	Op int             `json:"op"`
	D  json.RawMessage `json:"d"`
	S  *int64          `json:"s"`
	T  *string         `json:"t"`
}

func encodeFrame(op int, d any, seq *int64, t string) []byte {
	raw, err := json.Marshal(d)
	if err != nil {
		panic("discordtest: encoding gateway payload: " + err.Error())
	}
	f := frame{Op: op, D: raw, S: seq}
	if t != "" {
		f.T = &t
	}
	b, err := json.Marshal(f)
	if err != nil {
		panic("discordtest: encoding gateway frame: " + err.Error())
	}
	return b
}

var upgrader = websocket.Upgrader{
	CheckOrigin: func(*http.Request) bool { return true },
}

func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request) {
	if enc := r.URL.Query().Get("encoding"); enc != "" && enc != "json" {
		http.Error(w, "discordtest: only encoding=json is faked", http.StatusBadRequest)
		return
	}
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // Upgrade already answered the client
	}
	c := &gwConn{ws: ws}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		c.close(websocket.CloseGoingAway, "server closing")
		return
	}
	s.conns[c] = struct{}{}
	s.wg.Add(1)
	s.bumpLocked()
	s.mu.Unlock()
	// The handler returns at once; the connection lives in its own goroutine
	// that Close waits for, because httptest does not track hijacked conns.
	go func() {
		defer s.wg.Done()
		s.runConn(c)
	}()
}

func (s *Server) runConn(c *gwConn) {
	defer func() {
		c.close(websocket.CloseNormalClosure, "")
		s.mu.Lock()
		delete(s.conns, c)
		for _, ss := range s.sessions {
			if ss.conn == c {
				ss.conn = nil
				ss.Connected = false
			}
		}
		s.bumpLocked()
		s.mu.Unlock()
	}()
	hello := map[string]any{"heartbeat_interval": s.cfg.heartbeatInterval.Milliseconds()}
	if err := c.write(encodeFrame(opHello, hello, nil, ""), false); err != nil {
		return
	}
	for {
		_, msg, err := c.ws.ReadMessage()
		if err != nil {
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				s.clientClosed(c, ce.Code)
			}
			return
		}
		var f frame
		if err := json.Unmarshal(msg, &f); err != nil {
			c.close(4002, "Error while decoding payload.")
			return
		}
		if !s.handleFrame(c, f) {
			return
		}
	}
}

// clientClosed records a client close frame; 1000 and 1001 end the session.
func (s *Server) clientClosed(c *gwConn, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ss := range s.sessions {
		if ss.conn == c {
			ss.CloseCode = code
			if code == websocket.CloseNormalClosure || code == websocket.CloseGoingAway {
				ss.Invalidated = true
			}
		}
	}
	s.bumpLocked()
}

func (s *Server) sessionOf(c *gwConn) *gwSession {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ss := range s.sessions {
		if ss.conn == c {
			return ss
		}
	}
	return nil
}

// handleFrame reacts to one client frame; false ends the connection.
func (s *Server) handleFrame(c *gwConn, f frame) bool {
	switch f.Op {
	case opHeartbeat:
		var seq int64
		_ = json.Unmarshal(f.D, &seq)
		s.mu.Lock()
		for _, ss := range s.sessions {
			if ss.conn == c {
				ss.Heartbeats++
				ss.LastHeartbeatSeq = seq
			}
		}
		s.bumpLocked()
		s.mu.Unlock()
		return c.write(encodeFrame(opHeartbeatAck, nil, nil, ""), false) == nil
	case opIdentify:
		return s.identify(c, f.D)
	case opResume:
		return s.resume(c, f.D)
	case opPresenceUpdate, opVoiceState, opRequestMembers:
		if s.sessionOf(c) == nil {
			c.close(4003, "Not authenticated.")
			return false
		}
		return true
	default:
		c.close(4001, "Unknown opcode.")
		return false
	}
}

func sameToken(a, b string) bool {
	return strings.TrimPrefix(a, "Bot ") == strings.TrimPrefix(b, "Bot ")
}

const privilegedIntents = discordgo.IntentsGuildMembers | discordgo.IntentsGuildPresences | discordgo.IntentsMessageContent

func (s *Server) identify(c *gwConn, d json.RawMessage) bool {
	var id struct {
		Identify
		Token string `json:"token"`
	}
	if err := json.Unmarshal(d, &id); err != nil {
		c.close(4002, "Error while decoding payload.")
		return false
	}
	if s.sessionOf(c) != nil {
		c.close(4005, "Already authenticated.")
		return false
	}
	if !sameToken(id.Token, s.cfg.token) {
		c.close(4004, "Authentication failed.")
		return false
	}
	if id.Shard != nil && (id.Shard[1] < 1 || id.Shard[0] < 0 || id.Shard[0] >= id.Shard[1]) {
		c.close(4010, "Invalid shard.")
		return false
	}
	if id.Intents&privilegedIntents&^s.cfg.privilegedIntents != 0 {
		c.close(4014, "Disallowed intent(s).")
		return false
	}
	ss := &gwSession{token: id.Token}
	ss.ID = randomToken()
	ss.Identify = id.Identify // recorded without the token
	ss.Connected = true
	ss.conn = c

	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.compress = id.Compress
	s.mu.Lock()
	s.sessions = append(s.sessions, ss)
	guilds := cloneSlice(s.guilds)
	s.mu.Unlock()

	unavailable := make([]map[string]any, 0, len(guilds))
	for _, g := range guilds {
		unavailable = append(unavailable, map[string]any{"id": g.ID, "unavailable": true})
	}
	ready := map[string]any{
		"v":                  apiVersion(),
		"user":               s.botUser,
		"guilds":             unavailable,
		"session_id":         ss.ID,
		"resume_gateway_url": s.GatewayURL(),
		"application":        map[string]any{"id": AppID, "flags": 0},
		"private_channels":   []any{},
	}
	if id.Shard != nil {
		ready["shard"] = id.Shard
	}
	if err := s.sendLocked(c, ss, "READY", mustJSON(ready)); err != nil {
		return false
	}
	// GUILD_CREATE follows READY for each guild when the Guilds intent is on.
	if id.Intents&discordgo.IntentsGuilds != 0 {
		for _, g := range guilds {
			if !shardOwns(ss.Identify.Shard, g.ID) {
				continue
			}
			if err := s.sendLocked(c, ss, "GUILD_CREATE", mustJSON(g)); err != nil {
				return false
			}
		}
	}
	return true
}

func (s *Server) resume(c *gwConn, d json.RawMessage) bool {
	var rp struct {
		Token     string `json:"token"`
		SessionID string `json:"session_id"`
		Seq       int64  `json:"seq"`
	}
	if err := json.Unmarshal(d, &rp); err != nil {
		c.close(4002, "Error while decoding payload.")
		return false
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	s.mu.Lock()
	var ss *gwSession
	for _, x := range s.sessions {
		if x.ID == rp.SessionID && !x.Invalidated && sameToken(x.token, rp.Token) {
			ss = x
		}
	}
	if ss == nil {
		s.mu.Unlock()
		// Not resumable: the client must identify again.
		return c.writeLocked(encodeFrame(opInvalidSession, false, nil, ""), false) == nil
	}
	if old := ss.conn; old != nil && old != c {
		go old.close(4000, "Session resumed elsewhere.")
	}
	ss.conn, ss.Connected = c, true
	ss.Resumes++
	ss.CloseCode = 0
	c.compress = ss.Identify.Compress
	var replay [][]byte
	for _, e := range ss.history {
		if e.seq > rp.Seq {
			replay = append(replay, e.frame)
		}
	}
	s.bumpLocked()
	s.mu.Unlock()
	// Missed events first, then RESUMED, as Discord does.
	for _, fr := range replay {
		if err := c.writeLocked(fr, c.compress); err != nil {
			return false
		}
	}
	return s.sendLocked(c, ss, "RESUMED", json.RawMessage(`{}`)) == nil
}

// sendLocked assigns the next sequence number, remembers the event for
// Resume and writes it. c.wmu must be held, s.mu must not.
func (s *Server) sendLocked(c *gwConn, ss *gwSession, event string, d json.RawMessage) error {
	s.mu.Lock()
	ss.Seq++
	seq := ss.Seq
	fr := encodeFrame(opDispatch, d, &seq, event)
	ss.history = append(ss.history, gwEvent{seq: seq, frame: fr})
	if len(ss.history) > maxHistory {
		ss.history = ss.history[len(ss.history)-maxHistory:]
	}
	s.bumpLocked()
	s.mu.Unlock()
	if c == nil {
		return nil
	}
	return c.writeLocked(fr, c.compress)
}

// Dispatch sends a gateway event (op 0) such as "MESSAGE_CREATE" with data d
// to the session that owns guildID's shard ("" means shard 0). When that
// session is disconnected the event is kept and replayed on Resume.
func (s *Server) Dispatch(event, guildID string, d any) error {
	raw, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("discordtest: encoding %s: %w", event, err)
	}
	return s.dispatchRaw(event, guildID, raw)
}

func (s *Server) dispatchRaw(event, guildID string, raw json.RawMessage) error {
	s.mu.Lock()
	var ss *gwSession
	for _, x := range slices.Backward(s.sessions) {
		if !x.Invalidated && shardOwns(x.Identify.Shard, guildID) {
			ss = x
			break
		}
	}
	if ss == nil {
		s.mu.Unlock()
		return fmt.Errorf("discordtest: no gateway session to receive %s: open the discordgo session first", event)
	}
	c := ss.conn
	s.mu.Unlock()
	if c == nil {
		return s.sendLocked(nil, ss, event, raw)
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	s.mu.Lock()
	attached := ss.conn == c
	s.mu.Unlock()
	if !attached {
		// The connection went away meanwhile: keep the event for Resume.
		return s.sendLocked(nil, ss, event, raw)
	}
	// A write failure is a dropped connection; the event stays in the
	// history and is replayed when the client resumes.
	_ = s.sendLocked(c, ss, event, raw)
	return nil
}

// shardOwns applies Discord's sharding formula (guild_id >> 22) % num_shards.
func shardOwns(shard *[2]int, guildID string) bool {
	if shard == nil || shard[1] <= 1 {
		return true
	}
	if guildID == "" {
		return shard[0] == 0
	}
	id, err := strconv.ParseUint(guildID, 10, 64)
	if err != nil {
		return shard[0] == 0
	}
	return int((id>>22)%uint64(shard[1])) == shard[0]
}

// GatewaySessions returns every session identified so far, oldest first.
func (s *Server) GatewaySessions() []GatewaySession {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]GatewaySession, len(s.sessions))
	for i, ss := range s.sessions {
		out[i] = ss.GatewaySession
	}
	return out
}

// Disconnect drops every gateway connection with a close code, as when
// Discord restarts a gateway node (4000 keeps sessions resumable; 4009
// "Session timed out" also invalidates them).
func (s *Server) Disconnect(code int) {
	s.mu.Lock()
	conns := make([]*gwConn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	if code == 4009 || code == 4007 {
		for _, ss := range s.sessions {
			ss.Invalidated = true
		}
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.close(code, "discordtest: disconnected by the test")
	}
}

// RequestReconnect sends op 7 Reconnect to every connection; clients close
// and resume.
func (s *Server) RequestReconnect() {
	s.mu.Lock()
	conns := make([]*gwConn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		_ = c.write(encodeFrame(opReconnect, nil, nil, ""), false)
	}
}

func apiVersion() int {
	v, err := strconv.Atoi(discordgo.APIVersion)
	if err != nil {
		return 9
	}
	return v
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic("discordtest: " + err.Error())
	}
	return b
}
