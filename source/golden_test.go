package source

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/briefbot/briefbot/story"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/feeds/golden")

const feedsDir = "../testdata/feeds"

// goldenFetchTime is the fetch time used for golden files: after every
// document's dates, so none is clamped, and fixed so goldens are stable.
var goldenFetchTime = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// realFeeds lists the real feed documents copied from shared/testdata.
func realFeeds(t testing.TB) []string {
	t.Helper()
	entries, err := os.ReadDir(feedsDir)
	if err != nil {
		t.Fatalf("reading %s: %v", feedsDir, err)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() || strings.HasSuffix(e.Name(), ".md") {
			continue
		}
		names = append(names, e.Name())
	}
	if len(names) < 20 {
		t.Fatalf("found %d feed documents in %s; expected the real feeds (see SOURCES.md)", len(names), feedsDir)
	}
	return names
}

func goldenFeed(name string) Feed {
	return Feed{Name: strings.TrimSuffix(name, filepath.Ext(name)), URL: "https://feeds.example.org/" + name}
}

// TestGoldenFeeds parses and normalises every real feed document and
// compares the items with testdata/feeds/golden/NAME.json. Run with
// -update to rewrite the goldens after an intended change, and review
// the diff.
func TestGoldenFeeds(t *testing.T) {
	for _, name := range realFeeds(t) {
		t.Run(name, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join(feedsDir, name))
			if err != nil {
				t.Fatal(err)
			}
			feed := goldenFeed(name)
			doc, err := Parse(body, "", feed.URL)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			items := Normalize(doc.Feed, feed, feed.URL, goldenFetchTime)
			checkInvariants(t, items, goldenFetchTime)

			// Sensible dates: every date the document states is understood
			// (a fetch-time date means the item had none).
			for i, raw := range doc.Feed.Items {
				if i >= len(items) {
					break
				}
				if strings.TrimSpace(raw.Published+raw.Updated) != "" && items[i].Published.Equal(goldenFetchTime) && raw.Title != "" {
					t.Errorf("item %d %q: date %q not understood", i, items[i].Title, raw.Published+raw.Updated)
				}
			}
			// Sensible titles: every document item with a title keeps one.
			for _, it := range items {
				if it.Title == "" {
					t.Errorf("item %q has no title", it.Key)
				}
			}

			got, err := json.MarshalIndent(items, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := filepath.Join(feedsDir, "golden", name+".json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("reading golden (run go test ./source -run TestGoldenFeeds -update to create it): %v", err)
			}
			if !bytes.Equal(got, want) {
				var wantItems []story.Item
				_ = json.Unmarshal(want, &wantItems)
				t.Errorf("normalised items differ from %s (run with -update and review the diff)\n%s", golden, firstDiff(items, wantItems))
			}
		})
	}
}

