package storeutil

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/briefbot/briefbot/store"
)

func TestLoadMigrations(t *testing.T) {
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	tests := []struct {
		name    string
		files   fstest.MapFS
		want    []int
		wantErr string
	}{
		{"ordered by number", fstest.MapFS{"migrations/0002_b.sql": file("B"), "migrations/0001_a.sql": file("A")}, []int{1, 2}, ""},
		{"gap", fstest.MapFS{"migrations/0001_a.sql": file("A"), "migrations/0003_c.sql": file("C")}, nil, "expected version 2"},
		{"duplicate", fstest.MapFS{"migrations/0001_a.sql": file("A"), "migrations/0001_b.sql": file("B")}, nil, "expected version 2"},
		{"bad name", fstest.MapFS{"migrations/init.sql": file("A")}, nil, "NNNN_description.sql"},
		{"zero", fstest.MapFS{"migrations/0000_a.sql": file("A")}, nil, "NNNN_description.sql"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ms, err := LoadMigrations(tc.files)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for _, m := range ms {
				got = append(got, m.Version)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("versions %v, want %v", got, tc.want)
			}
		})
	}
}

func TestCheckSchema(t *testing.T) {
	tests := []struct {
		v, known int
		tooNew   bool
	}{
		{0, 3, false},
		{3, 3, false},
		{4, 3, true},
	}
	for _, tc := range tests {
		err := CheckSchema("db", tc.v, tc.known)
		if got := errors.Is(err, store.ErrSchemaTooNew); got != tc.tooNew {
			t.Errorf("CheckSchema(v %d, known %d) = %v; too new: %v, want %v", tc.v, tc.known, err, got, tc.tooNew)
		}
	}
}
