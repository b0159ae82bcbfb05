package source

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/briefbot/briefbot/store"
)

// WebSub (https://www.w3.org/TR/websub/) lets a hub push a feed's updates
// to us instead of waiting for the next poll. Subscriptions are made when a
// poll finds a hub link and a public callback is configured; the hub's
// deliveries go through the same normalise-and-record path as polls, and
// polling continues at a slower pace as a fallback.

// WebSubOptions configure push subscriptions.
type WebSubOptions struct {
	// CallbackBase is the public URL at which WebSubHandler is mounted,
	// e.g. "https://briefbot.example.org/websub". Required.
	CallbackBase string
	// Secret, if set, is mixed into each subscription's HMAC secret. Each
	// subscription's secret and callback path are random anyway, so that
	// knowing a source's name or an old callback gives nothing.
	Secret string
	// LeaseSeconds is the lease asked of hubs (default 10 days); hubs may
	// grant less and we renew before it ends.
	LeaseSeconds int
	// Slowdown multiplies the polling interval while a subscription is
	// active (default 5).
	Slowdown int
}

const (
	defaultLeaseSeconds = 10 * 24 * 3600
	// retrySubscribeAfter spaces out attempts with a hub that refused or
	// never verified.
	retrySubscribeAfter = time.Hour
	// maxPushBodyBytes bounds what is read of a delivery before its
	// signature is checked: a push carries a feed's new entries, far less
	// than a whole poll may. A larger push is refused and polling, which
	// continues in the background, picks the entries up.
	maxPushBodyBytes = 1 << 20
)

type subState int

const (
	subPending subState = iota // asked, waiting for the hub's verification
	subActive                  // verified; deliveries accepted
	subFailed                  // the hub refused or denied
)

type subscription struct {
	feed       Feed
	hub, topic string
	// token is the random callback path segment; secret the HMAC key sent
	// as hub.secret (never to a plain-http hub).
	token, secret string
	// awaiting is set while a subscribe request is out and the hub's
	// verification of it not yet seen: verification is accepted only then.
	awaiting    bool
	state       subState
	requestedAt time.Time
	verifiedAt  time.Time
	expires     time.Time
}

type webSub struct {
	p        *Poller
	base     string
	master   []byte
	lease    int
	slowdown int

	mu      sync.Mutex
	subs    map[string]*subscription // by source name
	byToken map[string]*subscription // by callback token
}

func newWebSub(p *Poller, o WebSubOptions) *webSub {
	w := &webSub{p: p, base: strings.TrimRight(o.CallbackBase, "/"), lease: o.LeaseSeconds,
		slowdown: o.Slowdown, subs: map[string]*subscription{}, byToken: map[string]*subscription{}}
	if w.lease <= 0 {
		w.lease = defaultLeaseSeconds
	}
	if w.slowdown <= 0 {
		w.slowdown = DefaultPushSlowdown
	}
	if o.Secret != "" {
		w.master = []byte(o.Secret)
	} else {
		w.master = make([]byte, 32)
		_, _ = rand.Read(w.master)
	}
	return w
}

// newCallbackToken is a random callback path segment: unguessable, so that
// only the hub we asked can verify or deliver.
func newCallbackToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// secretFor derives a subscription's HMAC secret from its random token.
func (w *webSub) secretFor(token string) string {
	m := hmac.New(sha256.New, w.master)
	m.Write([]byte(token))
	return hex.EncodeToString(m.Sum(nil))
}

// renewBefore is how long before expiry a lease is renewed: a tenth of it,
// between 5 minutes and a day.
func renewBefore(lease time.Duration) time.Duration {
	return min(max(lease/10, 5*time.Minute), 24*time.Hour)
}

// pollInterval stretches base by the slowdown while push is active, but
// not past the start of the renewal window: renewals happen on polls.
func (w *webSub) pollInterval(source string, base time.Duration, now time.Time) time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := w.subs[source]
	if s == nil || s.state != subActive || !now.Before(s.expires) {
		return base
	}
	untilRenewal := s.expires.Add(-renewBefore(s.expires.Sub(s.verifiedAt))).Sub(now)
	return max(base, min(base*time.Duration(w.slowdown), untilRenewal))
}

func (w *webSub) active(source string, now time.Time) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := w.subs[source]
	return s != nil && s.state == subActive && now.Before(s.expires)
}

