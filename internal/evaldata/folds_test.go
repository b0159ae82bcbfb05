package evaldata

import (
	"reflect"
	"testing"
)

func TestGroupFolds(t *testing.T) {
	days := []string{"b", "a", "b", "c", "a"}
	folds := GroupFolds(len(days), func(i int) string { return days[i] })
	want := []Fold{
		{Name: "a", Test: []int{1, 4}, Train: []int{0, 2, 3}},
		{Name: "b", Test: []int{0, 2}, Train: []int{1, 3, 4}},
		{Name: "c", Test: []int{3}, Train: []int{0, 1, 2, 4}},
	}
	if !reflect.DeepEqual(folds, want) {
		t.Fatalf("GroupFolds = %+v, want %+v", folds, want)
	}
}

func TestDay(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"2024-04-14T23:18:09+00:00", "2024-04-14"},
		{"2024-04-14T23:18:09-05:00", "2024-04-15"}, // a day is a UTC day
		{"", "unknown"},
		{"yesterday", "unknown"},
	} {
		if got := Day(tc.in); got != tc.want {
			t.Errorf("Day(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