// TestGoldenFeedsSpotChecks pins facts about specific documents that the
// golden files could silently lose: the points each fixture was chosen for
// (see testdata/feeds/SOURCES.md).
func TestGoldenFeedsSpotChecks(t *testing.T) {
	load := func(name string) []story.Item {
		t.Helper()
		body, err := os.ReadFile(filepath.Join(feedsDir, name))
		if err != nil {
			t.Fatal(err)
		}
		feed := goldenFeed(name)
		doc, err := Parse(body, "", feed.URL)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return Normalize(doc.Feed, feed, feed.URL, goldenFetchTime)
	}
	tests := []struct {
		file  string
		count int
		check func(t *testing.T, items []story.Item)
	}{
		{"qq-news-china-gb2312.xml", 20, func(t *testing.T, items []story.Item) {
			// GB2312 decoded: Chinese text, no replacement characters.
			if !containsHan(items[0].Title) {
				t.Errorf("title %q is not decoded Chinese", items[0].Title)
			}
		}},
		{"reuters-worldnews-rss.xml", 10, func(t *testing.T, items []story.Item) {
			// Entity-escaped HTML with feedflare divs becomes plain text.
			for _, it := range items {
				if strings.Contains(it.Description, "feedflare") || strings.Contains(it.Description, "&lt;") {
					t.Errorf("description kept markup: %q", it.Description)
				}
			}
		}},
		{"heise-developer-atom.xml", 15, func(t *testing.T, items []story.Item) {
			// Double-escaped &amp;quot; decodes to a quote; tracking param wt_mc goes.
			for _, it := range items {
				if strings.Contains(it.Description, "&quot;") || strings.Contains(it.Link, "wt_mc") {
					t.Errorf("item not cleaned: %q %q", it.Description, it.Link)
				}
			}
		}},
		{"uol-noticias-rss.xml", 15, func(t *testing.T, items []story.Item) {
			// Portuguese dates: "Seg, 24 Set 2018 19:42:40 -0300".
			want := time.Date(2018, 9, 24, 22, 42, 40, 0, time.UTC)
			if !items[0].Published.Equal(want) {
				t.Errorf("published = %v, want %v", items[0].Published, want)
			}
		}},
		{"rsparser-kc0011.rss", 20, func(t *testing.T, items []story.Item) {
			want := time.Date(2020, 1, 10, 14, 33, 0, 0, time.UTC)
			if !items[0].Published.Equal(want) {
				t.Errorf("published = %v, want %v", items[0].Published, want)
			}
		}},
		{"rsparser-scriptingnews.json", 0, nil},
		{"rssparser-heraldsun.rss", 2, func(t *testing.T, items []story.Item) {
			// No dates at all: fetch time.
			if !items[0].Published.Equal(goldenFetchTime) {
				t.Errorf("undated item published = %v, want fetch time", items[0].Published)
			}
		}},
		{"rsparser-macworld.rss", 30, func(t *testing.T, items []story.Item) {
			if strings.Contains(items[0].Link, "#") {
				t.Errorf("fragment kept: %q", items[0].Link)
			}
		}},
		{"rsparser-manton.rss", 10, func(t *testing.T, items []story.Item) {
			// Title-less microposts get a title from their text.
			if !strings.HasPrefix(items[0].Title, "This week’s Core Intuition") {
				t.Errorf("derived title = %q", items[0].Title)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			items := load(tt.file)
			if len(items) != tt.count {
				t.Fatalf("%d items, want %d", len(items), tt.count)
			}
			if tt.check != nil {
				tt.check(t, items)
			}
		})
	}
}

func containsHan(s string) bool {
	for _, r := range s {
		if r >= 0x4E00 && r <= 0x9FFF {
			return true
		}
	}
	return false
}

// checkInvariants holds for every normalised item, whatever the input.
func checkInvariants(t testing.TB, items []story.Item, fetched time.Time) {
	t.Helper()
	keys := map[string]bool{}
	for _, it := range items {
		if it.Key == "" {
			t.Errorf("item %q has no key", it.Title)
		}
		if keys[it.Key] {
			t.Errorf("duplicate key %q", it.Key)
		}
		keys[it.Key] = true
		if it.Published.Location() != time.UTC || it.Fetched.Location() != time.UTC {
			t.Errorf("item %q: dates not UTC: %v %v", it.Key, it.Published, it.Fetched)
		}
		if it.Published.IsZero() || it.Published.After(fetched) {
			t.Errorf("item %q: published %v outside (0, %v]", it.Key, it.Published, fetched)
		}
		if it.Link != "" {
			u, err := url.Parse(it.Link)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Fragment != "" {
				t.Errorf("item %q: bad link %q", it.Key, it.Link)
			}
		}
		for field, s := range map[string]string{"title": it.Title, "description": it.Description, "content": it.Content, "author": it.Author} {
			if !utf8.ValidString(s) || strings.ContainsRune(s, utf8.RuneError) {
				t.Errorf("item %q: %s is not clean UTF-8: %q", it.Key, field, s)
			}
			if hasTag(s) {
				t.Errorf("item %q: %s has HTML tags: %q", it.Key, field, s)
			}
			if s != strings.TrimSpace(s) || strings.Contains(s, "  ") || strings.ContainsAny(s, "\n\t") {
				t.Errorf("item %q: %s whitespace not collapsed: %q", it.Key, field, s)
			}
		}
	}
}

func firstDiff(got, want []story.Item) string {
	if len(got) != len(want) {
		return "item count: got " + strconv.Itoa(len(got)) + ", want " + strconv.Itoa(len(want))
	}
	for i := range got {
		g, _ := json.Marshal(got[i])
		w, _ := json.Marshal(want[i])
		if !bytes.Equal(g, w) {
			return "item " + strconv.Itoa(i) + ":\n got  " + string(g) + "\n want " + string(w)
		}
	}
	return "(formatting only)"
}
