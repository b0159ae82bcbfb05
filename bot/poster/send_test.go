package poster

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

func restErr(status, code int, msg string) error {
	return &discordgo.RESTError{
		Response: &http.Response{StatusCode: status, Status: fmt.Sprintf("%d %s", status, http.StatusText(status))},
		Message:  &discordgo.APIErrorMessage{Code: code, Message: msg},
	}
}

func TestClassify(t *testing.T) {
	t.Parallel()
	rateLimit := &discordgo.RateLimitError{RateLimit: &discordgo.RateLimit{
		TooManyRequests: &discordgo.TooManyRequests{RetryAfter: 1500 * time.Millisecond}, URL: "x"}}
	tests := []struct {
		name       string
		err        error
		kind       errKind
		cause      string
		wantReason string
		wait       time.Duration
	}{
		{"429", rateLimit, kindRateLimited, CauseRateLimit, "rate limited", 1500 * time.Millisecond},
		{"429 without retry_after", &discordgo.RateLimitError{RateLimit: &discordgo.RateLimit{TooManyRequests: &discordgo.TooManyRequests{}}},
			kindRateLimited, CauseRateLimit, "rate limited", time.Second},
		{"502 discordgo did not retry", errors.New("Exceeded Max retries HTTP 502 Bad Gateway, "), kindTransient, CauseServerError, "502", 0},
		{"500", restErr(500, 0, "500: Internal Server Error"), kindTransient, CauseServerError, "500 Internal Server Error", 0},
		{"503", restErr(503, 0, ""), kindTransient, CauseServerError, "503", 0},
		{"timeout", fmt.Errorf("Post: %w", context.DeadlineExceeded), kindTransient, CauseNetwork, "did not answer", 0},
		{"connection refused", errors.New("dial tcp: connection refused"), kindTransient, CauseNetwork, "could not reach Discord", 0},
		{"unknown channel", restErr(404, 10003, "Unknown Channel"), kindPermanent, CauseUnknownChannel, "(Unknown Channel)", 0},
		{"missing access", restErr(403, 50001, "Missing Access"), kindPermanent, CauseMissingAccess, "the bot cannot see this channel (Missing Access)", 0},
		{"missing permissions", restErr(403, 50013, "Missing Permissions"), kindPermanent, CauseMissingPerms, "(Missing Permissions)", 0},
		{"another 403", restErr(403, 50083, "Thread is archived"), kindPermanent, CauseRejected, "Thread is archived", 0},
		{"invalid form", restErr(400, 50035, "Invalid Form Body"), kindInvalid, CauseRejected, "Invalid Form Body", 0},
		{"unauthorized", restErr(401, 0, "401: Unauthorized"), kindUnauthorized, CauseUnauthorized, "token", 0},
		{"4xx without a Discord code is a proxy", restErr(403, 0, "forbidden"), kindTransient, CauseServerError, "403", 0},
		{"409", restErr(409, 0, ""), kindTransient, CauseServerError, "409", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := classify(nil, tt.err, 20*time.Second)
			if got.kind != tt.kind || got.cause != tt.cause || !strings.Contains(got.reason, tt.wantReason) || got.wait != tt.wait {
				t.Errorf("classify(%v) = kind %d cause %q reason %q wait %v; want kind %d cause %q reason with %q wait %v",
					tt.err, got.kind, got.cause, got.reason, got.wait, tt.kind, tt.cause, tt.wantReason, tt.wait)
			}
			if !errors.Is(got, tt.err) {
				t.Errorf("classified error does not wrap %v", tt.err)
			}
		})
	}
}

func TestNonce(t *testing.T) {
	t.Parallel()
	seen := map[string]string{}
	for _, id := range []int64{1, 35, 36, 1 << 40, math.MaxInt64} {
		for _, part := range []int{0, 1, 9, 10, 99} {
			n := nonce(id, part)
			if len(n) > 25 {
				t.Errorf("nonce(%d, %d) = %q: %d characters, over Discord's 25", id, part, n, len(n))
			}
			if n != nonce(id, part) {
				t.Errorf("nonce(%d, %d) is not stable", id, part)
			}
			key := fmt.Sprint(id, "/", part)
			if other, dup := seen[n]; dup {
				t.Errorf("nonce %q for both %s and %s", n, other, key)
			}
			seen[n] = key
		}
	}
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	for attempts := 0; attempts <= 40; attempts++ {
		d := min(backoffBase<<max(attempts-1, 0), backoffCap)
		if attempts >= 20 {
			d = backoffCap
		}
		for range 50 {
			got := backoff(attempts)
			if got < d/2 || got > d || got > backoffCap {
				t.Fatalf("backoff(%d) = %v, want within [%v, %v] and at most %v", attempts, got, d/2, d, backoffCap)
			}
		}
	}
}
