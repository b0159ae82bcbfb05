package storeutil

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/briefbot/briefbot/store"
)

// Migration is one embedded migrations/NNNN_name.sql file.
type Migration struct {
	Version int
	Name    string // file name, for logs
	SQL     string
}

// LoadMigrations reads and checks fsys's migrations/*.sql: versions must
// run 1, 2, 3… with no gap or duplicate, so "latest" is well defined.
func LoadMigrations(fsys fs.FS) ([]Migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []Migration
	for _, p := range names {
		name := path.Base(p)
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must be NNNN_description.sql", name)
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Version: v, Name: name, SQL: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migration %s: expected version %d (versions must be 1, 2, 3… without gaps or repeats)", m.Name, i+1)
		}
	}
	return ms, nil
}

// CheckSchema refuses a database at version v that a build knowing only
// known versions must not touch.
func CheckSchema(database string, v, known int) error {
	if v > known {
		return &store.SchemaTooNewError{Database: database, Version: v, Known: known}
	}
	return nil
}
