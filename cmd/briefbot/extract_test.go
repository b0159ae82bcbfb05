package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
)

func TestExtractFileAndURL(t *testing.T) {
	page, err := os.ReadFile("../../source/testdata/fulltext/article.html")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page)
	}))
	defer srv.Close()
	for _, args := range [][]string{
		{"extract", "--url", "https://news.example.org/2025/03/14/water-talks", "../../source/testdata/fulltext/article.html"},
		{"extract", "--allow-private-networks", srv.URL + "/2025/03/14/water-talks"},
	} {
		var out, errOut bytes.Buffer
		e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }}
		if code := execute(context.Background(), e, args); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut.String())
		}
		for _, want := range []string{
			"title:    Envoys agree on a water-sharing framework after talks in Muscat",
			"byline:   Samira Nasser",
			"Negotiators from three states",
		} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("%v: output lacks %q:\n%s", args, want, out.String())
			}
		}
	}
}

func TestExtractRefusesLoopbackByDefault(t *testing.T) {
	var out, errOut bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }}
	if code := execute(context.Background(), e, []string{"extract", "http://127.0.0.1:1/x"}); code == 0 {
		t.Fatalf("extract of a loopback URL succeeded: %s", out.String())
	}
	if !strings.Contains(errOut.String(), "fetching http://127.0.0.1:1/x") {
		t.Errorf("error does not say what failed: %s", errOut.String())
	}
}
