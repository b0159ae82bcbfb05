// Package evaldata locates the evaluation-only data sets (labelled
// headlines, article/summary pairs, story groups). They live outside the
// repository, in ../shared/testdata beside the module root or wherever
// $BRIEFBOT_TESTDATA points, and are read, never copied in.
package evaldata

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Env is the variable that overrides the data directory.
const Env = "BRIEFBOT_TESTDATA"

// Path returns rel (such as "topic/dev.jsonl") under the data directory:
// $BRIEFBOT_TESTDATA when getenv has it, else ../shared/testdata beside the
// nearest directory holding go.mod above the working directory, else
// ../shared/testdata relative to the working directory.
func Path(getenv func(string) string, rel string) string {
	if getenv != nil {
		if dir := getenv(Env); dir != "" {
			return filepath.Join(dir, rel)
		}
	}
	if wd, err := os.Getwd(); err == nil {
		for dir := wd; ; dir = filepath.Dir(dir) {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				return filepath.Join(dir, "..", "shared", "testdata", rel)
			}
			if filepath.Dir(dir) == dir {
				break
			}
		}
	}
	return filepath.Join("..", "shared", "testdata", rel)
}

// TB is the part of testing.TB that Require uses; taking an interface
// keeps the testing package out of binaries that import this one.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Skipf(format string, args ...any)
}

// Require returns the path of rel for a test. When the file is missing the
// test is skipped with a message saying how to provide it, except under
// CI=true, where a missing data set is a failure rather than a silent skip.
func Require(tb TB, rel string) string {
	tb.Helper()
	path := Path(os.Getenv, rel)
	_, err := os.Stat(path)
	switch {
	case err == nil:
		return path
	case !errors.Is(err, fs.ErrNotExist):
		tb.Fatalf("evaluation data %s: %v", path, err)
	case os.Getenv("CI") == "true":
		tb.Fatalf("evaluation data %s is missing: CI must have ../shared/testdata beside the repository", path)
	default:
		tb.Skipf("evaluation data %s not found; set %s or lay out ../shared/testdata beside the repository to run this", path, Env)
	}
	return ""
}

// Load reads rel through Require and parses it with parse; a file that
// cannot be read or parsed, or holds nothing, fails the test.
func Load[T any](tb TB, rel string, parse func(io.Reader) ([]T, error)) []T {
	tb.Helper()
	path := Require(tb, rel)
	f, err := os.Open(path)
	if err != nil {
		tb.Fatalf("evaluation data: %v", err)
		return nil
	}
	defer f.Close()
	items, err := parse(f)
	if err != nil {
		tb.Fatalf("evaluation data %s: %v", path, err)
	}
	if len(items) == 0 {
		tb.Fatalf("evaluation data %s holds nothing", path)
	}
	return items
}
