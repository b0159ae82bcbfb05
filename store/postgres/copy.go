package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/briefbot/briefbot/store/internal/storeutil"
)

// This file moves an embedded database to PostgreSQL: `briefbot migrate
// --from sqlite:PATH --to postgres://…`. It reads store/sqlite's tables
// through a plain database/sql handle (sqlite.Store.ReadOnlyDB), so the two
// adapters do not import each other; the SQLite side is described by
// copyTables below, written for store/sqlite's schema version 5.

// sqliteSchemaCopied is the store/sqlite schema version copyTables reads.
// A newer file still copies (migrations add, they do not rename); tables
// this file does not know are named in a warning.
const sqliteSchemaCopied = 7

// sqliteTimeLayout is how store/sqlite keeps times (fixed-width UTC text).
const sqliteTimeLayout = "2006-01-02T15:04:05.000000000Z07:00"

// TableCount is what the copy did to one table.
type TableCount struct {
	Table  string
	Read   int64 // rows in the SQLite table
	Copied int64 // rows inserted here; the rest were already present
}

// convert turns a value read from SQLite into a PostgreSQL argument.
type convert func(v any) (any, error)

type copyColumn struct {
	name string
	conv convert // nil: the value as it is (text is cleaned)
}

type copyTable struct {
	name string
	// key is the primary key: a row already here under it is kept as it
	// is, which makes a second copy change nothing. Any other unique key
	// that conflicts means the database holds other data: an error.
	key  string
	cols []copyColumn
	// identity names the column whose sequence must move past the
	// copied IDs, so rows created later do not collide with them.
	identity string
}

func col(name string, conv convert) copyColumn { return copyColumn{name, conv} }

// copyTables lists the tables in an order that satisfies foreign keys.
var copyTables = []copyTable{
	{name: "sources", key: "name", cols: []copyColumn{
		col("name", nil), col("url", nil), col("etag", nil), col("last_modified", nil), col("primed", toBool),
		col("last_poll", toTime), col("last_success", toTime), col("last_error_at", toTime), col("last_error", nil),
		col("failures", nil), col("items_seen", nil), col("last_item_lag", nil),
	}},
	{name: "items", key: "id", identity: "id", cols: []copyColumn{
		col("id", nil), col("source", nil), col("key", nil), col("guid", nil), col("link", nil), col("title", nil),
		col("description", nil), col("content", nil), col("author", nil), col("language", nil),
		col("published", toTime), col("fetched", toTime), col("state", nil), col("decision", toDecision),
	}},
	{name: "stories", key: "id", identity: "id", cols: []copyColumn{
		col("id", nil), col("headline", nil), col("summary", nil), col("link", nil), col("published", toTime),
		col("first_seen", toTime), col("updated", toTime), col("topics", toStrings), col("subtopics", toStrings),
		col("follows", nil),
	}},
	{name: "story_items", key: "item_id", cols: []copyColumn{
		col("item_id", nil), col("story_id", nil),
	}},
	{name: "story_topics", key: "topic, first_seen, story_id", cols: []copyColumn{
		col("topic", nil), col("first_seen", toTime), col("story_id", nil),
	}},
	{name: "subscriptions", key: "id", identity: "id", cols: []copyColumn{
		col("id", nil), col("guild_id", nil), col("channel_id", nil), col("topic", nil), col("mode", nil),
		col("digest_times", toStrings), col("timezone", nil), col("since", toTime), col("last_digest", toTime),
		col("created_by", nil), col("paused", toBool), col("paused_reason", nil), col("paused_at", toTime),
		col("outlets", toStrings), col("mention_role", nil),
	}},
	{name: "deliveries", key: "id", identity: "id", cols: []copyColumn{
		col("id", nil), col("kind", nil), col("subscription_id", nil), col("guild_id", nil), col("channel_id", nil),
		col("topic", nil), col("story_id", nil), col("slot", toTime), col("story_ids", toInts), col("state", nil),
		col("message_id", nil), col("attempts", nil), col("not_before", toNanos), col("claimed_by", nil),
		col("lease_until", toNanos), col("last_error", nil), col("created", toTime), col("ended_at", toTime),
		col("edit_rev", nil), col("claimed_rev", nil),
	}},
	{name: "interactions", key: "id", cols: []copyColumn{
		col("id", nil), col("at", toTime),
	}},
	{name: "guild_feeds", key: "guild_id, url", cols: []copyColumn{
		col("guild_id", nil), col("url", nil), col("source", nil), col("outlet", nil), col("language", nil),
		col("added_by", nil), col("added", toTime),
	}},
	{name: "guild_topics", key: "guild_id, name", cols: []copyColumn{
		col("guild_id", nil), col("name", nil), col("description", nil), col("include", toStrings),
		col("exclude", toStrings), col("require", toStrings), col("created_by", nil), col("created", toTime),
	}},
	// Paid for once; worth keeping.
	{name: "summary_cache", key: "key", cols: []copyColumn{
		col("key", nil), col("summary", nil), col("created", toTime),
	}},
}

