package source

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/story"
)

// fakeHub records subscription requests.
type fakeHub struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []url.Values
}

func newFakeHub(t *testing.T) *fakeHub {
	h := &fakeHub{}
	h.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			t.Errorf("hub: %v", err)
		}
		h.mu.Lock()
		h.reqs = append(h.reqs, r.PostForm)
		h.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *fakeHub) requests() []url.Values {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]url.Values(nil), h.reqs...)
}

type webSubFixture struct {
	*pollerFixture
	hub      *fakeHub
	callback *httptest.Server
	topic    string
}

func newWebSubFixture(t *testing.T) *webSubFixture {
	hub := newFakeHub(t)
	topic := "https://news.example.org/feed.xml"
	extra := `<atom:link rel="hub" href="` + hub.URL + `"/><atom:link rel="self" href="` + topic + `"/>`
	fx := newPollerFixture(t, rssDoc(extra, hourly("a", 2, pollNow)...), "", 0)
	wf := &webSubFixture{pollerFixture: fx, hub: hub, topic: topic}
	mux := http.NewServeMux()
	wf.callback = httptest.NewServer(mux)
	t.Cleanup(wf.callback.Close)
	f := testFetcher(t, Limits{})
	f.client.Transport.(*http.Transport).TLSClientConfig = hub.Client().Transport.(*http.Transport).TLSClientConfig
	fx.p = NewPoller(f, fx.store, []Feed{fx.feed}, PollerOptions{
		Now:    fx.clock.Now,
		WebSub: &WebSubOptions{CallbackBase: wf.callback.URL + "/websub", LeaseSeconds: 3600},
		OnNew: func(_ string, items []story.Item) {
			fx.mu.Lock()
			defer fx.mu.Unlock()
			fx.new = append(fx.new, items...)
		},
	}, testLogger(t))
	mux.Handle("/websub/", fx.p.WebSubHandler())
	return wf
}

func (wf *webSubFixture) verify(t *testing.T, callback, mode, topic, challenge string) (int, string) {
	t.Helper()
	return wf.verifyLease(t, callback, mode, topic, challenge, "3600")
}

