package main

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/briefbot/briefbot/article"
	"github.com/briefbot/briefbot/source"
)

func init() {
	var (
		pageURL      string
		allowPrivate bool
	)
	register(&command{
		name:    "extract",
		summary: "print the article text, title, byline and date briefbot finds in a web page",
		usage:   "[--url URL] URL|FILE",
		flags: func(fs *flag.FlagSet) {
			fs.StringVar(&pageURL, "url", "", "for a FILE: the address it was saved from (resolves relative links, names the site)")
			fs.BoolVar(&allowPrivate, "allow-private-networks", false, "for a URL: allow loopback and private addresses, as polling.allow_private_networks does")
		},
		run: func(ctx context.Context, e *env, args []string) error {
			if len(args) != 1 {
				return usageErrorf("extract takes one web address or saved HTML file, got %d arguments", len(args))
			}
			return runExtract(ctx, e, args[0], pageURL, allowPrivate)
		},
	})
}

func runExtract(ctx context.Context, e *env, target, pageURL string, allowPrivate bool) error {
	var p source.Page
	if strings.HasPrefix(target, "http://") || strings.HasPrefix(target, "https://") {
		f := source.NewFetcher(source.Limits{UserAgent: source.UserAgent(buildVersion()), AllowPrivateNetworks: allowPrivate}, nil)
		var err error
		if p, err = f.Page(ctx, target); err != nil {
			return fmt.Errorf("fetching %s: %s", target, source.Reason(err))
		}
	} else {
		body, err := os.ReadFile(target)
		if err != nil {
			return fmt.Errorf("reading the page: %w (give a http(s) URL or a saved HTML file)", err)
		}
		if pageURL != "" {
			if _, err := url.Parse(pageURL); err != nil {
				return usageErrorf("extract: --url %q is not a valid URL", pageURL)
			}
		}
		p = source.Page{URL: pageURL, ContentType: "text/html", Body: body}
	}
	a, err := source.ExtractArticle(p)
	if err != nil {
		return fmt.Errorf("%s: %s", target, source.Reason(err))
	}
	printArticle(e, a)
	return nil
}

func printArticle(e *env, a article.Article) {
	w := e.stdout
	fmt.Fprintf(w, "title:    %s\n", orNone(a.Title))
	fmt.Fprintf(w, "byline:   %s\n", orNone(a.Byline))
	date := "(none)"
	if !a.Published.IsZero() {
		date = a.Published.UTC().Format(time.RFC3339)
	}
	fmt.Fprintf(w, "date:     %s\n", date)
	fmt.Fprintf(w, "language: %s\n", orNone(a.Language))
	fmt.Fprintf(w, "words:    %d\n\n%s\n", a.Words(), a.Text)
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
