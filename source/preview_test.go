package source

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

func TestPreviewURLAndFile(t *testing.T) {
	srv := newFeedServer(t, rssDoc("", testItem{GUID: "1", Link: "/story?utm_medium=rss", Title: "A &amp; B", Pub: pollNow}), "")
	f := testFetcher(t, Limits{})
	title, items, err := Preview(context.Background(), f, srv.URL+"/feed.xml", pollNow.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if title != "Test feed" || len(items) != 1 || items[0].Title != "A & B" || items[0].Link != srv.URL+"/story" {
		t.Errorf("preview = %q %+v", title, items)
	}

	title, items, err = Preview(context.Background(), f, filepath.Join(feedsDir, "rssparser-heraldsun.rss"), pollNow)
	if err != nil || title != "RSS0.92 Example" || len(items) != 2 {
		t.Errorf("file preview = %q, %d items, %v", title, len(items), err)
	}

	if _, _, err := Preview(context.Background(), f, filepath.Join(t.TempDir(), "missing.xml"), pollNow); err == nil {
		t.Error("a missing file must be an error")
	}
	_, _, err = Preview(context.Background(), testFetcher(t, Limits{MaxBodyBytes: 100}), filepath.Join(feedsDir, "rssparser-guardian.rss"), pollNow)
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversized file: %v, want ErrTooLarge", err)
	}
}