// maybeSubscribe (re)subscribes feed to the first advertised hub when it is
// not subscribed, its lease is near its end, or the hub or topic changed.
func (p *Poller) maybeSubscribe(ctx context.Context, feed Feed, hubs []string, self string) {
	if p.push == nil || len(hubs) == 0 {
		return
	}
	w := p.push
	hub := hubs[0]
	topic := self
	if topic == "" {
		topic = feed.URL
	}
	now := p.opts.Now()
	w.mu.Lock()
	s := w.subs[feed.Name]
	due := s == nil || s.hub != hub || s.topic != topic
	if !due {
		switch s.state {
		case subPending, subFailed:
			due = now.Sub(s.requestedAt) >= retrySubscribeAfter
		case subActive:
			lease := s.expires.Sub(s.verifiedAt)
			due = now.After(s.expires.Add(-renewBefore(lease)))
			if s.requestedAt.After(s.verifiedAt) {
				// A renewal is already waiting for the hub's verification.
				due = due && now.Sub(s.requestedAt) >= retrySubscribeAfter
			}
		}
	}
	if !due {
		w.mu.Unlock()
		return
	}
	token := newCallbackToken()
	s = &subscription{feed: feed, hub: hub, topic: topic, token: token, secret: w.secretFor(token),
		state: subPending, requestedAt: now, awaiting: true}
	old := w.subs[feed.Name]
	if old != nil && old.state == subActive && old.hub == hub && old.topic == topic {
		// Renewal: same callback and secret, and deliveries keep being
		// accepted under the current lease.
		s.token, s.secret = old.token, old.secret
		s.state, s.expires, s.verifiedAt = subActive, old.expires, old.verifiedAt
	} else if old != nil {
		delete(w.byToken, old.token) // the old callback answers nothing now
	}
	w.subs[feed.Name] = s
	w.byToken[s.token] = s
	w.mu.Unlock()

	if err := w.subscribe(ctx, s, s.token); err != nil {
		p.log.Warn("websub subscription failed", slog.String("source", feed.Name),
			slog.String("hub", redactURL(hub)), slog.Any("err", err))
		w.mu.Lock()
		if w.subs[feed.Name] == s {
			s.awaiting = false
			if s.state != subActive {
				s.state = subFailed
			}
		}
		w.mu.Unlock()
		return
	}
	p.log.Info("websub subscription requested", slog.String("source", feed.Name), slog.String("hub", redactURL(hub)))
}

// subscribe sends the subscription request. The hub URL comes from the
// feed, so the request goes through the guarded client like any fetch.
func (w *webSub) subscribe(ctx context.Context, s *subscription, token string) error {
	hubURL, err := url.Parse(s.hub)
	if err != nil {
		return fmt.Errorf("hub URL %q is invalid: %w", redactURL(s.hub), err)
	}
	if err := w.p.fetcher.checkURL(hubURL); err != nil {
		return err
	}
	// The secret authenticates every delivery; sent in clear it would let
	// anyone on the path forge them. Polling goes on as before.
	if hubURL.Scheme != "https" {
		return fmt.Errorf("hub %s is not https: WebSub needs it to keep the delivery secret (polling continues)", redactURL(s.hub))
	}
	form := url.Values{
		"hub.mode":          {"subscribe"},
		"hub.topic":         {s.topic},
		"hub.callback":      {w.base + "/" + token},
		"hub.secret":        {s.secret},
		"hub.lease_seconds": {strconv.Itoa(w.lease)},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, hubURL.String(), strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", w.p.fetcher.limits.UserAgent)
	resp, err := w.p.fetcher.client.Do(req)
	if err != nil {
		return classifyTransportError(err, w.p.fetcher.limits)
	}
	defer resp.Body.Close()
	_, _ = io.CopyN(io.Discard, resp.Body, 4<<10)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return &StatusError{Code: resp.StatusCode}
	}
	return nil
}

// WebSubHandler returns the handler for hub callbacks; mount it at the
// path of WebSubOptions.CallbackBase with a trailing slash, e.g.
// mux.Handle("/websub/", poller.WebSubHandler()). Without WebSub
// configured it answers 404 to everything.
func (p *Poller) WebSubHandler() http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if p.push == nil {
			http.NotFound(rw, r)
			return
		}
		switch r.Method {
		case http.MethodGet:
			p.push.verify(rw, r)
		case http.MethodPost:
			p.push.deliver(rw, r)
		default:
			rw.Header().Set("Allow", "GET, POST")
			http.Error(rw, "method not allowed", http.StatusMethodNotAllowed)
		}
	})
}

