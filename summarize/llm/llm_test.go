package llm

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/briefbot/briefbot/summarize"
)

// fakeServer is an OpenAI-compatible server whose replies a test scripts.
type fakeServer struct {
	*httptest.Server
	requests    atomic.Int64
	inFlight    atomic.Int64
	maxInFlight atomic.Int64

	mu       sync.Mutex
	last     chatRequest
	lastAuth string
}

// newFake starts a server; handle answers request number n (from 1).
func newFake(t *testing.T, handle func(w http.ResponseWriter, r *http.Request, n int64)) *fakeServer {
	t.Helper()
	f := &fakeServer{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
			http.Error(w, `{"error":{"message":"not found"}}`, http.StatusNotFound)
			return
		}
		n := f.requests.Add(1)
		cur := f.inFlight.Add(1)
		defer f.inFlight.Add(-1)
		for {
			m := f.maxInFlight.Load()
			if cur <= m || f.maxInFlight.CompareAndSwap(m, cur) {
				break
			}
		}
		var req chatRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, `{"error":{"message":"bad json"}}`, http.StatusBadRequest)
			return
		}
		f.mu.Lock()
		f.last, f.lastAuth = req, r.Header.Get("Authorization")
		f.mu.Unlock()
		handle(w, r.WithContext(context.WithValue(r.Context(), requestKey{}, req)), n)
	}))
	t.Cleanup(f.Close)
	return f
}

type requestKey struct{}

// requestOf returns the decoded request a handler is answering.
func requestOf(r *http.Request) chatRequest {
	req, _ := r.Context().Value(requestKey{}).(chatRequest)
	return req
}

func (f *fakeServer) lastRequest() (chatRequest, string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.last, f.lastAuth
}

// reply writes a chat completion carrying content.
func reply(w http.ResponseWriter, content string) { replyFinish(w, content, "stop") }

func replyFinish(w http.ResponseWriter, content, finish string) {
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":%q},"finish_reason":%q}]}`, content, finish)
}

// always answers every request with content.
func always(content string) func(http.ResponseWriter, *http.Request, int64) {
	return func(w http.ResponseWriter, _ *http.Request, _ int64) { reply(w, content) }
}

func newSummarizer(t *testing.T, f *fakeServer, opts Options, deps Deps) *Summarizer {
	t.Helper()
	opts.BaseURL = f.URL + "/v1"
	if opts.Model == "" {
		opts.Model = "test-model"
	}
	if deps.Client == nil {
		deps.Client = f.Client()
	}
	s, err := New(opts, deps)
	if err != nil {
		t.Fatal(err)
	}
	s.backoff = time.Millisecond
	return s
}

