package summarize

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// JSONLIn is one input line of SummarizeJSONL.
type JSONLIn struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	Article string `json:"article"`
}

// JSONLOut is one output line of SummarizeJSONL.
type JSONLOut struct {
	ID      string `json:"id"`
	Summary string `json:"summary"`
}

// SummarizeJSONL reads {"id","title","article"} lines from r and writes one
// {"id","summary"} line per input line to w, in input order; blank lines
// are skipped. It stops at the first malformed line with an error naming
// it, after writing the summaries of the lines before it.
func SummarizeJSONL(ctx context.Context, s Summarizer, r io.Reader, w io.Writer) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	out := bufio.NewWriter(w)
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	fail := func(err error) error {
		if ferr := out.Flush(); ferr != nil {
			return errors.Join(err, fmt.Errorf("writing summaries: %w", ferr))
		}
		return err
	}
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var in JSONLIn
		if err := json.Unmarshal([]byte(line), &in); err != nil {
			return fail(fmt.Errorf("line %d: not a JSON object with \"id\", \"title\", \"article\": %w", n, err))
		}
		sum, err := s.Summarize(ctx, Article{Title: in.Title, Text: in.Article})
		if err != nil {
			return fail(fmt.Errorf("line %d (id %q): %w", n, in.ID, err))
		}
		if err := enc.Encode(JSONLOut{ID: in.ID, Summary: sum.Text}); err != nil {
			return fmt.Errorf("writing summary for line %d: %w", n, err)
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return fail(fmt.Errorf("reading input: a line is longer than %d MiB; send one article per line", maxLine>>20))
		}
		return fail(fmt.Errorf("reading input: %w", err))
	}
	if err := out.Flush(); err != nil {
		return fmt.Errorf("writing summaries: %w", err)
	}
	return nil
}
