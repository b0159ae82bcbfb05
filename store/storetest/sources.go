package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/briefbot/briefbot/store"
)

func (s *suite) sourceTests() []test {
	return []test{
		{"a new source has empty state", func(t *testing.T) {
			st, _ := s.fresh(t)
			if err := st.EnsureSource(t.Context(), "aljazeera", "https://www.aljazeera.com/xml/rss/all.xml"); err != nil {
				t.Fatal(err)
			}
			got := source(t, st, "aljazeera")
			want := store.SourceState{Name: "aljazeera", URL: "https://www.aljazeera.com/xml/rss/all.xml"}
			if got != want {
				t.Errorf("Source:\n got %+v\nwant %+v", got, want)
			}
		}},
		{"ensuring again with the same URL keeps the state", func(t *testing.T) {
			st, _ := s.fresh(t)
			ensure(t, st, "bbc")
			poll(t, st, "bbc", store.Poll{ETag: `"v1"`, LastModified: "Fri, 14 Mar 2025 09:00:00 GMT", Items: seen(newItem("bbc", "k1", "https://bbc.example/a"))})
			before := source(t, st, "bbc")
			ensure(t, st, "bbc")
			if after := source(t, st, "bbc"); after != before {
				t.Errorf("state changed by EnsureSource with the same URL:\n got %+v\nwant %+v", after, before)
			}
		}},
		{"a changed URL starts the feed over", func(t *testing.T) {
			st, _ := s.fresh(t)
			ensure(t, st, "bbc")
			poll(t, st, "bbc", store.Poll{ETag: `"v1"`, LastModified: "Fri, 14 Mar 2025 09:00:00 GMT", Items: seen(newItem("bbc", "k1", "https://bbc.example/a"))})
			if _, err := st.RecordFailure(t.Context(), "bbc", at(time.Minute), "HTTP 404"); err != nil {
				t.Fatal(err)
			}
			if err := st.EnsureSource(t.Context(), "bbc", "https://feeds.bbc.example/new.xml"); err != nil {
				t.Fatal(err)
			}
			got := source(t, st, "bbc")
			if got.URL != "https://feeds.bbc.example/new.xml" {
				t.Errorf("URL = %q, want the new one", got.URL)
			}
			if got.ETag != "" || got.LastModified != "" || got.Primed || got.Failures != 0 {
				t.Errorf("after a URL change: ETag %q, LastModified %q, Primed %v, Failures %d; want validators cleared, not primed, no failures",
					got.ETag, got.LastModified, got.Primed, got.Failures)
			}
			if got.ItemsSeen != 1 || got.LastError != "HTTP 404" {
				t.Errorf("history lost: ItemsSeen %d, LastError %q; want 1 and %q", got.ItemsSeen, got.LastError, "HTTP 404")
			}
		}},
		{"Sources lists every source ordered by name", func(t *testing.T) {
			st, _ := s.fresh(t)
			all, err := st.Sources(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if len(all) != 0 {
				t.Errorf("empty store lists %d sources", len(all))
			}
			ensure(t, st, "tehrantimes", "aljazeera", "memo", "arabnews")
			ensure(t, st, "aljazeera") // no duplicate row
			all, err = st.Sources(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, src := range all {
				names = append(names, src.Name)
				if one := source(t, st, src.Name); one != src {
					t.Errorf("Sources and Source disagree on %q:\n%+v\n%+v", src.Name, src, one)
				}
			}
			if want := []string{"aljazeera", "arabnews", "memo", "tehrantimes"}; !slices.Equal(names, want) {
				t.Errorf("Sources = %q, want %q", names, want)
			}
		}},
		{"unknown sources are not found", func(t *testing.T) {
			st, _ := s.fresh(t)
			ensure(t, st, "known")
			_, err := st.Source(t.Context(), "unknown")
			wantNotFound(t, "Source", err)
			_, err = st.RecordPoll(t.Context(), "unknown", store.Poll{At: t0, Items: pending(newItem("", "k", "https://x.example/k"))})
			wantNotFound(t, "RecordPoll", err)
			_, err = st.RecordFailure(t.Context(), "unknown", t0, "HTTP 500")
			wantNotFound(t, "RecordFailure", err)
			if got := pendingItems(t, st); len(got) != 0 {
				t.Errorf("a poll of an unknown source stored %d items", len(got))
			}
		}},
		{"empty name or URL is refused", func(t *testing.T) {
			st, _ := s.fresh(t)
			for _, c := range []struct{ name, url string }{{"", "https://x.example/feed"}, {"x", ""}} {
				if err := st.EnsureSource(t.Context(), c.name, c.url); err == nil {
					t.Errorf("EnsureSource(%q, %q) succeeded, want an error", c.name, c.url)
				}
			}
			all, err := st.Sources(t.Context())
			if err != nil || len(all) != 0 {
				t.Errorf("Sources after refused calls = %+v, %v; want none", all, err)
			}
		}},
	}
}

func (s *suite) failureTests() []test {
	return []test{
		{"failures count up and a success resets them", func(t *testing.T) {
			st, _ := s.fresh(t)
			ensure(t, st, "src")
			poll(t, st, "src", store.Poll{At: t0, ETag: `"e"`, LastModified: "lm"})
			reasons := []string{"HTTP 503", "timed out after 20s", "not a feed: got an HTML page"}
			for i, r := range reasons {
				when := at(time.Duration(i+1) * time.Minute)
				n, err := st.RecordFailure(t.Context(), "src", when, r)
				if err != nil {
					t.Fatal(err)
				}
				if n != i+1 {
					t.Errorf("failure %d: count %d, want %d", i+1, n, i+1)
				}
				got := source(t, st, "src")
				if got.Failures != i+1 || got.LastError != r {
					t.Errorf("failure %d: Failures %d, LastError %q; want %d, %q", i+1, got.Failures, got.LastError, i+1, r)
				}
				s.checkTime(t, "LastErrorAt", when, got.LastErrorAt)
				s.checkTime(t, "LastPoll", when, got.LastPoll)
				s.checkTime(t, "LastSuccess", t0, got.LastSuccess)
				if !got.Primed || got.ETag != `"e"` || got.LastModified != "lm" {
					t.Errorf("a failure changed Primed/validators: %+v", got)
				}
			}

			okAt := at(10 * time.Minute)
			poll(t, st, "src", store.Poll{At: okAt, NotModified: true})
			got := source(t, st, "src")
			if got.Failures != 0 {
				t.Errorf("after a success Failures = %d, want 0", got.Failures)
			}
			if got.LastError != reasons[2] {
				t.Errorf("after a success LastError = %q, want it kept as history (%q)", got.LastError, reasons[2])
			}
			s.checkTime(t, "LastErrorAt", at(3*time.Minute), got.LastErrorAt)
			s.checkTime(t, "LastSuccess", okAt, got.LastSuccess)
			s.checkTime(t, "LastPoll", okAt, got.LastPoll)

			n, err := st.RecordFailure(t.Context(), "src", at(11*time.Minute), "HTTP 404")
			if err != nil || n != 1 {
				t.Errorf("first failure after a success: %d, %v; want 1", n, err)
			}
		}},
		{"a failure before any success leaves the source unprimed", func(t *testing.T) {
			st, _ := s.fresh(t)
			ensure(t, st, "src")
			if _, err := st.RecordFailure(t.Context(), "src", t0, "HTTP 500"); err != nil {
				t.Fatal(err)
			}
			got := source(t, st, "src")
			if got.Primed || !got.LastSuccess.IsZero() || got.Failures != 1 {
				t.Errorf("after one failure: %+v; want unprimed, no success, 1 failure", got)
			}
		}},
		{"a cancelled context records nothing", func(t *testing.T) {
			st, _ := s.fresh(t)
			ensure(t, st, "src")
			if _, err := st.RecordFailure(cancelled(t), "src", t0, "HTTP 500"); err == nil {
				t.Errorf("RecordFailure with a cancelled context succeeded")
			}
			if got := source(t, st, "src"); got.Failures != 0 {
				t.Errorf("Failures = %d after a cancelled call, want 0", got.Failures)
			}
		}},
	}
}