func readArticle(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func englishArticle(t *testing.T) summarize.Article {
	return summarize.Article{Title: "Iran and US hold fourth round of talks in Oman", Text: readArticle(t, "article_en.txt"), Language: "en"}
}

const goodBrief = "Iran and the United States held a fourth round of indirect talks in Muscat on Saturday, officials said. " +
	"Iranian Foreign Minister Abbas Araghchi said both sides agreed to meet again within two weeks."

// extractive is what the fallback writes for a.
func extractive(t *testing.T, a summarize.Article) string {
	t.Helper()
	s, err := summarize.New(summarize.Options{}).Summarize(t.Context(), a)
	if err != nil {
		t.Fatal(err)
	}
	return s.Text
}

func TestGoodAnswerIsUsed(t *testing.T) {
	f := newFake(t, always("Here is the brief:\n\n"+goodBrief))
	var outcomes []string
	s := newSummarizer(t, f, Options{APIKey: "sk-test"}, Deps{Observe: func(o string) { outcomes = append(outcomes, o) }})
	a := englishArticle(t)
	r, err := s.Brief(t.Context(), a)
	if err != nil {
		t.Fatal(err)
	}
	if !r.FromModel || r.Reason != Used || r.Summary.Text != goodBrief || len(r.Summary.Sentences) != 2 {
		t.Fatalf("got %+v, want the model's brief", r)
	}
	if r.Translated || r.Title != "" {
		t.Errorf("an English article got Translated=%v Title=%q", r.Translated, r.Title)
	}
	if strings.Join(outcomes, ",") != Used {
		t.Errorf("observer saw %q, want %q", outcomes, Used)
	}
	req, auth := f.lastRequest()
	if auth != "Bearer sk-test" {
		t.Errorf("Authorization = %q", auth)
	}
	if req.Model != "test-model" || req.MaxTokens != DefaultMaxOutputTokens || req.Stream || len(req.Messages) != 2 {
		t.Errorf("request = %+v", req)
	}
	sys, user := req.Messages[0].Content, req.Messages[1].Content
	for _, want := range []string{"At most two sentences", "only facts stated in the article", "attributed", "No opinion"} {
		if !strings.Contains(sys, want) {
			t.Errorf("system prompt lacks %q:\n%s", want, sys)
		}
	}
	if !strings.Contains(user, a.Title) || !strings.Contains(user, "Benjamin Netanyahu") {
		t.Errorf("user message lacks the title or article:\n%s", user)
	}
	if strings.Contains(user, "Follow us on Twitter") || strings.Contains(user, "(Reuters)") {
		t.Errorf("the article was not cleaned:\n%s", user)
	}
}

func TestNoAPIKeyNoAuthorization(t *testing.T) {
	f := newFake(t, always(goodBrief))
	s := newSummarizer(t, f, Options{}, Deps{})
	if _, err := s.Brief(t.Context(), englishArticle(t)); err != nil {
		t.Fatal(err)
	}
	if _, auth := f.lastRequest(); auth != "" {
		t.Errorf("Authorization = %q without a key", auth)
	}
}

// Every answer that fails a check is replaced by the extractive summary,
// with its reason.
func TestBadAnswersFallBack(t *testing.T) {
	a := englishArticle(t)
	want := extractive(t, a)
	for _, tc := range []struct {
		name, answer, finish, reason, detail string
	}{
		{"hallucinated name", "Iran and the United States held talks in Muscat on Saturday. U.S. Secretary of State Marco Rubio said progress was made.", "stop", ReasonUngrounded, "Marco"},
		{"hallucinated number", "Iran and the United States held a fourth round of talks in Muscat. Iran's stockpile of enriched uranium has grown to 500 kilograms, the IAEA said.", "stop", ReasonUngrounded, "500"},
		{"hallucinated date", "Iran and the United States held talks in Muscat on Monday.", "stop", ReasonUngrounded, "Monday"},
		{"three sentences", "Iran and the United States held talks. They met in Muscat. They will meet again.", "stop", ReasonTooLong, "3 sentences"},
		{"too many words", strings.Repeat("Iran and the United States held talks in Muscat again and again ", 8) + ".", "stop", ReasonTooLong, "words"},
		{"cut off", "Iran and the United States held talks in Muscat on", "length", ReasonTooLong, "max_output_tokens"},
		{"not English", "L'Iran et les États-Unis ont tenu à Mascate un quatrième cycle de pourparlers indirects samedi.", "stop", ReasonNotEnglish, ""},
		{"empty", "  \n ", "stop", ReasonEmpty, ""},
		{"only reasoning", "<think>The article says Iran and the US met in", "length", ReasonEmpty, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ int64) { replyFinish(w, tc.answer, tc.finish) })
			var seen []string
			s := newSummarizer(t, f, Options{}, Deps{Observe: func(o string) { seen = append(seen, o) }})
			r, err := s.Brief(t.Context(), a)
			if err != nil {
				t.Fatal(err)
			}
			if r.FromModel || r.Reason != tc.reason || r.Summary.Text != want {
				t.Fatalf("got FromModel=%v Reason=%q Detail=%q Summary=%q\nwant reason %q and the extractive summary %q", r.FromModel, r.Reason, r.Detail, r.Summary.Text, tc.reason, want)
			}
			if !strings.Contains(r.Detail, tc.detail) {
				t.Errorf("Detail = %q, want it to mention %q", r.Detail, tc.detail)
			}
			if strings.Join(seen, ",") != tc.reason {
				t.Errorf("observer saw %q", seen)
			}
		})
	}
}

func TestTimeoutFallsBackWithinTheTimeout(t *testing.T) {
	release := make(chan struct{})
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, _ int64) {
		select { // a server that never answers in time
		case <-r.Context().Done():
		case <-release:
		}
	})
	defer close(release)
	const timeout = 300 * time.Millisecond
	s := newSummarizer(t, f, Options{Timeout: timeout}, Deps{})
	a := englishArticle(t)
	start := time.Now()
	r, err := s.Brief(t.Context(), a)
	elapsed := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if r.FromModel || r.Reason != ReasonTimeout || r.Summary.Text != extractive(t, a) {
		t.Fatalf("got %+v, want the extractive summary for a timeout", r)
	}
	// Generous slack: the point is that the call does not wait for the
	// server, not how precisely timers fire on a loaded machine.
	if elapsed > timeout+5*time.Second {
		t.Errorf("Brief took %s with a %s timeout", elapsed, timeout)
	}
}

