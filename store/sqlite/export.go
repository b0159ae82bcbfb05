package sqlite

import "database/sql"

// ReadOnlyDB returns the store's pool of read-only connections, for tools
// that read the whole database in its own schema (see migrations/), such as
// `briefbot migrate --to postgres://…` (store/postgres.CopyFromSQLite). The
// connections refuse writes, and the pool closes with the store.
func (s *Store) ReadOnlyDB() *sql.DB { return s.read }