func (wf *webSubFixture) verifyLease(t *testing.T, callback, mode, topic, challenge, lease string) (int, string) {
	t.Helper()
	q := url.Values{"hub.mode": {mode}, "hub.topic": {topic}, "hub.challenge": {challenge}, "hub.lease_seconds": {lease}}
	resp, err := http.Get(callback + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func deliver(t *testing.T, callback, body, sigHeader string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, callback, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/rss+xml")
	if sigHeader != "" {
		req.Header.Set("X-Hub-Signature", sigHeader)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func sign(h func() hash.Hash, name, secret, body string) string {
	m := hmac.New(h, []byte(secret))
	m.Write([]byte(body))
	return name + "=" + hex.EncodeToString(m.Sum(nil))
}

func TestWebSubSubscribeVerifyDeliver(t *testing.T) {
	wf := newWebSubFixture(t)
	wf.poll(t)
	reqs := wf.hub.requests()
	if len(reqs) != 1 {
		t.Fatalf("hub got %d subscription requests, want 1", len(reqs))
	}
	sub := reqs[0]
	callback, secret := sub.Get("hub.callback"), sub.Get("hub.secret")
	if sub.Get("hub.mode") != "subscribe" || sub.Get("hub.topic") != wf.topic || sub.Get("hub.lease_seconds") != "3600" ||
		!strings.HasPrefix(callback, wf.callback.URL+"/websub/") || len(secret) < 32 {
		t.Fatalf("subscription request = %v", sub)
	}

	// Deliveries before verification are refused.
	if code := deliver(t, callback, "x", sign(sha256.New, "sha256", secret, "x")); code != http.StatusNotFound {
		t.Errorf("delivery before verification: %d, want 404", code)
	}
	// Verification: the challenge is echoed only for the topic we asked for.
	if code, body := wf.verify(t, callback, "subscribe", "https://evil.example/other", "c1"); code != http.StatusNotFound || body == "c1" {
		t.Errorf("foreign topic verified: %d %q", code, body)
	}
	if code, body := wf.verify(t, wf.callback.URL+"/websub/unknown", "subscribe", wf.topic, "c2"); code != http.StatusNotFound || body == "c2" {
		t.Errorf("unknown callback verified: %d %q", code, body)
	}
	if code, body := wf.verify(t, callback, "unsubscribe", wf.topic, "c3"); code != http.StatusNotFound || body == "c3" {
		t.Errorf("unrequested unsubscribe verified: %d %q", code, body)
	}
	if code, body := wf.verify(t, callback, "subscribe", wf.topic, "c4"); code != http.StatusOK || body != "c4" {
		t.Fatalf("verification: %d %q, want 200 with the challenge", code, body)
	}
	// While subscribed, polling slows down.
	if got := wf.p.interval(wf.feed); got != 5*wf.feed.Interval {
		t.Errorf("interval while subscribed = %v, want %v", got, 5*wf.feed.Interval)
	}

	pushed := rssDoc("", append([]testItem{{GUID: "p1", Link: "https://news.example.org/pushed", Title: "pushed", Pub: pollNow}},
		hourly("a", 2, pollNow)...)...)
	for _, bad := range []string{"", "sha256=00", sign(sha256.New, "sha256", "wrong secret", pushed), "md5=abc", sign(sha256.New, "sha256", secret, pushed+" ")} {
		if code := deliver(t, callback, pushed, bad); code != http.StatusForbidden {
			t.Errorf("delivery with signature %q: %d, want 403", bad, code)
		}
	}
	if wf.store.count("test") != 2 {
		t.Fatalf("rejected deliveries were recorded: %d items", wf.store.count("test"))
	}
	if code := deliver(t, callback, pushed, sign(sha256.New, "sha256", secret, pushed)); code != http.StatusNoContent {
		t.Fatalf("signed delivery: %d, want 204", code)
	}
	if titles(wf.new) != "pushed" {
		t.Errorf("pushed items reached OnNew as %q", titles(wf.new))
	}
	// sha1 signatures (WebSub's historical default) are accepted too.
	pushed2 := rssDoc("", testItem{GUID: "p2", Link: "https://news.example.org/pushed2", Title: "pushed two", Pub: pollNow})
	if code := deliver(t, callback, pushed2, sign(sha1.New, "sha1", secret, pushed2)); code != http.StatusNoContent {
		t.Fatalf("sha1-signed delivery: %d", code)
	}
	if titles(wf.new) != "pushed|pushed two" {
		t.Errorf("OnNew = %q", titles(wf.new))
	}
}

func TestWebSubRenewsBeforeLeaseEnds(t *testing.T) {
	wf := newWebSubFixture(t)
	wf.poll(t)
	callback := wf.hub.requests()[0].Get("hub.callback")
	if code, _ := wf.verify(t, callback, "subscribe", wf.topic, "c"); code != http.StatusOK {
		t.Fatal("verification failed")
	}
	// Polls during the lease do not resubscribe.
	wf.clock.Advance(30 * time.Minute)
	wf.poll(t)
	if n := len(wf.hub.requests()); n != 1 {
		t.Fatalf("resubscribed mid-lease: %d requests", n)
	}
	// The slowed-down polling still lands in the renewal window (from 54 min).
	if got := wf.p.interval(wf.feed); got != 10*time.Minute {
		t.Errorf("interval at 30 min = %v, want 10m", got)
	}
	wf.clock.Advance(20 * time.Minute)
	if got := wf.p.interval(wf.feed); got != 4*time.Minute {
		t.Errorf("interval at 50 min = %v, want 4m (until the renewal window)", got)
	}
	wf.clock.Advance(-20 * time.Minute)
	// Near the end of the 1 h lease (renewal starts 6 min before): renew,
	// while still accepting deliveries under the current lease.
	wf.clock.Advance(25 * time.Minute)
	wf.poll(t)
	if n := len(wf.hub.requests()); n != 2 {
		t.Fatalf("not renewed near lease end: %d requests", n)
	}
	if !wf.p.push.active("test", wf.clock.Now()) {
		t.Error("subscription inactive during renewal")
	}
	// An unanswered renewal is not repeated on every poll.
	wf.clock.Advance(2 * time.Minute)
	wf.poll(t)
	if n := len(wf.hub.requests()); n != 2 {
		t.Errorf("renewal repeated before the retry interval: %d requests", n)
	}
}

func TestWebSubNeedsCallbackBase(t *testing.T) {
	fx := newPollerFixture(t, rssDoc(`<atom:link rel="hub" href="https://hub.example.net/"/>`, hourly("a", 1, pollNow)...), "", 0)
	fx.poll(t) // no WebSub options: nothing to subscribe, no panic
	rec := httptest.NewRecorder()
	fx.p.WebSubHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/websub/x?hub.challenge=c", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("handler without WebSub = %d, want 404", rec.Code)
	}
}

func TestWebSubHubURLIsGuarded(t *testing.T) {
	st := newFakeStore()
	p := NewPoller(NewFetcher(Limits{}, nil), st, nil, PollerOptions{WebSub: &WebSubOptions{CallbackBase: "https://bot.example.org/websub"}}, nil)
	s := &subscription{hub: "http://169.254.169.254/latest", topic: "t", secret: "s"}
	if err := p.push.subscribe(context.Background(), s, "tok"); err == nil || !strings.Contains(Reason(err), "private") {
		t.Errorf("subscribe to a metadata-address hub: %v", err)
	}
}

// The callback path is random per subscription, not derived from the
// source's name, and a new subscription gets a new one.
func TestWebSubCallbackIsRandomPerSubscription(t *testing.T) {
	wf := newWebSubFixture(t)
	wf.poll(t)
	first := wf.hub.requests()[0]
	callback := first.Get("hub.callback")
	token := callback[strings.LastIndex(callback, "/")+1:]
	if len(token) < 32 {
		t.Fatalf("callback token %q is too short to be unguessable", token)
	}
	legacy := sha256.Sum256([]byte("briefbot-websub\x00" + wf.feed.Name))
	if token == hex.EncodeToString(legacy[:12]) {
		t.Fatal("the callback token is the public hash of the source name")
	}
	// The hub denies; an hour later we ask again, under a new callback and
	// secret, and the old callback answers nothing.
	if code, _ := wf.verify(t, callback, "denied", wf.topic, ""); code != http.StatusOK {
		t.Fatalf("denial: %d", code)
	}
	wf.clock.Advance(retrySubscribeAfter)
	wf.poll(t)
	reqs := wf.hub.requests()
	if len(reqs) != 2 {
		t.Fatalf("hub got %d requests, want a retry", len(reqs))
	}
	if reqs[1].Get("hub.callback") == callback || reqs[1].Get("hub.secret") == first.Get("hub.secret") {
		t.Error("the retry reused the callback or secret")
	}
	if code, body := wf.verify(t, callback, "subscribe", wf.topic, "old"); code != http.StatusNotFound || body == "old" {
		t.Errorf("the old callback verified: %d %q", code, body)
	}
}

// Verification is accepted once, for a request we made: not after the hub
// denied it, not replayed, and with no more lease than we asked.
func TestWebSubVerificationCannotBeSpoofed(t *testing.T) {
	wf := newWebSubFixture(t)
	wf.poll(t)
	callback := wf.hub.requests()[0].Get("hub.callback")
	if code, _ := wf.verify(t, callback, "denied", wf.topic, ""); code != http.StatusOK {
		t.Fatalf("denial: %d", code)
	}
	if code, body := wf.verifyLease(t, callback, "subscribe", wf.topic, "spoof", "1000000000"); code != http.StatusNotFound || body == "spoof" {
		t.Errorf("verification after denial: %d %q, want 404", code, body)
	}
	if wf.p.push.active(wf.feed.Name, wf.clock.Now()) {
		t.Fatal("a denied subscription became active")
	}
	if got := wf.p.interval(wf.feed); got != wf.feed.Interval {
		t.Errorf("interval after spoofed verification = %v, want %v", got, wf.feed.Interval)
	}

	// A fresh request: the hub's verification with a huge lease is capped
	// at the 3600 s we asked, and a replay of it is refused.
	wf.clock.Advance(retrySubscribeAfter)
	wf.poll(t)
	callback = wf.hub.requests()[1].Get("hub.callback")
	if code, body := wf.verifyLease(t, callback, "subscribe", wf.topic, "c1", "1000000000"); code != http.StatusOK || body != "c1" {
		t.Fatalf("verification: %d %q", code, body)
	}
	wf.clock.Advance(time.Hour + time.Second)
	if wf.p.push.active(wf.feed.Name, wf.clock.Now()) {
		t.Error("the lease outlived the 3600 s asked for")
	}
	if code, body := wf.verify(t, callback, "subscribe", wf.topic, "c2"); code != http.StatusNotFound || body == "c2" {
		t.Errorf("replayed verification: %d %q, want 404", code, body)
	}
}

// countingReader counts what the handler read of a body.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// An unsigned or forged push is not read past a small bound.
func TestWebSubPushBodyBoundedBeforeSignature(t *testing.T) {
	wf := newWebSubFixture(t)
	wf.poll(t)
	callback := wf.hub.requests()[0].Get("hub.callback")
	if code, _ := wf.verify(t, callback, "subscribe", wf.topic, "c"); code != http.StatusOK {
		t.Fatal("verification failed")
	}
	path := callback[strings.Index(callback, "/websub/"):]
	body := &countingReader{r: io.LimitReader(zeros{}, 10<<20)}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, path, body)
	req.Header.Set("X-Hub-Signature", "sha256=00")
	wf.p.WebSubHandler().ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("10 MiB push: %d, want 413", rec.Code)
	}
	if body.n > maxPushBodyBytes+64<<10 {
		t.Errorf("read %d bytes of an unauthenticated push, want at most about %d", body.n, maxPushBodyBytes)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// A plain-http hub never gets our secret: no subscription is made.
func TestWebSubNoSecretToPlainHTTPHub(t *testing.T) {
	var got []url.Values
	var mu sync.Mutex
	hub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		mu.Lock()
		got = append(got, r.PostForm)
		mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))
	defer hub.Close()
	p := NewPoller(testFetcher(t, Limits{}), newFakeStore(), nil,
		PollerOptions{WebSub: &WebSubOptions{CallbackBase: "https://bot.example.org/websub"}}, testLogger(t))
	s := &subscription{hub: hub.URL + "/hub", topic: "https://news.example.org/feed", secret: "s3cret"}
	err := p.push.subscribe(context.Background(), s, "tok")
	if err == nil || !strings.Contains(err.Error(), "not https") {
		t.Errorf("subscribe to an http hub: err = %v, want a refusal naming https", err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, f := range got {
		if f.Get("hub.secret") != "" {
			t.Errorf("the secret was sent in clear: %v", f)
		}
	}
}