// verify answers the hub's intent verification: the challenge is echoed
// only for a topic and mode we asked for, so nobody can subscribe us to
// something else.
func (w *webSub) verify(rw http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	token := path.Base(r.URL.Path)
	mode, topic, challenge := q.Get("hub.mode"), q.Get("hub.topic"), q.Get("hub.challenge")
	now := w.p.opts.Now()

	w.mu.Lock()
	s := w.byToken[token]
	if s == nil || s.topic != topic {
		w.mu.Unlock()
		http.NotFound(rw, r)
		return
	}
	switch mode {
	case "subscribe":
		if !s.awaiting {
			// Only a request we made, once: a replayed or unsolicited
			// verification must not revive a denied or lapsed subscription.
			w.mu.Unlock()
			http.NotFound(rw, r)
			return
		}
		if challenge == "" {
			w.mu.Unlock()
			http.Error(rw, "missing hub.challenge", http.StatusBadRequest)
			return
		}
		// The hub may grant less than we asked, never more.
		lease := w.lease
		if n, err := strconv.Atoi(q.Get("hub.lease_seconds")); err == nil && n > 0 && n < lease {
			lease = n
		}
		s.awaiting = false
		s.state = subActive
		s.verifiedAt = now
		s.expires = now.Add(time.Duration(lease) * time.Second)
		name := s.feed.Name
		w.mu.Unlock()
		w.p.log.Info("websub subscription verified", slog.String("source", name), slog.Int("lease_seconds", lease))
		rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(rw, challenge)
	case "denied":
		s.awaiting = false
		s.state = subFailed
		name := s.feed.Name
		w.mu.Unlock()
		w.p.log.Warn("websub subscription denied by hub", slog.String("source", name), slog.String("reason", q.Get("hub.reason")))
		rw.WriteHeader(http.StatusOK)
	default:
		// We never ask to unsubscribe: leases simply lapse.
		w.mu.Unlock()
		http.NotFound(rw, r)
	}
}

// deliver accepts a content distribution: the body must carry a valid
// X-Hub-Signature for the subscription's secret, then it is parsed,
// normalised and recorded exactly like a poll. The hub gets 2xx only after
// the items are committed, so it retries if we crash before.
func (w *webSub) deliver(rw http.ResponseWriter, r *http.Request) {
	token := path.Base(r.URL.Path)
	w.mu.Lock()
	s := w.byToken[token]
	var feed Feed
	var secret string
	ok := s != nil && s.state == subActive
	if ok {
		feed, secret = s.feed, s.secret
	}
	w.mu.Unlock()
	if !ok {
		http.NotFound(rw, r)
		return
	}
	limit := min(w.p.fetcher.limits.MaxBodyBytes, maxPushBodyBytes)
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		http.Error(rw, "reading body failed", http.StatusBadRequest)
		return
	}
	log := w.p.log.With(slog.String("source", feed.Name))
	if int64(len(body)) > limit {
		log.Warn("websub delivery refused: larger than the push limit; polling will pick it up",
			slog.Int64("limit_bytes", limit))
		http.Error(rw, "body too large", http.StatusRequestEntityTooLarge)
		return
	}
	if !validSignature(r.Header.Get("X-Hub-Signature"), secret, body) {
		log.Warn("websub delivery rejected: bad or missing X-Hub-Signature")
		http.Error(rw, "invalid signature", http.StatusForbidden)
		return
	}
	res, err := w.p.ingest(r.Context(), feed, body, r.Header.Get("Content-Type"))
	if err != nil {
		log.Warn("websub delivery not recorded", slog.String("reason", Reason(err)), slog.Any("err", err))
		// 5xx makes the hub retry a delivery we could not store; a body
		// that is not a feed will not get better, so accept and drop it.
		if isSourceError(err) {
			rw.WriteHeader(http.StatusAccepted)
			return
		}
		http.Error(rw, "could not record delivery", http.StatusInternalServerError)
		return
	}
	log.Debug("websub delivery recorded", slog.Int("items", res.Items), slog.Int("new", len(res.New)))
	rw.WriteHeader(http.StatusNoContent)
}

func isSourceError(err error) bool {
	var e *Error
	return errors.As(err, &e)
}

// validSignature checks "method=hexdigest" against HMAC(secret, body).
func validSignature(header, secret string, body []byte) bool {
	method, sig, ok := strings.Cut(strings.TrimSpace(header), "=")
	if !ok || secret == "" {
		return false
	}
	var h func() hash.Hash
	switch strings.ToLower(method) {
	case "sha1":
		h = sha1.New
	case "sha256":
		h = sha256.New
	case "sha384":
		h = sha512.New384
	case "sha512":
		h = sha512.New
	default:
		return false
	}
	want, err := hex.DecodeString(sig)
	if err != nil {
		return false
	}
	m := hmac.New(h, []byte(secret))
	m.Write(body)
	return hmac.Equal(m.Sum(nil), want)
}

// ingest records a pushed document through the same path as a poll.
func (p *Poller) ingest(ctx context.Context, feed Feed, body []byte, contentType string) (PollResult, error) {
	unlock := p.lockSource(feed.Name)
	defer unlock()
	st, err := p.sourceState(ctx, feed)
	if err != nil {
		return PollResult{}, err
	}
	doc, err := p.parse(body, contentType, feed.URL)
	if err != nil {
		return PollResult{}, err
	}
	now := p.opts.Now().UTC()
	items := Normalize(doc.Feed, feed, feed.URL, now)
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeWriteTimeout)
	defer cancel()
	// Pushes carry no HTTP validators of the feed: keep the stored ones.
	return p.record(wctx, feed, st, items, st.ETag, st.LastModified, now, store.LeaseKeep{})
}
