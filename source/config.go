package source

import (
	"math/rand/v2"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/briefbot/briefbot/story"
)

// Defaults used when a field of Limits, Feed or PollerOptions is zero.
const (
	DefaultTimeout      = 20 * time.Second
	DefaultMaxBodyBytes = 10 << 20 // 10 MiB
	DefaultMaxRedirects = 5
	DefaultInterval     = 2 * time.Minute
	DefaultMaxItemAge   = 7 * 24 * time.Hour
	DefaultConcurrency  = 4
	DefaultMaxBackoff   = time.Hour
	// DefaultMaxNewPerPoll caps new pending items per poll of one source.
	DefaultMaxNewPerPoll = 25
	// DefaultMinInterval and DefaultMaxInterval bound adaptive intervals.
	DefaultMinInterval = 30 * time.Second
	DefaultMaxInterval = 30 * time.Minute
	// DefaultPushSlowdown stretches the polling interval of a source while a
	// WebSub subscription delivers its updates; polling stays as a fallback.
	DefaultPushSlowdown = 5
)

// ProjectURL is named in the User-Agent so that feed operators can find us.
const ProjectURL = "https://github.com/briefbot/briefbot"

// UserAgent returns the User-Agent header briefbot sends, naming the version.
func UserAgent(version string) string {
	if version == "" {
		version = "dev"
	}
	return "briefbot/" + version + " (+" + ProjectURL + ")"
}

// buildVersion is the module version when built with "go install …@vX", else "dev".
func buildVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// Limits bound every request the Fetcher makes.
type Limits struct {
	// Timeout bounds a whole request, redirects and body included (default 20 s).
	Timeout time.Duration
	// MaxBodyBytes bounds the decompressed body (default 10 MiB).
	MaxBodyBytes int64
	// MaxRedirects bounds redirects followed per request (default 5).
	MaxRedirects int
	// AllowPrivateNetworks lifts the address guard for loopback and private
	// ranges (LAN feeds; tests reaching httptest servers). Link-local and
	// cloud metadata addresses stay refused.
	AllowPrivateNetworks bool
	// UserAgent is sent with every request (default UserAgent(build version)).
	UserAgent string
}

func (l Limits) withDefaults() Limits {
	if l.Timeout <= 0 {
		l.Timeout = DefaultTimeout
	}
	if l.MaxBodyBytes <= 0 {
		l.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if l.MaxRedirects <= 0 {
		l.MaxRedirects = DefaultMaxRedirects
	}
	if l.UserAgent == "" {
		l.UserAgent = UserAgent(buildVersion())
	}
	return l
}

// Feed is one configured source.
type Feed struct {
	// Name is the source's stable key in the store and in logs.
	Name string
	// URL is the feed's http(s) address.
	URL string
	// Outlet is the publication's display name ("BBC News").
	Outlet string
	// Interval between polls (default 2 min; config enforces at least 30 s).
	Interval time.Duration
	// Backfill is how many of the newest items the first poll keeps as new;
	// the rest of the first poll's items are recorded as seen.
	Backfill int
	// Language overrides the feed's declared language tag when set.
	Language string
}

// PollerOptions tune scheduling and what counts as new.
type PollerOptions struct {
	// Concurrency bounds requests in flight across all hosts (default 4).
	Concurrency int
	// MaxItemAge: items published longer ago than this are never pending
	// (default 7 days).
	MaxItemAge time.Duration
	// DefaultInterval applies to feeds whose Interval is zero (default 2 min).
	DefaultInterval time.Duration
	// MaxBackoff caps the delay after repeated failures (default 1 h).
	MaxBackoff time.Duration
	// MinInterval and MaxInterval bound the adaptive interval of feeds
	// with a learned publishing rate (defaults 30 s and 30 min, widened to
	// include DefaultInterval).
	MinInterval, MaxInterval time.Duration
	// OnNew is called after new pending items are committed to the store.
	// The store is the queue: the callback is only a wake-up hint, so a
	// crash between commit and callback loses nothing. It must not block.
	OnNew func(source string, items []story.Item)
	// MaxNewPerPoll caps the items one poll of one source makes pending
	// (default 25); the rest are recorded as seen, so a feed that suddenly
	// lists hundreds of "new" items (a CMS migration, a hostile feed)
	// cannot flood channels. Health and the log say when it happens.
	MaxNewPerPoll int
	// WebSub enables push subscriptions; nil disables them.
	WebSub *WebSubOptions
	// Owner names this instance in the store's poll leases, which share
	// polls between instances using one database. Default: a random name,
	// unique to this poller.
	Owner string
	// Now is the clock (default time.Now); tests inject a fake.
	Now func() time.Time
}

func (o PollerOptions) withDefaults() PollerOptions {
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.MaxItemAge <= 0 {
		o.MaxItemAge = DefaultMaxItemAge
	}
	if o.DefaultInterval <= 0 {
		o.DefaultInterval = DefaultInterval
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = DefaultMaxBackoff
	}
	if o.MaxNewPerPoll <= 0 {
		o.MaxNewPerPoll = DefaultMaxNewPerPoll
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Owner == "" {
		o.Owner = "poller-" + strconv.FormatUint(rand.Uint64(), 36)
	}
	return o
}