func TestRetriesAndBackoff(t *testing.T) {
	a := englishArticle(t)
	for _, tc := range []struct {
		name     string
		handle   func(w http.ResponseWriter, r *http.Request, n int64)
		reason   string
		requests int64
	}{
		{"500 every time", func(w http.ResponseWriter, _ *http.Request, _ int64) {
			http.Error(w, `{"error":{"message":"model crashed"}}`, http.StatusInternalServerError)
		}, ReasonServerError, 3},
		{"429 every time", func(w http.ResponseWriter, _ *http.Request, _ int64) {
			w.Header().Set("Retry-After", "0")
			http.Error(w, `{"error":"slow down"}`, http.StatusTooManyRequests)
		}, ReasonRateLimited, 3},
		{"503 then an answer", func(w http.ResponseWriter, _ *http.Request, n int64) {
			if n == 1 {
				http.Error(w, "overloaded", http.StatusServiceUnavailable)
				return
			}
			reply(w, goodBrief)
		}, Used, 2},
		{"429 then an answer", func(w http.ResponseWriter, _ *http.Request, n int64) {
			if n == 1 {
				w.Header().Set("Retry-After", "0")
				http.Error(w, "", http.StatusTooManyRequests)
				return
			}
			reply(w, goodBrief)
		}, Used, 2},
		{"Retry-After past the deadline", func(w http.ResponseWriter, _ *http.Request, _ int64) {
			w.Header().Set("Retry-After", "3600")
			http.Error(w, "", http.StatusTooManyRequests)
		}, ReasonRateLimited, 1},
		{"400 is not retried", func(w http.ResponseWriter, _ *http.Request, _ int64) {
			http.Error(w, `{"error":{"message":"unknown field"}}`, http.StatusBadRequest)
		}, ReasonRequestFailed, 1},
		{"404 is not retried", func(w http.ResponseWriter, _ *http.Request, _ int64) {
			http.Error(w, `{"error":"model not found"}`, http.StatusNotFound)
		}, ReasonRequestFailed, 1},
		{"malformed reply", func(w http.ResponseWriter, _ *http.Request, _ int64) {
			fmt.Fprint(w, `{"choices":[]}`)
		}, ReasonRequestFailed, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, tc.handle)
			s := newSummarizer(t, f, Options{Timeout: 10 * time.Second}, Deps{})
			r, err := s.Brief(t.Context(), a)
			if err != nil {
				t.Fatal(err)
			}
			if r.Reason != tc.reason {
				t.Errorf("reason %q (%s), want %q", r.Reason, r.Detail, tc.reason)
			}
			if got := f.requests.Load(); got != tc.requests {
				t.Errorf("server saw %d requests, want %d", got, tc.requests)
			}
			if tc.reason != Used && r.Summary.Text != extractive(t, a) {
				t.Errorf("summary %q is not the extractive fallback", r.Summary.Text)
			}
		})
	}
}

// A 429's Retry-After holds back every request, not only the one that got
// it: later briefs fall back without calling the server.
func TestRetryAfterHoldsLaterRequests(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ int64) {
		w.Header().Set("Retry-After", "3600")
		http.Error(w, "", http.StatusTooManyRequests)
	})
	s := newSummarizer(t, f, Options{Timeout: 5 * time.Second}, Deps{})
	a := englishArticle(t)
	for i := range 3 {
		a.Title = fmt.Sprint(i)
		r, err := s.Brief(t.Context(), a)
		if err != nil {
			t.Fatal(err)
		}
		if r.Reason != ReasonRateLimited {
			t.Errorf("brief %d: reason %q, want rate_limited", i, r.Reason)
		}
	}
	if n := f.requests.Load(); n != 1 {
		t.Errorf("server saw %d requests, want 1: the first 429 should hold the others back", n)
	}
}

// memCache is a Cache in memory, counting what it is asked.
type memCache struct {
	mu         sync.Mutex
	m          map[string]string
	hits, puts int
}

func (c *memCache) CachedSummary(_ context.Context, key string) (string, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[key]
	if ok {
		c.hits++
	}
	return v, ok, nil
}

