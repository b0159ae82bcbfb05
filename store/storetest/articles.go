package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/store"
)

func (s *suite) itemArticleTests() []test {
	arts := func(t *testing.T, st store.Store) store.ItemArticles {
		t.Helper()
		a, ok := st.(store.ItemArticles)
		if !ok {
			t.Fatalf("%T does not implement store.ItemArticles", st)
		}
		return a
	}
	get := func(t *testing.T, st store.Store, link string) (store.ItemArticle, bool) {
		t.Helper()
		a, ok, err := arts(t, st).ItemArticle(t.Context(), link)
		if err != nil {
			t.Fatalf("ItemArticle(%q): %v", link, err)
		}
		return a, ok
	}
	article := store.ItemArticle{
		Link: "https://news.example.org/2025/03/14/talks", From: store.FromArticle, Words: 812,
		Text: "Negotiators met in Muscat.\n\nعراقچی گفت گفتگوها دشوار بود — “quoted”.\n\n" + strings.Repeat("More text. ", 3000),
		At:   t0,
	}
	teaser := store.ItemArticle{
		Link: "https://news.example.org/2025/03/14/walled", From: store.FromTeaser, Reason: "robots",
		Detail: "robots.txt disallows article pages on this host", At: at(time.Minute),
	}
	return []test{
		{"a missing link is not an error", func(t *testing.T) {
			st, _ := s.fresh(t)
			if a, ok := get(t, st, "https://absent.example/x"); ok || a != (store.ItemArticle{}) {
				t.Errorf("ItemArticle of a missing link = %+v, %v; want zero, false", a, ok)
			}
		}},
		{"records come back exactly and survive a reopen", func(t *testing.T) {
			st, open := s.fresh(t)
			for _, a := range []store.ItemArticle{article, teaser} {
				if err := arts(t, st).SaveItemArticle(t.Context(), a); err != nil {
					t.Fatalf("SaveItemArticle: %v", err)
				}
			}
			if err := st.Close(); err != nil {
				t.Fatal(err)
			}
			st = s.open(t, open)
			for _, want := range []store.ItemArticle{article, teaser} {
				got, ok := get(t, st, want.Link)
				want.At = want.At.Truncate(time.Microsecond)
				got.At = got.At.Truncate(time.Microsecond)
				if !ok || got != want {
					t.Errorf("ItemArticle(%q) = %+.80v, %v; want %+.80v", want.Link, got, ok, want)
				}
			}
		}},
		{"saving again replaces the record", func(t *testing.T) {
			st, _ := s.fresh(t)
			first := teaser
			first.Link = article.Link
			if err := arts(t, st).SaveItemArticle(t.Context(), first); err != nil {
				t.Fatal(err)
			}
			if err := arts(t, st).SaveItemArticle(t.Context(), article); err != nil {
				t.Fatal(err)
			}
			if got, ok := get(t, st, article.Link); !ok || got.From != store.FromArticle || got.Words != 812 || got.Reason != "" {
				t.Errorf("after replacing: %+.80v, %v", got, ok)
			}
		}},
		{"bad records are refused and nothing is stored", func(t *testing.T) {
			st, _ := s.fresh(t)
			for name, a := range map[string]store.ItemArticle{
				"empty link": {From: store.FromArticle, At: t0},
				"zero time":  {Link: "https://x.example/a", From: store.FromArticle},
				"bad from":   {Link: "https://x.example/b", From: "page", At: t0},
			} {
				if err := arts(t, st).SaveItemArticle(t.Context(), a); err == nil {
					t.Errorf("%s: SaveItemArticle succeeded", name)
				}
				if _, ok := get(t, st, a.Link); ok {
					t.Errorf("%s: a record was stored", name)
				}
			}
		}},
		{"a cancelled context fails", func(t *testing.T) {
			st, _ := s.fresh(t)
			if err := arts(t, st).SaveItemArticle(cancelled(t), article); err == nil {
				t.Error("SaveItemArticle with a cancelled context succeeded")
			}
			if _, _, err := arts(t, st).ItemArticle(cancelled(t), article.Link); err == nil {
				t.Error("ItemArticle with a cancelled context succeeded")
			}
		}},
	}
}
