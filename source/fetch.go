package source

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// acceptHeader prefers feed types but accepts anything: many servers label
// feeds text/html or application/octet-stream, and Parse sniffs anyway.
const acceptHeader = "application/rss+xml, application/atom+xml, application/feed+json, " +
	"application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"

// Validators are the conditional-GET values from the last 200 response.
type Validators struct {
	ETag         string
	LastModified string
}

// Response is the outcome of one successful fetch.
type Response struct {
	// URL is the final URL after redirects.
	URL string
	// NotModified is set for a 304; Body is then empty.
	NotModified bool
	// ETag and LastModified are the response's validators (on a 304, the
	// ones sent, unless the server sent new ones).
	ETag         string
	LastModified string
	ContentType  string
	// Body is the decompressed body, at most Limits.MaxBodyBytes long.
	Body []byte
	// Hubs and Self come from HTTP Link headers (rel="hub", rel="self"), for WebSub.
	Hubs []string
	Self string
	// Header is the response's, for the caching hints the schedule honours.
	Header http.Header
}

// Fetcher makes bounded, polite HTTP requests for feeds. It is safe for
// concurrent use.
type Fetcher struct {
	client *http.Client
	limits Limits
	log    *slog.Logger
	now    func() time.Time
	// blocked decides which addresses the guard refuses; tests narrow it to
	// exercise redirects from an allowed loopback address to a refused one.
	blocked func(netip.Addr) bool
}

// NewFetcher builds a Fetcher with its own http.Client: a clone of
// http.DefaultTransport (so HTTPS_PROXY, NO_PROXY and SSL_CERT_FILE keep
// working), the address guard in the dialer (narrowed to link-local and
// metadata addresses by limits.AllowPrivateNetworks), transparent gzip, the redirect limit and
// the request timeout. Zero fields of limits take the defaults.
func NewFetcher(limits Limits, log *slog.Logger) *Fetcher {
	if limits.AllowPrivateNetworks {
		return newFetcher(limits, log, IsLinkLocalOrMetadata)
	}
	return newFetcher(limits, log, IsPrivateAddr)
}

func newFetcher(limits Limits, log *slog.Logger, blocked func(netip.Addr) bool) *Fetcher {
	limits = limits.withDefaults()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	f := &Fetcher{limits: limits, log: log, now: time.Now, blocked: blocked}
	dialer := newGuardedDialer(func(ip netip.Addr) bool { return f.blocked(ip) })

	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = dialer.proxy
	tr.DialContext = dialer.DialContext
	tr.TLSHandshakeTimeout = 10 * time.Second
	tr.ResponseHeaderTimeout = limits.Timeout
	tr.MaxIdleConnsPerHost = 2
	// Leaving DisableCompression false makes the transport ask for gzip and
	// decompress transparently, so the body limit counts decompressed bytes.
	tr.DisableCompression = false

	f.client = &http.Client{
		Transport: tr,
		Timeout:   limits.Timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > limits.MaxRedirects {
				return newError(ErrTooManyRedirects, fmt.Sprintf("more than %d redirects", limits.MaxRedirects), nil)
			}
			return f.checkURL(req.URL)
		},
	}
	return f
}

// Client returns the guarded client, for other requests to feed-supplied
// URLs (such as WebSub hubs) that need the same protections.
func (f *Fetcher) Client() *http.Client { return f.client }

// Limits returns the limits in force, defaults filled in.
func (f *Fetcher) Limits() Limits { return f.limits }

func (f *Fetcher) checkURL(u *url.URL) error {
	if u.Scheme != "http" && u.Scheme != "https" {
		return newError(ErrUnsupportedScheme, fmt.Sprintf("%q is not an http(s) URL", redactURL(u.String())), nil)
	}
	if u.Host == "" {
		return newError(ErrUnsupportedScheme, fmt.Sprintf("%q has no host", redactURL(u.String())), nil)
	}
	return checkURLHost(u, f.blocked, !f.limits.AllowPrivateNetworks)
}

// Fetch GETs rawURL, conditionally when v carries validators. A 304 returns
// a Response with NotModified set and no body. Other non-2xx statuses
// return a *StatusError. The body is read up to Limits.MaxBodyBytes of
// decompressed data and the request is aborted as soon as it exceeds that.
func (f *Fetcher) Fetch(ctx context.Context, rawURL string, v Validators) (*Response, error) {
	hdr := http.Header{}
	hdr.Set("Accept", acceptHeader)
	if v.ETag != "" {
		hdr.Set("If-None-Match", v.ETag)
	}
	if v.LastModified != "" {
		hdr.Set("If-Modified-Since", v.LastModified)
	}

	start := time.Now()
	resp, err := f.get(ctx, rawURL, hdr)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()

	out := &Response{
		URL:          resp.Request.URL.String(),
		ETag:         resp.Header.Get("ETag"),
		LastModified: resp.Header.Get("Last-Modified"),
		ContentType:  resp.Header.Get("Content-Type"),
		Header:       resp.Header,
	}
	out.Hubs, out.Self = linkHeaderRels(resp.Header.Values("Link"), resp.Request.URL)
	log := f.log.With(slog.String("feed_url", redactURL(rawURL)), slog.Int("status", resp.StatusCode))

	switch {
	case resp.StatusCode == http.StatusNotModified:
		out.NotModified = true
		if out.ETag == "" {
			out.ETag = v.ETag
		}
		if out.LastModified == "" {
			out.LastModified = v.LastModified
		}
		log.Debug("feed not modified", slog.Duration("took", time.Since(start)))
		return out, nil
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		log.Debug("feed fetch failed", slog.Duration("took", time.Since(start)))
		return nil, f.statusError(resp)
	}

	body, err := f.readBody(ctx, resp)
	if err != nil {
		return nil, err
	}
	out.Body = body
	log.Debug("feed fetched", slog.Int("bytes", len(body)), slog.Duration("took", time.Since(start)))
	return out, nil
}