func (c *memCache) CacheSummary(_ context.Context, key, summary string, _ time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]string{}
	}
	c.m[key] = summary
	c.puts++
	return nil
}

func TestCacheHitsOnSecondRun(t *testing.T) {
	for _, tc := range []struct {
		name, answer, reason string
	}{
		{"used answer", goodBrief, Used},
		// A rejected answer was paid for too: it is not asked again.
		{"rejected answer", "Iran and the United States met in Geneva.", ReasonUngrounded},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, always(tc.answer))
			cache := &memCache{}
			a := englishArticle(t)
			first, err := newSummarizer(t, f, Options{}, Deps{Cache: cache}).Brief(t.Context(), a)
			if err != nil {
				t.Fatal(err)
			}
			// A new Summarizer: a restart, or another instance on the
			// same store.
			second, err := newSummarizer(t, f, Options{}, Deps{Cache: cache}).Brief(t.Context(), a)
			if err != nil {
				t.Fatal(err)
			}
			if n := f.requests.Load(); n != 1 {
				t.Errorf("server saw %d requests, want 1", n)
			}
			if first.Cached || !second.Cached || cache.hits != 1 || cache.puts != 1 {
				t.Errorf("Cached %v then %v; cache hits %d puts %d", first.Cached, second.Cached, cache.hits, cache.puts)
			}
			if first.Reason != tc.reason || second.Reason != tc.reason || first.Summary.Text != second.Summary.Text {
				t.Errorf("first %q %q, second %q %q", first.Reason, first.Summary.Text, second.Reason, second.Summary.Text)
			}
			// Another model, or another article, is another key.
			if _, err := newSummarizer(t, f, Options{Model: "other-model"}, Deps{Cache: cache}).Brief(t.Context(), a); err != nil {
				t.Fatal(err)
			}
			b := a
			b.Text = "Oman said the next round would be held in Rome.\n\n" + b.Text
			if _, err := newSummarizer(t, f, Options{}, Deps{Cache: cache}).Brief(t.Context(), b); err != nil {
				t.Fatal(err)
			}
			if n := f.requests.Load(); n != 3 {
				t.Errorf("server saw %d requests after a new model and a changed article, want 3", n)
			}
		})
	}
}

