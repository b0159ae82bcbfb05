// Package llm is summarize's optional model backend: it asks any server
// that speaks the OpenAI-compatible /v1/chat/completions API (Ollama,
// llama.cpp's server, vLLM, a hosted API) for a two-sentence English brief,
// and uses the answer only after checking it. An answer that is empty, too
// long, not English, late, or names a number, date, person, place or
// organisation the article does not contain is discarded, and the
// extractive summary is used instead; so is every failure of the server.
// The reason is logged and reported to an Observer. A channel never sees an
// unchecked answer.
//
// Answers are cached by request (model, prompt version, article), so a
// restart or a second instance sharing the store never pays twice;
// requests run at most MaxConcurrent at a time and at most PerMinute in any
// minute, and over that budget the extractive summary is used at once.
//
// The package does no I/O of its own beyond the *http.Client it is given
// and the Cache.
package llm

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/briefbot/briefbot/summarize"
)

// Defaults for zero Options fields.
const (
	DefaultBaseURL         = "http://127.0.0.1:11434/v1" // Ollama's
	DefaultTimeout         = 20 * time.Second
	DefaultMaxConcurrent   = 2
	DefaultMaxOutputTokens = 200
	DefaultMaxInputTokens  = 2000
)

// Options configure the backend.
type Options struct {
	// BaseURL is the API root; "/chat/completions" is appended.
	BaseURL string
	// Model is the model name the server knows ("llama3.1:8b").
	Model string
	// APIKey, when set, is sent as a bearer token.
	APIKey string
	// Timeout bounds Brief from start to answer, waiting for a free slot
	// and retries included.
	Timeout time.Duration
	// MaxConcurrent bounds requests in flight.
	MaxConcurrent int
	// MaxOutputTokens is the completion's max_tokens.
	MaxOutputTokens int
	// MaxInputTokens bounds the article sent (estimated; see approxTokens).
	MaxInputTokens int
	// PerMinute is the most requests in any 60 seconds, retries included;
	// zero means no limit.
	PerMinute int
	// MaxWords is the longest brief accepted; zero means
	// summarize.DefaultMaxWords.
	MaxWords int
	// EditWindow is how long BriefLate waits for the model in the
	// background; zero means Timeout.
	EditWindow time.Duration
}

