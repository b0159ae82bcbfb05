package storetest

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/store"
)

func (s *suite) summaryCacheTests() []test {
	cached := func(t *testing.T, st store.Store, key string) (string, bool) {
		t.Helper()
		v, ok, err := st.CachedSummary(t.Context(), key)
		if err != nil {
			t.Fatalf("CachedSummary(%q): %v", key, err)
		}
		return v, ok
	}
	put := func(t *testing.T, st store.Store, key, v string, at time.Time) {
		t.Helper()
		if err := st.CacheSummary(t.Context(), key, v, at); err != nil {
			t.Fatalf("CacheSummary(%q): %v", key, err)
		}
	}
	return []test{
		{"a missing key is not an error", func(t *testing.T) {
			st, _ := s.fresh(t)
			if v, ok := cached(t, st, "brief-v1:absent"); ok || v != "" {
				t.Errorf("CachedSummary of a missing key = %q, %v; want \"\", false", v, ok)
			}
		}},
		{"stored values come back exactly, per key", func(t *testing.T) {
			st, _ := s.fresh(t)
			values := map[string]string{
				"brief-v1:a": `{"content":"Iran and Oman held talks in Muscat."}`,
				"brief-v1:b": "عراقچی گفت گفتگوها دشوار اما مفید بود — “quoted” 'text'\n\nand a second line",
				"brief-v1:c": "",
				"brief-v1:d": strings.Repeat("long answer ", 2000),
			}
			for k, v := range values {
				put(t, st, k, v, t0)
			}
			for k, want := range values {
				if v, ok := cached(t, st, k); !ok || v != want {
					t.Errorf("CachedSummary(%q) = %.40q, %v; want %.40q, true", k, v, ok, want)
				}
			}
		}},
		{"storing again replaces the value", func(t *testing.T) {
			st, _ := s.fresh(t)
			put(t, st, "k", "first", t0)
			put(t, st, "k", "second", at(time.Minute))
			if v, ok := cached(t, st, "k"); !ok || v != "second" {
				t.Errorf("after replacing: %q, %v; want \"second\", true", v, ok)
			}
		}},
		{"values survive a reopen", func(t *testing.T) {
			st, open := s.fresh(t)
			put(t, st, "k", "kept", t0)
			if err := st.Close(); err != nil {
				t.Fatal(err)
			}
			st = s.open(t, open)
			if v, ok := cached(t, st, "k"); !ok || v != "kept" {
				t.Errorf("after reopen: %q, %v; want \"kept\", true", v, ok)
			}
		}},
		{"an empty key or a zero time is refused", func(t *testing.T) {
			st, _ := s.fresh(t)
			if err := st.CacheSummary(t.Context(), "", "v", t0); err == nil {
				t.Error("CacheSummary with an empty key succeeded")
			}
			if err := st.CacheSummary(t.Context(), "k", "v", time.Time{}); err == nil {
				t.Error("CacheSummary with a zero time succeeded")
			}
			if _, ok := cached(t, st, ""); ok {
				t.Error("an empty key was stored")
			}
			if _, ok := cached(t, st, "k"); ok {
				t.Error("a value with a zero time was stored")
			}
		}},
		{"a cancelled context fails", func(t *testing.T) {
			st, _ := s.fresh(t)
			if err := st.CacheSummary(cancelled(t), "k", "v", t0); err == nil {
				t.Error("CacheSummary with a cancelled context succeeded")
			}
			if _, _, err := st.CachedSummary(cancelled(t), "k"); err == nil {
				t.Error("CachedSummary with a cancelled context succeeded")
			}
		}},
		{"concurrent writers and readers", func(t *testing.T) {
			st, _ := s.fresh(t)
			const writers, each = 8, 10
			var wg sync.WaitGroup
			errs := make(chan error, writers*each*2)
			for w := range writers {
				wg.Go(func() {
					for i := range each {
						k := fmt.Sprintf("w%d-%d", w, i)
						if err := st.CacheSummary(t.Context(), k, "v-"+k, t0); err != nil {
							errs <- err
							continue
						}
						// Every writer also writes one shared key.
						if err := st.CacheSummary(t.Context(), "shared", fmt.Sprint(w), t0); err != nil {
							errs <- err
						}
						if v, ok, err := st.CachedSummary(t.Context(), k); err != nil || !ok || v != "v-"+k {
							errs <- fmt.Errorf("read back %q: %q, %v, %v", k, v, ok, err)
						}
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			if v, ok := cached(t, st, "shared"); !ok || len(v) != 1 {
				t.Errorf("shared key = %q, %v; want one writer's value", v, ok)
			}
		}},
	}
}
