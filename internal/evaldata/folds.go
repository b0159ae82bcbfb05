package evaldata

import (
	"sort"
	"time"
)

// Fold is one split of a cross-validation. Whatever is fitted (a weight, a
// threshold, a word list) may look at the Train indices only; the figure
// reported for the fold is measured on Test.
type Fold struct {
	// Name is the group held out, e.g. a news day "2025-06-24".
	Name        string
	Train, Test []int
}

// GroupFolds returns one leave-one-group-out fold per distinct key that
// group gives items 0..n-1, ordered by key. Holding out a whole group (a
// news day, an outlet) rather than random items is the point: items of one
// day share names and wording, so a random split leaks the day's lexicon
// into training and flatters the score.
func GroupFolds(n int, group func(i int) string) []Fold {
	byKey := map[string][]int{}
	for i := range n {
		k := group(i)
		byKey[k] = append(byKey[k], i)
	}
	keys := make([]string, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	folds := make([]Fold, 0, len(keys))
	for _, k := range keys {
		f := Fold{Name: k, Test: byKey[k]}
		for _, other := range keys {
			if other != k {
				f.Train = append(f.Train, byKey[other]...)
			}
		}
		sort.Ints(f.Train)
		folds = append(folds, f)
	}
	return folds
}

// Day is the news day of an RFC 3339 timestamp: its UTC calendar date, or
// "unknown" when it does not parse, so undated items still form one group.
func Day(published string) string {
	t, err := time.Parse(time.RFC3339, published)
	if err != nil {
		return "unknown"
	}
	return t.UTC().Format(time.DateOnly)
}
