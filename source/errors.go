package source

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
)

// Errors callers test for with errors.Is. Every error the Fetcher, Parse and
// the Poller return wraps one of these or a *StatusError.
var (
	ErrPrivateNetwork    = errors.New("source: refusing to fetch a private network address")
	ErrUnsupportedScheme = errors.New("source: only http and https URLs can be fetched")
	ErrTooManyRedirects  = errors.New("source: too many redirects")
	ErrTooLarge          = errors.New("source: response body exceeds the size limit")
	ErrTimeout           = errors.New("source: request timed out")
	ErrHTTPStatus        = errors.New("source: unexpected HTTP status")
	ErrNotFeed           = errors.New("source: document is not a feed")
	ErrMalformedFeed     = errors.New("source: feed is malformed")
	ErrNetwork           = errors.New("source: network error")
)

// Error is a source failure with a sentence a user understands, kept apart
// from the technical detail that goes to the log.
type Error struct {
	// Kind is one of the Err* sentinels.
	Kind error
	// Reason is the plain-words text for health displays ("HTTP 404").
	Reason string
	// Err is the underlying cause, if any.
	Err error
}

func (e *Error) Error() string {
	s := e.Kind.Error()
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap exposes both the sentinel and the cause to errors.Is/As.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

func newError(kind error, reason string, cause error) *Error {
	return &Error{Kind: kind, Reason: reason, Err: cause}
}

// StatusError is a non-2xx, non-304 HTTP response.
type StatusError struct {
	Code int
	// RetryAfter is the server's Retry-After on 429/503, zero if absent.
	RetryAfter time.Duration
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("source: unexpected HTTP status %d %s", e.Code, http.StatusText(e.Code))
}

// Is makes errors.Is(err, ErrHTTPStatus) true for every StatusError.
func (e *StatusError) Is(target error) bool { return target == ErrHTTPStatus }

func (e *StatusError) reason() string {
	s := fmt.Sprintf("HTTP %d", e.Code)
	if t := http.StatusText(e.Code); t != "" {
		s += " " + t
	}
	if e.RetryAfter > 0 {
		s += fmt.Sprintf("; Retry-After honoured, next try in %s", roundDuration(e.RetryAfter))
	}
	return s
}

// Reason returns a short explanation of err in plain words, suitable for
// the sources health display: "HTTP 404 Not Found", "timed out after 20s",
// "not a feed: got an HTML page". It never returns an empty string for a
// non-nil error.
func Reason(err error) string {
	if err == nil {
		return ""
	}
	var se *StatusError
	if errors.As(err, &se) {
		return se.reason()
	}
	var e *Error
	if errors.As(err, &e) && e.Reason != "" {
		return e.Reason
	}
	if errors.Is(err, context.Canceled) {
		return "cancelled (shutting down)"
	}
	return "failed: " + err.Error()
}

// classifyTransportError turns what http.Client.Do returns into an *Error
// with a plain reason. Errors already classified (from the guard or
// CheckRedirect) pass through unchanged.
func classifyTransportError(err error, limits Limits) error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return newError(ErrTimeout, "timed out after "+roundDuration(limits.Timeout), err)
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		if dnsErr.IsNotFound {
			return newError(ErrNetwork, "host not found: "+dnsErr.Name, err)
		}
		return newError(ErrNetwork, "DNS lookup failed for "+dnsErr.Name, err)
	}
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	if errors.As(err, &unknownAuth) || errors.As(err, &hostErr) || errors.As(err, &invalid) {
		return newError(ErrNetwork, "TLS certificate not trusted", err)
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "connection refused"):
		return newError(ErrNetwork, "connection refused", err)
	case strings.Contains(msg, "connection reset"):
		return newError(ErrNetwork, "connection reset by the server", err)
	case strings.Contains(msg, "no route to host"), strings.Contains(msg, "network is unreachable"):
		return newError(ErrNetwork, "host unreachable", err)
	case strings.Contains(msg, "tls:"):
		return newError(ErrNetwork, "TLS handshake failed", err)
	}
	return newError(ErrNetwork, "network error", err)
}

// roundDuration prints durations the way people say them: "20s", "2m", "1h30m".
func roundDuration(d time.Duration) string {
	switch {
	case d >= time.Minute:
		d = d.Round(time.Second)
	case d >= time.Second:
		d = d.Round(100 * time.Millisecond)
	default:
		d = d.Round(time.Millisecond)
	}
	s := d.String() // "20s", "2m0s", "1h0m0s"
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