// A burst of 200 stories spends at most the per-minute budget; the rest
// get the extractive summary at once.
func TestBudgetHoldsUnderABurst(t *testing.T) {
	f := newFake(t, always(goodBrief))
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	outcomes := map[string]int{}
	var omu sync.Mutex
	const perMinute = 12
	s := newSummarizer(t, f, Options{PerMinute: perMinute, MaxConcurrent: 4}, Deps{
		Now:     clock,
		Observe: func(o string) { omu.Lock(); outcomes[o]++; omu.Unlock() },
	})
	base := englishArticle(t)
	burst := func() {
		var wg sync.WaitGroup
		for i := range 200 {
			wg.Go(func() {
				a := base
				a.Title = fmt.Sprintf("%s (%d)", base.Title, i)
				if _, err := s.Brief(t.Context(), a); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
	}
	burst()
	if n := f.requests.Load(); n != perMinute {
		t.Errorf("server saw %d requests from a burst of 200, want the budget of %d", n, perMinute)
	}
	if outcomes[Used] != perMinute || outcomes[ReasonOverBudget] != 200-perMinute {
		t.Errorf("outcomes %v", outcomes)
	}
	if m := f.maxInFlight.Load(); m > 4 {
		t.Errorf("%d requests in flight at once, want at most max_concurrent 4", m)
	}
	// A minute later the budget is back, and only the budget.
	mu.Lock()
	now = now.Add(time.Minute)
	mu.Unlock()
	burst()
	if n := f.requests.Load(); n != 2*perMinute {
		t.Errorf("server saw %d requests after a second burst a minute later, want %d", n, 2*perMinute)
	}
}

func TestTranslation(t *testing.T) {
	fa := summarize.Article{Title: "عراقچی: گفتگوهای مسقط دشوار اما مفید بود", Text: readArticle(t, "article_fa.txt")}
	const title = "Araghchi: Muscat talks were difficult but useful"
	const brief = "Iran's foreign minister said the fourth round of indirect talks with the United States in Muscat was difficult but useful. He said both sides agreed to meet again within 2 weeks."
	for _, tc := range []struct {
		name, language, answer, reason, title, promptWants string
	}{
		{"marked Persian", "fa", "Title: " + title + "\nSummary: " + brief, Used, title, "Persian"},
		{"detected", "", "**Title:** " + title + "\n\n**Summary:** " + brief, Used, title, "a language other than English"},
		{"hallucinated number", "fa", "Title: " + title + "\nSummary: " + strings.Replace(brief, "2 weeks", "3 weeks", 1), ReasonUngrounded, "", "Persian"},
		{"answer not in English", "fa", "Title: " + fa.Title + "\nSummary: " + fa.Title, ReasonNotEnglish, "", "Persian"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, always(tc.answer))
			s := newSummarizer(t, f, Options{}, Deps{})
			a := fa
			a.Language = tc.language
			r, err := s.Brief(t.Context(), a)
			if err != nil {
				t.Fatal(err)
			}
			if !r.Translated || r.Reason != tc.reason || r.Title != tc.title {
				t.Fatalf("got Translated=%v Reason=%q (%s) Title=%q, want reason %q title %q", r.Translated, r.Reason, r.Detail, r.Title, tc.reason, tc.title)
			}
			if r.FromModel && r.Summary.Text != brief {
				t.Errorf("summary %q", r.Summary.Text)
			}
			// Through the summarize.Summarizer seam the translated title
			// rides on the summary, and only when the answer was used.
			sum, err := newSummarizer(t, newFake(t, always(tc.answer)), Options{}, Deps{}).Summarize(t.Context(), a)
			if err != nil {
				t.Fatal(err)
			}
			if sum.Title != tc.title {
				t.Errorf("Summarize: Title %q, want %q", sum.Title, tc.title)
			}
			req, _ := f.lastRequest()
			sys := req.Messages[0].Content
			if !strings.Contains(sys, tc.promptWants) || !strings.Contains(sys, "translate the headline into English") || !strings.Contains(sys, "Title:") {
				t.Errorf("system prompt does not ask for a translation from %s:\n%s", tc.promptWants, sys)
			}
		})
	}
	// An English article is not translated, even with no language set.
	f := newFake(t, always("Title: Something\nSummary: "+goodBrief))
	a := englishArticle(t)
	a.Language = ""
	r, err := newSummarizer(t, f, Options{}, Deps{}).Brief(t.Context(), a)
	if err != nil {
		t.Fatal(err)
	}
	if r.Translated || r.Title != "" {
		t.Errorf("English article: Translated=%v Title=%q", r.Translated, r.Title)
	}
	if sum, err := newSummarizer(t, f, Options{}, Deps{}).Summarize(t.Context(), a); err != nil || sum.Title != "" {
		t.Errorf("English article: Summarize Title=%q (err %v), want none", sum.Title, err)
	}
	if req, _ := f.lastRequest(); strings.Contains(req.Messages[0].Content, "translate") {
		t.Error("an English article's prompt asks for a translation")
	}
}

func TestBriefLate(t *testing.T) {
	a := englishArticle(t)
	t.Run("delivers a checked answer", func(t *testing.T) {
		release := make(chan struct{})
		f := newFake(t, func(w http.ResponseWriter, _ *http.Request, _ int64) {
			<-release
			reply(w, goodBrief)
		})
		s := newSummarizer(t, f, Options{EditWindow: 30 * time.Second}, Deps{})
		got := make(chan Result, 1)
		r, err := s.BriefLate(t.Context(), a, func(r Result) { got <- r })
		if err != nil {
			t.Fatal(err)
		}
		// It returned before the server answered.
		if !r.Pending || r.FromModel || r.Summary.Text != extractive(t, a) {
			t.Fatalf("immediate result %+v, want the pending extractive summary", r)
		}
		close(release)
		late := <-got
		if !late.FromModel || late.Summary.Text != goodBrief {
			t.Errorf("delivered %+v", late)
		}
		s.Wait()
	})
	t.Run("never delivers a rejected or late answer", func(t *testing.T) {
		for _, handle := range []func(http.ResponseWriter, *http.Request, int64){
			func(w http.ResponseWriter, _ *http.Request, _ int64) {
				reply(w, "Iran and Russia held talks in Geneva.")
			},
			func(w http.ResponseWriter, r *http.Request, _ int64) { <-r.Context().Done() },
		} {
			f := newFake(t, handle)
			var outcomes []string
			var mu sync.Mutex
			s := newSummarizer(t, f, Options{EditWindow: 200 * time.Millisecond}, Deps{Observe: func(o string) {
				mu.Lock()
				outcomes = append(outcomes, o)
				mu.Unlock()
			}})
			delivered := atomic.Bool{}
			if _, err := s.BriefLate(t.Context(), a, func(Result) { delivered.Store(true) }); err != nil {
				t.Fatal(err)
			}
			s.Wait()
			if delivered.Load() {
				t.Error("an answer that failed was delivered")
			}
			if len(outcomes) != 1 || outcomes[0] == Used {
				t.Errorf("outcomes %q", outcomes)
			}
		}
	})
	t.Run("over budget asks nothing", func(t *testing.T) {
		f := newFake(t, always(goodBrief))
		s := newSummarizer(t, f, Options{PerMinute: 1}, Deps{})
		var delivered atomic.Int64
		for i := range 3 {
			b := a
			b.Title = fmt.Sprint(i)
			r, err := s.BriefLate(t.Context(), b, func(Result) { delivered.Add(1) })
			if err != nil {
				t.Fatal(err)
			}
			if i > 0 && (r.Pending || r.Reason != ReasonOverBudget) {
				t.Errorf("story %d over budget: %+v", i, r)
			}
		}
		s.Wait()
		if f.requests.Load() != 1 || delivered.Load() != 1 {
			t.Errorf("%d requests, %d delivered; want 1 and 1", f.requests.Load(), delivered.Load())
		}
	})
}

// An article that cleaning leaves empty is not sent: there is nothing to
// summarise, and a request would cost all the same.
func TestNoTextIsNotSent(t *testing.T) {
	f := newFake(t, always(goodBrief))
	s := newSummarizer(t, f, Options{}, Deps{})
	r, err := s.Brief(t.Context(), summarize.Article{Title: "Photos", Text: "Follow us on Twitter. Subscribe to our newsletter."})
	if err != nil {
		t.Fatal(err)
	}
	if r.Reason != ReasonNoText || f.requests.Load() != 0 {
		t.Errorf("reason %q after %d requests; want %q and none", r.Reason, f.requests.Load(), ReasonNoText)
	}
}

func TestNew(t *testing.T) {
	for _, tc := range []struct {
		opts Options
		want string
	}{
		{Options{Model: "m", BaseURL: "localhost:11434"}, "not an http(s) URL"},
		{Options{Model: "m", BaseURL: "ftp://x/v1"}, "not an http(s) URL"},
		{Options{BaseURL: "http://x/v1"}, "no model"},
	} {
		if _, err := New(tc.opts, Deps{}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%+v) = %v, want an error with %q", tc.opts, err, tc.want)
		}
	}
	s, err := New(Options{Model: "m"}, Deps{})
	if err != nil {
		t.Fatal(err)
	}
	if s.endpoint != DefaultBaseURL+"/chat/completions" || s.opts.Timeout != DefaultTimeout {
		t.Errorf("defaults: endpoint %q timeout %s", s.endpoint, s.opts.Timeout)
	}
}