func (o Options) withDefaults() Options {
	if o.BaseURL == "" {
		o.BaseURL = DefaultBaseURL
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxConcurrent <= 0 {
		o.MaxConcurrent = DefaultMaxConcurrent
	}
	if o.MaxOutputTokens <= 0 {
		o.MaxOutputTokens = DefaultMaxOutputTokens
	}
	if o.MaxInputTokens <= 0 {
		o.MaxInputTokens = DefaultMaxInputTokens
	}
	if o.MaxWords <= 0 {
		o.MaxWords = summarize.DefaultMaxWords
	}
	if o.EditWindow <= 0 {
		o.EditWindow = o.Timeout
	}
	return o
}

// Cache keeps model answers across restarts and instances; store.Store
// implements it. Errors are logged and otherwise ignored: a cache is an
// optimisation.
type Cache interface {
	CachedSummary(ctx context.Context, key string) (string, bool, error)
	CacheSummary(ctx context.Context, key, summary string, at time.Time) error
}

// Observer is told how each brief came about: Used, or the Reason* the
// model's answer was not used. Metrics count these.
type Observer func(outcome string)

// Outcomes passed to the Observer and set in Result.Reason.
const (
	Used = "used" // the model's checked answer
	// Pending marks BriefLate's immediate result while the model is asked
	// in the background; it is never passed to the Observer.
	Pending = "pending"

	ReasonNoText        = "no_text"        // the article has no text after cleaning; not asked
	ReasonEmpty         = "empty"          // no answer text
	ReasonTooLong       = "too_long"       // over two sentences or the word limit, or cut off by max tokens
	ReasonNotEnglish    = "not_english"    // the answer is not in English
	ReasonUngrounded    = "ungrounded"     // a number, date or name not in the article
	ReasonTimeout       = "timeout"        // no answer within the timeout (or edit window)
	ReasonOverBudget    = "over_budget"    // the per-minute budget was spent; not asked
	ReasonRateLimited   = "rate_limited"   // 429 after retries, or asked to wait past the deadline
	ReasonServerError   = "server_error"   // 5xx after retries
	ReasonRequestFailed = "request_failed" // unreachable server, 4xx, malformed reply
)

// Deps are the backend's collaborators.
type Deps struct {
	// Client sends the requests; nil means NewHTTPClient().
	Client *http.Client
	// Fallback writes the summary used whenever the model's is not;
	// nil means summarize.New(summarize.Options{MaxWords: opts.MaxWords}).
	Fallback summarize.Summarizer
	// Cache, if not nil, keeps answers.
	Cache Cache
	// Log, if not nil, receives one line per brief not from the model.
	Log *slog.Logger
	// Observe, if not nil, is called once per brief with its outcome.
	Observe Observer
	// Now is the clock of the per-minute budget and the cache; nil means
	// time.Now.
	Now func() time.Time
}

// Result is a brief and how it came about.
type Result struct {
	// Summary is what to show: the model's checked answer, or the
	// fallback's summary.
	Summary summarize.Summary
	// Title is the headline translated into English by the model, for an
	// article not in English whose answer was used; "" otherwise. Show
	// the original title beneath it.
	Title string
	// FromModel is set when Summary is the model's.
	FromModel bool
	// Reason is Used, or why the model's answer was not used.
	Reason string
	// Detail says more about the reason ("ungrounded: Kerry, 45").
	Detail string
	// Cached is set when the answer came from the cache.
	Cached bool
	// Translated is set when the article was taken to be non-English.
	Translated bool
	// Pending is set by BriefLate when the model was asked in the
	// background: a better brief may still be delivered.
	Pending bool
}

// Summarizer is the model backend. It implements summarize.Summarizer.
type Summarizer struct {
	opts     Options
	endpoint string
	client   *http.Client
	fallback summarize.Summarizer
	cache    Cache
	log      *slog.Logger
	observe  Observer
	now      func() time.Time

	sem    chan struct{}
	budget *budget
	// backoff is the first retry's wait (doubling after), when the
	// server gives no Retry-After; tests shorten it.
	backoff     time.Duration
	maxAttempts int

	mu        sync.Mutex
	holdUntil time.Time // a 429's Retry-After applies to every request

	wg sync.WaitGroup // BriefLate's background requests
}

var _ summarize.Summarizer = (*Summarizer)(nil)

// New returns the backend. BaseURL must be an http(s) URL and Model set.
func New(opts Options, deps Deps) (*Summarizer, error) {
	opts = opts.withDefaults()
	u, err := url.Parse(opts.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("llm: base URL %q is not an http(s) URL: use the server's API root, e.g. %s", opts.BaseURL, DefaultBaseURL)
	}
	if strings.TrimSpace(opts.Model) == "" {
		return nil, errors.New("llm: no model named: set the model the server serves, e.g. llama3.1:8b")
	}
	s := &Summarizer{
		opts:        opts,
		endpoint:    strings.TrimRight(opts.BaseURL, "/") + "/chat/completions",
		client:      deps.Client,
		fallback:    deps.Fallback,
		cache:       deps.Cache,
		log:         deps.Log,
		observe:     deps.Observe,
		now:         deps.Now,
		sem:         make(chan struct{}, opts.MaxConcurrent),
		backoff:     500 * time.Millisecond,
		maxAttempts: 3,
	}
	if s.client == nil {
		s.client = NewHTTPClient()
	}
	if s.fallback == nil {
		s.fallback = summarize.New(summarize.Options{MaxWords: opts.MaxWords})
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if opts.PerMinute > 0 {
		s.budget = newBudget(opts.PerMinute, time.Minute)
	}
	return s, nil
}

// Summarize implements summarize.Summarizer with Brief.
func (s *Summarizer) Summarize(ctx context.Context, a summarize.Article) (summarize.Summary, error) {
	r, err := s.Brief(ctx, a)
	return r.summary(), err
}

// summary is r's summary carrying the translated title, if any.
func (r Result) summary() summarize.Summary {
	sum := r.Summary
	if r.Translated && r.Title != "" {
		sum.Title = r.Title
	}
	return sum
}

// Brief asks the model for a brief of a, waiting at most Timeout, and
// returns it once checked, or else the fallback's summary. It fails only
// when ctx ends or the fallback fails.
func (s *Summarizer) Brief(ctx context.Context, a summarize.Article) (Result, error) {
	j := s.newJob(a)
	if j.empty {
		return s.useFallback(ctx, j, ReasonNoText, "", false)
	}
	if r, ok := s.fromCache(ctx, j); ok {
		return r, nil
	}
	if !s.budget.allow(s.now()) {
		return s.useFallback(ctx, j, ReasonOverBudget, "", false)
	}
	rctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	ans, err := s.ask(rctx, j.body)
	if err != nil {
		if ctx.Err() != nil {
			return Result{}, ctx.Err()
		}
		return s.useFallback(ctx, j, reasonFor(err), err.Error(), false)
	}
	s.store(ctx, j, ans)
	return s.verdict(ctx, j, ans, false)
}

// BriefLate returns at once: the cached brief if there is one, else the
// fallback's summary with Pending set, while the model is asked in the
// background. deliver is called, from another goroutine, with the model's
// brief if it arrives within EditWindow and passes every check, and never
// otherwise; the caller then edits what it posted. Over the budget,
// nothing is asked and nothing delivered.
//
// ctx bounds the background request too: pass the service's context, not
// a per-request one. Wait waits for background requests to finish.
func (s *Summarizer) BriefLate(ctx context.Context, a summarize.Article, deliver func(Result)) (Result, error) {
	j := s.newJob(a)
	if j.empty {
		return s.useFallback(ctx, j, ReasonNoText, "", false)
	}
	if r, ok := s.fromCache(ctx, j); ok {
		return r, nil
	}
	if !s.budget.allow(s.now()) {
		return s.useFallback(ctx, j, ReasonOverBudget, "", false)
	}
	sum, err := s.fallback.Summarize(ctx, a)
	if err != nil {
		return Result{}, err
	}
	s.wg.Go(func() {
		rctx, cancel := context.WithTimeout(ctx, s.opts.EditWindow)
		defer cancel()
		ans, err := s.ask(rctx, j.body)
		if err != nil {
			if ctx.Err() == nil {
				s.report(j, reasonFor(err), err.Error(), false)
			}
			return
		}
		s.store(ctx, j, ans)
		if r, err := s.verdict(ctx, j, ans, false); err == nil && r.FromModel {
			deliver(r)
		}
	})
	return Result{Summary: sum, Reason: Pending, Translated: j.prompt.translate, Pending: true}, nil
}

// Wait blocks until BriefLate's background requests have ended; cancel
// their context first to make that quick.
func (s *Summarizer) Wait() { s.wg.Wait() }

// job is one article's request.
type job struct {
	article summarize.Article
	prompt  prompt
	body    []byte
	key     string
	// empty is set when cleaning left no text: nothing to ask about.
	empty bool
}

func (s *Summarizer) newJob(a summarize.Article) job {
	text := summarize.Clean(a.Text)
	translate := false
	switch {
	case a.Language != "":
		translate = !isEnglishTag(a.Language)
	default:
		translate = looksNonEnglish(a.Title + "\n" + text)
	}
	p := buildPrompt(a.Title, text, s.opts.MaxWords, s.opts.MaxInputTokens, translate, languageName(a.Language))
	body, _ := json.Marshal(chatRequest{ // plain strings and numbers: cannot fail
		Model:       s.opts.Model,
		Messages:    []chatMessage{{Role: "system", Content: p.system}, {Role: "user", Content: p.user}},
		MaxTokens:   s.opts.MaxOutputTokens,
		Temperature: 0,
	})
	// The key covers everything that shapes the answer: the request body
	// holds the model, the prompt (hence the article and its language)
	// and the token limit; PromptVersion makes a reworded prompt a miss
	// even where the body happens to match.
	sum := sha256.Sum256(body)
	return job{article: a, prompt: p, body: body, key: PromptVersion + ":" + hex.EncodeToString(sum[:]), empty: strings.TrimSpace(text) == ""}
}

// fromCache returns the brief from a cached answer, checked again (the
// checks are cheap and may have changed since it was stored).
func (s *Summarizer) fromCache(ctx context.Context, j job) (Result, bool) {
	if s.cache == nil {
		return Result{}, false
	}
	v, ok, err := s.cache.CachedSummary(ctx, j.key)
	if err != nil {
		s.log.Warn("llm: reading the summary cache failed; asking the model", slog.Any("err", err))
		return Result{}, false
	}
	if !ok {
		return Result{}, false
	}
	var ans answer
	if err := json.Unmarshal([]byte(v), &ans); err != nil {
		s.log.Warn("llm: unreadable summary cache entry; asking the model", slog.String("key", j.key), slog.Any("err", err))
		return Result{}, false
	}
	r, err := s.verdict(ctx, j, ans, true)
	return r, err == nil
}

func (s *Summarizer) store(ctx context.Context, j job, ans answer) {
	if s.cache == nil {
		return
	}
	v, _ := json.Marshal(ans)
	if err := s.cache.CacheSummary(ctx, j.key, string(v), s.now()); err != nil {
		s.log.Warn("llm: writing the summary cache failed", slog.Any("err", err))
	}
}

// verdict checks an answer and returns it, or the fallback with the
// reason it failed.
func (s *Summarizer) verdict(ctx context.Context, j job, ans answer, cached bool) (Result, error) {
	summary, title := parseAnswer(ans.Content, j.prompt.translate)
	reason, detail := s.check(summary, title, ans.Truncated, j.prompt)
	if reason != "" {
		return s.useFallback(ctx, j, reason, detail, cached)
	}
	s.report(j, Used, "", cached)
	return Result{
		Summary:    summarize.Summary{Text: summary, Sentences: summarize.SplitSentences(summary)},
		Title:      title,
		FromModel:  true,
		Reason:     Used,
		Cached:     cached,
		Translated: j.prompt.translate,
	}, nil
}

// check applies every test an answer must pass; it returns "" when the
// answer may be used.
func (s *Summarizer) check(summary, title string, truncated bool, p prompt) (reason, detail string) {
	if summary == "" {
		return ReasonEmpty, ""
	}
	if truncated {
		return ReasonTooLong, "cut off at max_output_tokens"
	}
	if n := len(summarize.SplitSentences(summary)); n > maxSentences {
		return ReasonTooLong, fmt.Sprintf("%d sentences", n)
	}
	if n := len(strings.Fields(summary)); n > s.opts.MaxWords {
		return ReasonTooLong, fmt.Sprintf("%d words", n)
	}
	if !isEnglish(summary) {
		return ReasonNotEnglish, ""
	}
	if title != "" {
		if n := len(strings.Fields(title)); n > maxTitleWords {
			return ReasonTooLong, fmt.Sprintf("title of %d words", n)
		}
		if !isEnglish(title) {
			return ReasonNotEnglish, "title"
		}
	}
	ev := newEvidence(p.source...)
	bad := ungrounded(summary, ev)
	if title != "" {
		bad = append(bad, ungrounded(title, ev)...)
	}
	if len(bad) > 0 {
		return ReasonUngrounded, strings.Join(bad, ", ")
	}
	return "", ""
}

func (s *Summarizer) useFallback(ctx context.Context, j job, reason, detail string, cached bool) (Result, error) {
	sum, err := s.fallback.Summarize(ctx, j.article)
	if err != nil {
		return Result{}, err
	}
	s.report(j, reason, detail, cached)
	return Result{Summary: sum, Reason: reason, Detail: detail, Cached: cached, Translated: j.prompt.translate}, nil
}

// report logs and counts an outcome.
func (s *Summarizer) report(j job, outcome, detail string, cached bool) {
	if s.observe != nil {
		s.observe(outcome)
	}
	attrs := []any{slog.String("model", s.opts.Model), slog.String("reason", outcome), slog.String("title", shorten(j.article.Title, 80)), slog.Bool("cached", cached)}
	if detail != "" {
		attrs = append(attrs, slog.String("detail", detail))
	}
	if outcome == Used {
		s.log.Debug("llm: model brief used", attrs...)
		return
	}
	s.log.Info("llm: model brief not used; extractive summary instead", attrs...)
}

// ask sends the request, waiting for a free slot, and retries rate limits
// and server errors with backoff (the server's Retry-After when given)
// while the deadline allows and the budget lasts.
func (s *Summarizer) ask(ctx context.Context, body []byte) (answer, error) {
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		return answer{}, ctx.Err()
	}
	defer func() { <-s.sem }()
	for attempt := 1; ; attempt++ {
		if err := s.waitHold(ctx); err != nil {
			return answer{}, err
		}
		ans, err := s.post(ctx, body)
		var se *statusError
		if err == nil || !errors.As(err, &se) || !se.retryable() || attempt == s.maxAttempts {
			return ans, err
		}
		wait := se.RetryAfter
		if wait == 0 {
			d := s.backoff << (attempt - 1)
			wait = d/2 + rand.N(d) // jitter, so instances do not retry in step
		}
		if se.Status == http.StatusTooManyRequests {
			s.hold(wait)
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return answer{}, err
		}
		if err := sleep(ctx, wait); err != nil {
			return answer{}, err
		}
		if !s.budget.allow(s.now()) {
			return answer{}, err // a retry costs like a request
		}
	}
}

// maxHold caps how long a Retry-After keeps every request back, so a
// misconfigured server cannot switch the model off for a day.
const maxHold = 5 * time.Minute

// hold makes every request wait d: a 429 speaks for the whole server.
func (s *Summarizer) hold(d time.Duration) {
	d = min(d, maxHold)
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := time.Now().Add(d); t.After(s.holdUntil) {
		s.holdUntil = t
	}
}

// waitHold waits out a hold, or fails at once if it outlasts ctx.
func (s *Summarizer) waitHold(ctx context.Context) error {
	s.mu.Lock()
	d := time.Until(s.holdUntil)
	s.mu.Unlock()
	if d <= 0 {
		return nil
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
		return errHeld
	}
	return sleep(ctx, d)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// reasonFor names why a request produced no answer.
func reasonFor(err error) string {
	var se *statusError
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return ReasonTimeout
	case errors.Is(err, errHeld):
		return ReasonRateLimited
	case errors.As(err, &se) && se.Status == http.StatusTooManyRequests:
		return ReasonRateLimited
	case errors.As(err, &se) && se.Status >= 500:
		return ReasonServerError
	}
	return ReasonRequestFailed
}

func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