// get sends a GET for rawURL with the fetcher's checks, User-Agent and the
// given extra headers. It is the one request path every fetch shares, so
// the scheme check, the guard and the error wording cannot drift apart.
// The caller closes the response body.
func (f *Fetcher) get(ctx context.Context, rawURL string, hdr http.Header) (*http.Response, error) {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil {
		return nil, newError(ErrUnsupportedScheme, fmt.Sprintf("%q is not a valid URL", redactURL(rawURL)), err)
	}
	if err := f.checkURL(u); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, newError(ErrUnsupportedScheme, "cannot build request", err)
	}
	for k, vs := range hdr {
		req.Header[k] = vs
	}
	req.Header.Set("User-Agent", f.limits.UserAgent)

	resp, err := f.client.Do(req)
	if err != nil {
		if errors.Is(ctx.Err(), context.Canceled) {
			return nil, ctx.Err()
		}
		return nil, classifyTransportError(err, f.limits)
	}
	return resp, nil
}

// statusError describes a non-2xx response and drains a little of its body
// so the connection can be reused; never the whole body.
func (f *Fetcher) statusError(resp *http.Response) error {
	se := &StatusError{Code: resp.StatusCode}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		se.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), f.now())
	}
	_, _ = io.CopyN(io.Discard, resp.Body, 4<<10)
	return se
}

// readBody reads at most Limits.MaxBodyBytes of decompressed body. Past the
// limit it returns ErrTooLarge; the caller's Close then aborts the transfer
// mid-stream.
func (f *Fetcher) readBody(ctx context.Context, resp *http.Response) ([]byte, error) {
	limit := f.limits.MaxBodyBytes
	if resp.ContentLength > limit {
		return nil, newError(ErrTooLarge, "response larger than "+formatBytes(limit), nil)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		if errors.Is(ctx.Err(), context.Canceled) {
			return nil, ctx.Err()
		}
		if strings.Contains(err.Error(), "gzip") || strings.Contains(err.Error(), "flate") {
			return nil, newError(ErrNetwork, "the compressed response is corrupt", err)
		}
		return nil, classifyTransportError(err, f.limits)
	}
	if int64(len(body)) > limit {
		return nil, newError(ErrTooLarge, "response larger than "+formatBytes(limit), nil)
	}
	return body, nil
}

// parseRetryAfter reads a Retry-After value: delay-seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		if secs > int64(maxRetryAfter/time.Second) {
			return maxRetryAfter
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		if d <= 0 {
			return 0
		}
		return min(d, maxRetryAfter)
	}
	return 0
}

// maxRetryAfter bounds how long a server can park a source: long enough to
// be polite, short enough that a typo on the server does not silence it.
const maxRetryAfter = 24 * time.Hour

// linkHeaderRels extracts WebSub rel="hub" and rel="self" targets from
// HTTP Link headers (RFC 8288), resolved against base.
func linkHeaderRels(values []string, base *url.URL) (hubs []string, self string) {
	for _, v := range values {
		for _, part := range splitLinkHeader(v) {
			part = strings.TrimSpace(part)
			if !strings.HasPrefix(part, "<") {
				continue
			}
			end := strings.Index(part, ">")
			if end < 0 {
				continue
			}
			target := part[1:end]
			var rels []string
			for _, param := range strings.Split(part[end+1:], ";") {
				k, val, ok := strings.Cut(strings.TrimSpace(param), "=")
				if ok && strings.EqualFold(strings.TrimSpace(k), "rel") {
					rels = strings.Fields(strings.ToLower(strings.Trim(strings.TrimSpace(val), `"`)))
				}
			}
			ref, err := base.Parse(target)
			if err != nil {
				continue
			}
			for _, r := range rels {
				switch r {
				case "hub":
					hubs = append(hubs, ref.String())
				case "self":
					self = ref.String()
				}
			}
		}
	}
	return hubs, self
}

// splitLinkHeader splits on commas that are outside <...> and quotes.
func splitLinkHeader(s string) []string {
	var parts []string
	var inURL, inQuote bool
	start := 0
	for i, r := range s {
		switch {
		case r == '<' && !inQuote:
			inURL = true
		case r == '>' && !inQuote:
			inURL = false
		case r == '"' && !inURL:
			inQuote = !inQuote
		case r == ',' && !inURL && !inQuote:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// formatBytes prints a size the way the configuration states it.
func formatBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// redactURL drops credentials and masks secret-looking query values so
// URLs can be logged.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	u.User = nil
	if u.RawQuery != "" {
		q := u.Query()
		changed := false
		for k := range q {
			lk := strings.ToLower(k)
			for _, s := range []string{"token", "key", "secret", "password", "passwd", "auth", "sig", "session"} {
				if strings.Contains(lk, s) {
					q.Set(k, "REDACTED")
					changed = true
					break
				}
			}
		}
		if changed {
			u.RawQuery = q.Encode()
		}
	}
	return u.String()
}