// The client honours the proxy environment (its transport is the default
// one's clone) and reaches a server on the loopback address directly.
func TestNewHTTPClient(t *testing.T) {
	c := NewHTTPClient()
	tr, ok := c.Transport.(*http.Transport)
	if !ok || tr.Proxy == nil || tr == http.DefaultTransport {
		t.Fatalf("transport %T: want a clone of http.DefaultTransport with its proxy function", c.Transport)
	}
	f := newFake(t, always(goodBrief))
	s := newSummarizer(t, f, Options{}, Deps{Client: c})
	r, err := s.Brief(t.Context(), englishArticle(t))
	if err != nil || !r.FromModel {
		t.Errorf("via NewHTTPClient: %+v, %v", r, err)
	}
}

func TestCancelledContext(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, _ int64) { <-r.Context().Done() })
	s := newSummarizer(t, f, Options{}, Deps{})
	ctx, cancel := context.WithCancel(t.Context())
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	if _, err := s.Brief(ctx, englishArticle(t)); err == nil {
		t.Error("Brief with a cancelled context returned no error")
	}
}

func TestRetryAfterHeader(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"":                              0,
		"7":                             7 * time.Second,
		" 0 ":                           0,
		"-3":                            0,
		"soon":                          0,
		"Sun, 01 Jun 2025 12:00:30 GMT": 30 * time.Second,
		"Sun, 01 Jun 2025 11:00:00 GMT": 0,
	} {
		if got := retryAfter(in, now); got != want {
			t.Errorf("retryAfter(%q) = %s, want %s", in, got, want)
		}
	}
}
