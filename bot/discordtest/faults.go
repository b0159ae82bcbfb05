package discordtest

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Request is one REST request the fake received.
type Request struct {
	Method string
	// Path is the request path without the /api/vN prefix, for example
	// /channels/900000000000000200/messages.
	Path string
	// Route is the fake's route that served it, for example
	// "POST /channels/{channel_id}/messages"; "" for an unknown route.
	Route  string
	Query  url.Values
	Header http.Header
	// Body is the JSON body; for multipart requests, the payload_json part.
	Body     []byte
	Status   int
	Response []byte
	// Fault is true when the status came from an injected Fault.
	Fault bool
	At    time.Time
}

// Requests returns every REST request received so far, in arrival order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	for i, r := range s.requests {
		out[i] = r
		out[i].Header = r.Header.Clone()
		out[i].Query = cloneValues(r.Query)
		out[i].Body = bytes.Clone(r.Body)
		out[i].Response = bytes.Clone(r.Response)
	}
	return out
}

// RequestsMatching returns the requests matching a route pattern such as
// "POST /channels/{id}/messages" (any {name} matches one path segment; a
// literal ID matches only that ID).
func (s *Server) RequestsMatching(pattern string) []Request {
	p := mustParsePattern(pattern)
	var out []Request
	for _, r := range s.Requests() {
		if p.match(r.Method, r.Path) {
			out = append(out, r)
		}
	}
	return out
}

