package summarize

import (
	"html"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

var fuzzSeeds = []string{
	"TEHRAN (Reuters) - Iran said on Monday it would resume talks. Subscribe to our newsletter.",
	"(CNN)Talks resumed in the U.S. capital at 9 a.m. on Jan. 5. Mr. Smith said: \"We're ready.\" Read more: X .",
	"<p>Iran &amp; the IAEA reached a deal.</p><script>x()</script><p>Inspectors return&nbsp;next week…</p>",
	"By JOHN SMITH, Associated Press\nBEIRUT (AP) — Lebanon's parliament met. (AP Photo/Jane Roe)\n\nThank you!",
	"it was held in june . `` we are done , '' he said . the end .",
	"Updated 14:03 GMT (22:03 HKT) March 3, 2015\nShare\nTweet\nEmail\n1. First item. 2. Second item.",
	"Oil rose 2.5% to $81.40... Then it fell?! \"Really?\" she asked. J. K. Rowling wrote.",
	"\u200b\r\n\t \u00a0\xff\xfe<a href=x>link</a> &#x1F600; ©2015 Example. All rights reserved.",
}

// FuzzSplitSentences: no panics, and every sentence is a non-empty,
// trimmed substring of the input, in order, with only whitespace between.
func FuzzSplitSentences(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		rest := text
		for _, s := range SplitSentences(text) {
			if s == "" || strings.TrimSpace(s) != s {
				t.Fatalf("sentence %q is empty or untrimmed", s)
			}
			// Only whitespace may separate sentences.
			rest = strings.TrimLeftFunc(rest, unicode.IsSpace)
			if !strings.HasPrefix(rest, s) {
				t.Fatalf("sentence %q does not continue the input at %q", s, rest)
			}
			rest = rest[len(s):]
		}
		if strings.TrimSpace(rest) != "" {
			t.Fatalf("non-space text %q dropped at the end", rest)
		}
	})
}

// FuzzClean: no panics, and the output only deletes: ignoring whitespace,
// it is a subsequence of the input with HTML entities decoded; and every
// output sentence is one of the (entity-decoded) input's characters in
// order, never invented text.
func FuzzClean(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		out := Clean(text)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 out of %q", text)
		}
		if !isSubsequence(nonSpace(out), nonSpace(html.UnescapeString(text))) {
			t.Fatalf("Clean(%q) = %q adds text", text, out)
		}
		// Cleaning is stable: cleaned text has nothing left to remove
		// that would change its sentences' words.
		for _, s := range SplitSentences(out) {
			if !isSubsequence(nonSpace(s), nonSpace(out)) {
				t.Fatalf("sentence %q not in %q", s, out)
			}
		}
	})
}

func nonSpace(s string) []rune {
	var out []rune
	for _, r := range s {
		if !unicode.IsSpace(r) && r != utf8.RuneError {
			out = append(out, r)
		}
	}
	return out
}

func isSubsequence(sub, s []rune) bool {
	i := 0
	for _, r := range s {
		if i < len(sub) && sub[i] == r {
			i++
		}
	}
	return i == len(sub)
}

func TestSubsequenceHelper(t *testing.T) {
	if !isSubsequence([]rune("ace"), []rune("abcde")) || isSubsequence([]rune("aec"), []rune("abcde")) {
		t.Fatal("isSubsequence is wrong")
	}
}