// copyBatch is how many rows go to the server in one round trip.
const copyBatch = 500

// CopyFromSQLite copies every row of an embedded database (src, a handle on
// a store/sqlite file migrated to at least version 7, such as
// sqlite.Store.ReadOnlyDB) into dst, keeping IDs, item states and
// decisions, story membership, subscriptions and deliveries (pending, sent
// with their message IDs, failed). It is idempotent: rows already here
// under the same primary key are kept as they are, so running it twice
// copies nothing the second time. The copy is one transaction on each side:
// it reads one snapshot and commits all or nothing. Copy into an empty
// database: a row that clashes with different data already here (the same
// item under another ID) fails the copy.
func CopyFromSQLite(ctx context.Context, src *sql.DB, dst *Store) ([]TableCount, error) {
	if err := dst.enter(); err != nil {
		return nil, err
	}
	defer dst.mu.RUnlock()

	stx, err := src.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("copy from sqlite: begin read: %w", err)
	}
	defer stx.Rollback()
	if err := checkSQLiteSource(ctx, stx, dst.log); err != nil {
		return nil, err
	}

	var counts []TableCount
	err = pgx.BeginFunc(ctx, dst.pool, func(tx pgx.Tx) error {
		counts = nil
		for _, t := range copyTables {
			c, err := copyTable1(ctx, stx, tx, t)
			if err != nil {
				return err
			}
			counts = append(counts, c)
			dst.log.Info("copied table", slog.String("table", t.name),
				slog.Int64("read", c.Read), slog.Int64("copied", c.Copied))
		}
		for _, t := range copyTables {
			if t.identity == "" {
				continue
			}
			// Next ID after the largest present; a table still empty
			// starts at 1.
			if _, err := tx.Exec(ctx, fmt.Sprintf(`
				SELECT setval(pg_get_serial_sequence('%[1]s', '%[2]s'),
				              coalesce((SELECT max(%[2]s) FROM %[1]s), 1),
				              (SELECT max(%[2]s) FROM %[1]s) IS NOT NULL)`, t.name, t.identity)); err != nil {
				return fmt.Errorf("copy from sqlite: move %s's ID sequence past the copied rows: %w", t.name, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return counts, nil
}

// checkSQLiteSource refuses a file too old to have the tables copied, and
// warns about tables a newer briefbot added that this copy leaves behind.
func checkSQLiteSource(ctx context.Context, stx *sql.Tx, log *slog.Logger) error {
	var v int
	err := stx.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v)
	if err != nil || v < sqliteSchemaCopied {
		return fmt.Errorf("copy from sqlite: the file's schema version is %d (err: %v); it needs at least %d: open it once with this briefbot (briefbot migrate) first",
			v, err, sqliteSchemaCopied)
	}
	rows, err := stx.QueryContext(ctx, `
		SELECT name FROM sqlite_schema
		WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'
		  AND name NOT LIKE 'stories\_fts%' ESCAPE '\' AND name NOT LIKE 'item\_articles\_fts%' ESCAPE '\'`)
	if err != nil {
		return fmt.Errorf("copy from sqlite: list tables: %w", err)
	}
	defer rows.Close()
	var unknown []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return fmt.Errorf("copy from sqlite: list tables: %w", err)
		}
		known := name == "schema_migrations" || slices.ContainsFunc(copyTables, func(t copyTable) bool { return t.name == name })
		if !known {
			unknown = append(unknown, name)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("copy from sqlite: list tables: %w", err)
	}
	if len(unknown) > 0 {
		log.Warn("these SQLite tables are not copied: this briefbot does not know them",
			slog.String("tables", strings.Join(unknown, ", ")), slog.Int("sqlite_version", v))
	}
	return nil
}

// copyTable1 copies one table in batches of INSERT … ON CONFLICT (key) DO
// NOTHING, counting the rows each inserts.
func copyTable1(ctx context.Context, stx *sql.Tx, tx pgx.Tx, t copyTable) (TableCount, error) {
	c := TableCount{Table: t.name}
	names := make([]string, len(t.cols))
	params := make([]string, len(t.cols))
	for i, cl := range t.cols {
		names[i] = cl.name
		params[i] = fmt.Sprintf("$%d", i+1)
	}
	list := strings.Join(names, ", ")
	insert := fmt.Sprintf(`INSERT INTO %s (%s) VALUES (%s) ON CONFLICT (%s) DO NOTHING`,
		t.name, list, strings.Join(params, ", "), t.key)

	rows, err := stx.QueryContext(ctx, `SELECT `+list+` FROM `+t.name)
	if err != nil {
		return c, fmt.Errorf("copy from sqlite: read %s: %w", t.name, err)
	}
	defer rows.Close()

	batch := &pgx.Batch{}
	flush := func() error {
		if batch.Len() == 0 {
			return nil
		}
		br := tx.SendBatch(ctx, batch)
		for range batch.Len() {
			tag, err := br.Exec()
			if err != nil {
				br.Close()
				return explainCopyError(t.name, err)
			}
			c.Copied += tag.RowsAffected()
		}
		batch = &pgx.Batch{}
		return br.Close()
	}
	values := make([]any, len(t.cols))
	ptrs := make([]any, len(t.cols))
	for i := range values {
		ptrs[i] = &values[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return c, fmt.Errorf("copy from sqlite: read %s: %w", t.name, err)
		}
		args := make([]any, len(values))
		for i, v := range values {
			conv := t.cols[i].conv
			if conv == nil {
				conv = asIs
			}
			a, err := conv(v)
			if err != nil {
				return c, fmt.Errorf("copy from sqlite: %s row %d, column %s: %w", t.name, c.Read+1, t.cols[i].name, err)
			}
			args[i] = a
		}
		batch.Queue(insert, args...)
		c.Read++
		if batch.Len() == copyBatch {
			if err := flush(); err != nil {
				return c, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return c, fmt.Errorf("copy from sqlite: read %s: %w", t.name, err)
	}
	return c, flush()
}

func explainCopyError(table string, err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" { // unique_violation
		return fmt.Errorf("copy from sqlite: %s: the PostgreSQL database already holds different data (%s): copy into an empty database: %w",
			table, pgErr.ConstraintName, err)
	}
	return fmt.Errorf("copy from sqlite: write %s: %w", table, err)
}

// asIs passes integers and NULL through and cleans text.
func asIs(v any) (any, error) {
	switch v := v.(type) {
	case string:
		return clean(v), nil
	case []byte:
		return clean(string(v)), nil
	}
	return v, nil
}

func toBool(v any) (any, error) {
	n, ok := v.(int64)
	if !ok {
		return nil, fmt.Errorf("%v (%T) is not a 0/1 integer", v, v)
	}
	return n != 0, nil
}

func parseSQLiteTime(v any) (time.Time, bool, error) {
	if v == nil {
		return time.Time{}, false, nil
	}
	s, ok := v.(string)
	if !ok {
		return time.Time{}, false, fmt.Errorf("%v (%T) is not a time", v, v)
	}
	t, err := time.Parse(sqliteTimeLayout, s)
	if err != nil {
		return time.Time{}, false, err
	}
	return t, true, nil
}

func toTime(v any) (any, error) {
	t, ok, err := parseSQLiteTime(v)
	if err != nil || !ok {
		return nil, err
	}
	return ts(t), nil
}

func toNanos(v any) (any, error) {
	t, ok, err := parseSQLiteTime(v)
	if err != nil || !ok {
		return nil, err
	}
	return nsArg(t)
}

func toStrings(v any) (any, error) {
	s, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("%v (%T) is not a JSON list", v, v)
	}
	l := []string{}
	if err := json.Unmarshal([]byte(s), &l); err != nil {
		return nil, err
	}
	return cleanAll(l), nil
}

func toInts(v any) (any, error) {
	s, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("%v (%T) is not a JSON list", v, v)
	}
	l := []int64{}
	if err := json.Unmarshal([]byte(s), &l); err != nil {
		return nil, err
	}
	return l, nil
}

// toDecision re-encodes a stored decision: the same JSON, with text jsonb
// cannot hold cleaned.
func toDecision(v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	s, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("%v (%T) is not JSON text", v, v)
	}
	d, err := storeutil.DecodeDecision([]byte(s))
	if err != nil {
		return nil, err
	}
	return encodeDecision(d)
}