func cloneValues(v url.Values) url.Values {
	if v == nil {
		return nil
	}
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// Fault is a response the fake gives instead of (or after) handling a request.
type Fault struct {
	// Status is the HTTP status, for example 429, 502 or 403.
	Status int
	// Code and Message form Discord's JSON error body; Message defaults to
	// "<status>: <status text>".
	Code    int
	Message string
	// RetryAfter is sent for 429s as the Retry-After header (whole seconds,
	// rounded up), retry_after in the body (fractional seconds) and the
	// X-RateLimit-Reset(-After) headers.
	RetryAfter time.Duration
	// Global marks a 429 as the global rate limit.
	Global bool
	// ApplyFirst handles the request normally (for example stores the
	// message) and then answers with the fault: a response lost on the way,
	// the case a nonce must deduplicate.
	ApplyFirst bool
	// Repeat is how many matching requests get the fault: 0 means the next
	// one only, a negative number means every one from now on.
	Repeat int
}

// Always returns f applied to every matching request.
func (f Fault) Always() Fault { f.Repeat = -1; return f }

// Discord's permanent errors a poster must stop retrying on.
var (
	UnknownChannel     = Fault{Status: http.StatusNotFound, Code: 10003, Message: "Unknown Channel"}
	UnknownMessage     = Fault{Status: http.StatusNotFound, Code: 10008, Message: "Unknown Message"}
	MissingAccess      = Fault{Status: http.StatusForbidden, Code: 50001, Message: "Missing Access"}
	MissingPermissions = Fault{Status: http.StatusForbidden, Code: 50013, Message: "Missing Permissions"}
)

type faultEntry struct {
	pattern routePattern
	fault   Fault
	left    int // <0: forever
}

// Inject makes the next matching request(s) fail with f. route is a pattern
// like "POST /channels/{id}/messages" (an /api/v9 prefix is accepted); it
// panics on a malformed pattern, which is a bug in the test. Faults apply in
// the order injected.
func (s *Server) Inject(route string, f Fault) {
	p := mustParsePattern(route)
	if f.Status < 400 || f.Status > 599 {
		panic(fmt.Sprintf("discordtest: Inject(%q): status %d is not an HTTP error status", route, f.Status))
	}
	left := f.Repeat
	if left == 0 {
		left = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &faultEntry{pattern: p, fault: f, left: left})
}

// FailNext answers the next matching request with status; for 429 it uses
// retryAfter as Discord's Retry-After.
func (s *Server) FailNext(route string, status int, retryAfter time.Duration) {
	s.Inject(route, Fault{Status: status, RetryAfter: retryAfter})
}

// FailAfterStore handles the next matching request (storing the message) and
// then answers with status, as when Discord's response is lost.
func (s *Server) FailAfterStore(route string, status int) {
	s.Inject(route, Fault{Status: status, ApplyFirst: true})
}

// ClearFaults drops every injected fault not yet used.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

func (s *Server) takeFault(method, path string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, fe := range s.faults {
		if !fe.pattern.match(method, path) {
			continue
		}
		if fe.left > 0 {
			fe.left--
			if fe.left == 0 {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
			}
		}
		return fe.fault, true
	}
	return Fault{}, false
}

func writeFault(w http.ResponseWriter, f Fault, route string, now time.Time) {
	if f.Status == http.StatusTooManyRequests {
		secs := f.RetryAfter.Seconds()
		h := w.Header()
		h.Set("Retry-After", strconv.Itoa(int(math.Ceil(secs))))
		h.Set("X-RateLimit-Limit", "5")
		h.Set("X-RateLimit-Remaining", "0")
		h.Set("X-RateLimit-Reset", strconv.FormatFloat(float64(now.Add(f.RetryAfter).UnixMilli())/1000, 'f', 3, 64))
		h.Set("X-RateLimit-Reset-After", strconv.FormatFloat(secs, 'f', 3, 64))
		h.Set("X-RateLimit-Bucket", bucketHash(route))
		scope := "user"
		if f.Global {
			scope = "global"
			h.Set("X-RateLimit-Global", "true")
		}
		h.Set("X-RateLimit-Scope", scope)
		msg := f.Message
		if msg == "" {
			msg = "You are being rate limited."
		}
		writeJSON(w, f.Status, map[string]any{"message": msg, "retry_after": secs, "global": f.Global, "code": f.Code})
		return
	}
	msg := f.Message
	if msg == "" {
		msg = fmt.Sprintf("%d: %s", f.Status, http.StatusText(f.Status))
	}
	writeJSON(w, f.Status, map[string]any{"message": msg, "code": f.Code})
}

func bucketHash(route string) string {
	h := fnv.New64a()
	_, _ = h.Write([]byte(route))
	return strconv.FormatUint(h.Sum64(), 16)
}

// routePattern matches "METHOD /a/{x}/c" against a request.
type routePattern struct {
	method   string
	segments []string
}

func mustParsePattern(p string) routePattern {
	method, path, ok := strings.Cut(strings.TrimSpace(p), " ")
	path = strings.TrimSpace(path)
	if !ok || method == "" || !strings.HasPrefix(path, "/") {
		panic(fmt.Sprintf("discordtest: route pattern %q must look like \"POST /channels/{id}/messages\"", p))
	}
	if rest, ok := stripAPIPrefix(path); ok {
		path = rest
	}
	return routePattern{method: strings.ToUpper(method), segments: strings.Split(strings.Trim(path, "/"), "/")}
}

func (p routePattern) match(method, path string) bool {
	if p.method != method && p.method != "*" {
		return false
	}
	segs := strings.Split(strings.Trim(path, "/"), "/")
	if len(segs) != len(p.segments) {
		return false
	}
	for i, ps := range p.segments {
		if strings.HasPrefix(ps, "{") && strings.HasSuffix(ps, "}") {
			if segs[i] == "" {
				return false
			}
			continue
		}
		if ps != segs[i] {
			return false
		}
	}
	return true
}

// stripAPIPrefix turns /api/v9/x into /x.
func stripAPIPrefix(path string) (string, bool) {
	rest, ok := strings.CutPrefix(path, "/api/v")
	if !ok {
		return path, false
	}
	i := strings.IndexByte(rest, '/')
	if i < 0 {
		return "/", true
	}
	if _, err := strconv.Atoi(rest[:i]); err != nil {
		return path, false
	}
	return rest[i:], true
}
