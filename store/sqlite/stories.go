package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/store/internal/storeutil"
)

// storyItem is what a story takes from the item that starts or joins it.
type storyItem struct {
	id                  int64
	title, link, source string
	published           sql.NullString
}

// addToStory puts a relevant item in a story, inside CompleteItem's
// transaction: d.StoryID's, or a new one. Then every channel whose realtime
// subscription matches the story gets its one delivery; the unique
// (channel_id, story_id) key makes that "at most one", however many topics
// match and however often this runs.
func addToStory(ctx context.Context, tx *sql.Tx, it storyItem, d store.Decision, at string) error {
	var existing int64
	err := tx.QueryRowContext(ctx, `SELECT story_id FROM story_items WHERE item_id = ?`, it.id).Scan(&existing)
	if err == nil {
		return nil // completed again: its story and deliveries already exist
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("look up the item's story: %w", err)
	}

	var (
		storyID   int64
		firstSeen string
		topics    []string
	)
	if d.StoryID == 0 {
		if d.FollowsStoryID != 0 {
			var one int
			err := tx.QueryRowContext(ctx, `SELECT 1 FROM stories WHERE id = ?`, d.FollowsStoryID).Scan(&one)
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("story %d that the new story follows: %w", d.FollowsStoryID, store.ErrNotFound)
			}
			if err != nil {
				return fmt.Errorf("read story %d that the new story follows: %w", d.FollowsStoryID, err)
			}
		}
		topics = storeutil.Union(nil, d.Topics)
		// A translated headline, when the summarizer wrote one, heads the
		// story; the item keeps its original title.
		headline := it.title
		if d.StoryHeadline != "" {
			headline = d.StoryHeadline
		}
		err = tx.QueryRowContext(ctx, `
			INSERT INTO stories (headline, summary, link, published, first_seen, updated, topics, subtopics, follows)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			RETURNING id`,
			headline, d.Summary, it.link, it.published, at, at,
			jsonList(topics), jsonList(storeutil.Union(nil, d.Subtopics)), d.FollowsStoryID).Scan(&storyID)
		if err != nil {
			return fmt.Errorf("create story: %w", err)
		}
		firstSeen = at
	} else {
		storyID = d.StoryID
		var topicsJS, subtopicsJS string
		err = tx.QueryRowContext(ctx, `SELECT first_seen, topics, subtopics FROM stories WHERE id = ?`, storyID).
			Scan(&firstSeen, &topicsJS, &subtopicsJS)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("story %d that the item should join: %w", storyID, store.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("read story %d: %w", storyID, err)
		}
		oldTopics, err := decodeList(topicsJS)
		if err != nil {
			return err
		}
		oldSubtopics, err := decodeList(subtopicsJS)
		if err != nil {
			return err
		}
		topics = storeutil.Union(oldTopics, d.Topics)
		if _, err := tx.ExecContext(ctx, `
			UPDATE stories SET updated = max(updated, ?), topics = ?, subtopics = ? WHERE id = ?`,
			at, jsonList(topics), jsonList(storeutil.Union(oldSubtopics, d.Subtopics)), storyID); err != nil {
			return fmt.Errorf("update story %d: %w", storyID, err)
		}
		if err := refreshStory(ctx, tx, storyID, d); err != nil {
			return err
		}
		// Channels that already have the story's message owe it an edit.
		if _, err := tx.ExecContext(ctx, editDueQuery, storyID, it.source); err != nil {
			return fmt.Errorf("queue edits of story %d's messages: %w", storyID, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO story_items (item_id, story_id) VALUES (?, ?)`, it.id, storyID); err != nil {
		return fmt.Errorf("add the item to story %d: %w", storyID, err)
	}
	for _, topic := range topics {
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO story_topics (topic, first_seen, story_id) VALUES (?, ?, ?)
			ON CONFLICT DO NOTHING`, topic, firstSeen, storyID); err != nil {
			return fmt.Errorf("index story %d under topic %q: %w", storyID, topic, err)
		}
	}
	if _, err := tx.ExecContext(ctx, fanOutQuery, storyID, at, jsonList(topics), firstSeen, it.source); err != nil {
		return fmt.Errorf("queue story %d for subscribed channels: %w", storyID, err)
	}
	return nil
}

// refreshStory gives a story the headline, link and summary d carries for
// it (see store.Decision), touching only the columns it changes so the
// full-text index is rewritten only when the text is.
func refreshStory(ctx context.Context, tx *sql.Tx, storyID int64, d store.Decision) error {
	var (
		sets []string
		args []any
	)
	for _, c := range []struct{ column, value string }{
		{"headline", d.StoryHeadline}, {"link", d.StoryLink}, {"summary", d.StorySummary},
	} {
		if c.value != "" {
			sets = append(sets, c.column+" = ?")
			args = append(args, c.value)
		}
	}
	if len(sets) == 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE stories SET `+strings.Join(sets, ", ")+` WHERE id = ?`,
		append(args, storyID)...); err != nil {
		return fmt.Errorf("refresh story %d's headline and summary: %w", storyID, err)
	}
	return nil
}

// fanOutQuery queues story ?1, decided at ?2, with topics ?3 (JSON) and
// first seen at ?4 for every channel subscribed to one of them in real time
// that takes item source ?5: a subscription limited to some outlets only
// from those, a server's own source only in the servers that added it.
// ORDER BY s.id: when several of a channel's topics match, its oldest
// subscription owns the delivery. The WHERE keeps SQLite from reading
// ON CONFLICT as a join constraint.
const fanOutQuery = `
	INSERT INTO deliveries (kind, subscription_id, guild_id, channel_id, topic, story_id, story_ids, created)
	SELECT 'story', s.id, s.guild_id, s.channel_id, s.topic, ?1, json_array(?1), ?2
	FROM subscriptions s
	WHERE s.topic IN (SELECT value FROM json_each(?3))
	  AND s.mode = 'realtime' AND s.paused = 0
	  AND (s.since IS NULL OR s.since <= ?4)
	  AND (s.outlets = '[]' OR ?5 IN (SELECT value FROM json_each(s.outlets)))
	  AND (substr(?5, 1, length('` + store.GuildSourcePrefix + `')) <> '` + store.GuildSourcePrefix + `'
	       OR EXISTS (SELECT 1 FROM guild_feeds g WHERE g.source = ?5 AND g.guild_id = s.guild_id))
	ORDER BY s.id
	ON CONFLICT (channel_id, story_id) DO NOTHING`

// editDueQuery makes story ?1's deliveries owe their channels an edit
// (see migration 0003): a sent one is due again, as an edit of its
// message, with a fresh attempt count; a pending one only counts the join,
// which matters if it is being sent right now. Rows whose subscription is
// gone are left alone: no one is left to claim them. ?2 is the joining
// item's source (” for a new summary): a server's own source changes
// nothing other servers are shown, so their messages are not edited.
const editDueQuery = `
	UPDATE deliveries SET
	    edit_rev = edit_rev + 1,
	    state = 'pending',
	    attempts = CASE state WHEN 'sent' THEN 0 ELSE attempts END,
	    not_before = CASE state WHEN 'sent' THEN NULL ELSE not_before END,
	    last_error = CASE state WHEN 'sent' THEN '' ELSE last_error END
	WHERE story_id = ?1 AND state IN ('pending', 'sent') AND subscription_id IS NOT NULL
	  AND (substr(?2, 1, length('` + store.GuildSourcePrefix + `')) <> '` + store.GuildSourcePrefix + `'
	       OR EXISTS (SELECT 1 FROM guild_feeds g WHERE g.source = ?2 AND g.guild_id = deliveries.guild_id))`

// jsonList encodes a string list, nil as [] so the column is never null.
func jsonList[T any](l []T) string {
	if len(l) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(l) // strings and integers always encode
	return string(b)
}

func decodeList(s string) ([]string, error) {
	var l []string
	if err := json.Unmarshal([]byte(s), &l); err != nil {
		return nil, fmt.Errorf("sqlite: bad stored list %q: %w", s, err)
	}
	return l, nil
}

const storyColumns = `s.id, s.headline, s.summary, s.link, s.published, s.first_seen, s.updated, s.topics, s.subtopics, s.follows`

func scanStory(sc interface{ Scan(...any) error }) (store.Story, error) {
	var (
		st                        store.Story
		published, first, updated sql.NullString
		topicsJS, subtopicsJS     string
	)
	err := sc.Scan(&st.ID, &st.Headline, &st.Summary, &st.Link, &published, &first, &updated, &topicsJS, &subtopicsJS, &st.Follows)
	if err != nil {
		return st, err
	}
	if st.Published, err = parseTime(published); err != nil {
		return st, err
	}
	if st.FirstSeen, err = parseTime(first); err != nil {
		return st, err
	}
	if st.Updated, err = parseTime(updated); err != nil {
		return st, err
	}
	if st.Topics, err = decodeList(topicsJS); err != nil {
		return st, err
	}
	st.Subtopics, err = decodeList(subtopicsJS)
	return st, err
}

// Story implements store.Briefings.
func (s *Store) Story(ctx context.Context, id int64) (store.Story, error) {
	var st store.Story
	err := s.inRead(ctx, func(tx *sql.Tx) error {
		var err error
		st, err = scanStory(tx.QueryRowContext(ctx, `SELECT `+storyColumns+` FROM stories s WHERE s.id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("story %d: %w", id, store.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("sqlite: read story %d: %w", id, err)
		}
		stories := []store.Story{st}
		if err := loadSources(ctx, tx, stories); err != nil {
			return err
		}
		st = stories[0]
		return nil
	})
	return st, err
}

// searchWindow is how many of the newest matches a text search ranks.
const searchWindow = 500

// headlineWeight makes a word in the headline count more than one in the
// summary when ranking search results.
const headlineWeight = 2.0

// Stories implements store.Briefings.
func (s *Store) Stories(ctx context.Context, q store.StoryQuery) ([]store.Story, error) {
	if q.Limit <= 0 {
		return nil, fmt.Errorf("sqlite: stories: limit is %d; it must be positive", q.Limit)
	}
	since, err := timeArg(q.Since)
	if err != nil {
		return nil, fmt.Errorf("sqlite: stories: since: %w", err)
	}
	query, args := storiesQuery(q, since)
	if query == "" {
		return nil, nil // nothing searchable in q.Text: no letters or digits
	}

	var stories []store.Story
	err = s.inRead(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, query, args...)
		if err != nil {
			return fmt.Errorf("sqlite: stories: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			st, err := scanStory(rows)
			if err != nil {
				return fmt.Errorf("sqlite: stories: %w", err)
			}
			stories = append(stories, st)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("sqlite: stories: %w", err)
		}
		return loadSources(ctx, tx, stories)
	})
	return stories, err
}

// storiesQuery builds Stories' SQL for q; since is q.Since as a column
// value. It returns "" when q.Text has nothing to search for.
func storiesQuery(q store.StoryQuery, since any) (query string, args []any) {
	switch {
	case q.Text != "":
		match := matchQuery(q.Text)
		if match == "" {
			return "", nil
		}
		// Ranking every match of a common word costs O(matches) (150 ms
		// for one in a third of 100,000 stories), so only the newest
		// searchWindow matches are ranked. FTS5 walks its index by rowid,
		// newest first, and stops there; for news the best of the recent
		// matches is the answer people want anyway.
		inner := `SELECT rowid AS id, 0 AS tier, bm25(stories_fts, ` + fmt.Sprint(headlineWeight) + `, 1.0) AS score
			FROM stories_fts WHERE stories_fts MATCH ?`
		args = append(args, match)
		if q.Topic != "" {
			inner += ` AND EXISTS (SELECT 1 FROM story_topics t WHERE t.story_id = stories_fts.rowid AND t.topic = ?)`
			args = append(args, q.Topic)
		}
		if since != nil {
			// The rowid bound is exact (every story seen since has an ID
			// at least the least of theirs) and lets FTS5 stop at it
			// instead of testing every older match.
			inner += ` AND rowid >= (SELECT coalesce(min(id), 0) FROM stories INDEXED BY stories_first_seen WHERE first_seen >= ?)
				AND EXISTS (SELECT 1 FROM stories o WHERE o.id = stories_fts.rowid AND o.first_seen >= ?)`
			args = append(args, since, since)
		}
		inner += ` ORDER BY rowid DESC LIMIT ` + fmt.Sprint(searchWindow)
		// Then the stories found only in the article text of one of their
		// items (every word in one page), ranked after every headline or
		// summary match: a story whose headline names the subject is the
		// better answer. The same window, over pages newest first; none
		// is read when the headline matches already fill the answer (for
		// a word in many pages, ranking them is most of a search's work).
		pages := `SELECT si.story_id AS id, bm25(item_articles_fts) AS score
			FROM item_articles_fts
			JOIN item_articles a ON a.id = item_articles_fts.rowid
			JOIN items i ON i.link = a.link AND i.link <> ''
			JOIN story_items si ON si.item_id = i.id
			JOIN stories p ON p.id = si.story_id
			WHERE item_articles_fts MATCH ?
			  AND NOT EXISTS (SELECT 1 FROM stories_fts WHERE stories_fts MATCH ? AND stories_fts.rowid = si.story_id)`
		args = append(args, match, match)
		if q.Topic != "" {
			pages += ` AND EXISTS (SELECT 1 FROM story_topics t WHERE t.story_id = si.story_id AND t.topic = ?)`
			args = append(args, q.Topic)
		}
		if since != nil {
			pages += ` AND p.first_seen >= ?`
			args = append(args, since)
		}
		// A condition on no row of the page: tested once, before any.
		pages += ` AND (SELECT count(*) FROM hits) < ?
			ORDER BY item_articles_fts.rowid DESC LIMIT ` + fmt.Sprint(searchWindow)
		args = append(args, q.Limit)
		query = `WITH hits AS MATERIALIZED (` + inner + `)
			SELECT ` + storyColumns + `
			FROM (SELECT * FROM hits
			      UNION ALL
			      SELECT id, 1 AS tier, min(score) FROM (` + pages + `) GROUP BY id) m
			JOIN stories s ON s.id = m.id
			ORDER BY m.tier, m.score, s.first_seen DESC, s.id DESC LIMIT ?`
	case q.Topic != "":
		// Entirely within story_topics' primary key, newest first.
		query = `SELECT ` + storyColumns + `
			FROM story_topics t JOIN stories s ON s.id = t.story_id
			WHERE t.topic = ?`
		args = append(args, q.Topic)
		if since != nil {
			query += ` AND t.first_seen >= ?`
			args = append(args, since)
		}
		query += ` ORDER BY t.first_seen DESC, t.story_id DESC LIMIT ?`
	default:
		query = `SELECT ` + storyColumns + ` FROM stories s`
		if since != nil {
			query += ` WHERE s.first_seen >= ?`
			args = append(args, since)
		}
		query += ` ORDER BY s.first_seen DESC, s.id DESC LIMIT ?`
	}
	return query, append(args, q.Limit)
}

// matchQuery turns what a user typed into an FTS5 query meaning "all of
// these words" (storeutil.SearchWords). Each word becomes a quoted phrase
// (inner quotes doubled), so FTS5 syntax in it — AND, NEAR, *, ^, column:,
// parentheses, a stray quote — is only ever text and can never make the
// query fail. Control characters were made spaces (FTS5 reads a NUL as the
// end of the query, leaving the quote open), and words with no letter or
// digit, which would be empty phrases that match nothing, dropped; ""
// means nothing is searchable.
func matchQuery(text string) string {
	words := storeutil.SearchWords(text)
	for i, w := range words {
		words[i] = `"` + strings.ReplaceAll(w, `"`, `""`) + `"`
	}
	return strings.Join(words, " ")
}

// loadSources fills in each story's items, oldest published first.
func loadSources(ctx context.Context, tx *sql.Tx, stories []store.Story) error {
	if len(stories) == 0 {
		return nil
	}
	ids := make([]int64, len(stories))
	index := make(map[int64]int, len(stories))
	for i, st := range stories {
		ids[i] = st.ID
		index[st.ID] = i
	}
	rows, err := tx.QueryContext(ctx, `
		SELECT si.story_id, i.id, i.source, i.title, i.link, i.published
		FROM story_items si JOIN items i ON i.id = si.item_id
		WHERE si.story_id IN (SELECT value FROM json_each(?))
		ORDER BY si.story_id, i.published, i.id`, jsonList(ids))
	if err != nil {
		return fmt.Errorf("sqlite: story sources: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			storyID   int64
			src       store.StorySource
			published sql.NullString
		)
		if err := rows.Scan(&storyID, &src.ItemID, &src.Source, &src.Title, &src.Link, &published); err != nil {
			return fmt.Errorf("sqlite: story sources: %w", err)
		}
		if src.Published, err = parseTime(published); err != nil {
			return err
		}
		st := &stories[index[storyID]]
		st.Sources = append(st.Sources, src)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("sqlite: story sources: %w", err)
	}
	return nil
}

// RecentStoryItems implements store.Briefings.
func (s *Store) RecentStoryItems(ctx context.Context, since time.Time) ([]store.StoryItems, error) {
	sinceArg, err := timeArg(since)
	if err != nil {
		return nil, fmt.Errorf("sqlite: recent story items: since: %w", err)
	}
	if sinceArg == nil {
		sinceArg = "" // zero time: every story (stored times sort after "")
	}
	var out []store.StoryItems
	err = s.inRead(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `
			SELECT si.story_id, `+prefixed("i.", itemColumns)+`
			FROM stories s INDEXED BY stories_updated
			JOIN story_items si ON si.story_id = s.id
			JOIN items i ON i.id = si.item_id
			WHERE s.updated >= ?
			ORDER BY si.story_id, i.id`, sinceArg)
		if err != nil {
			return fmt.Errorf("sqlite: recent story items: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var storyID int64
			si, err := scanItem(prependScan{&storyID, rows})
			if err != nil {
				return fmt.Errorf("sqlite: recent story items: %w", err)
			}
			if n := len(out); n == 0 || out[n-1].StoryID != storyID {
				out = append(out, store.StoryItems{StoryID: storyID})
			}
			out[len(out)-1].Items = append(out[len(out)-1].Items, si.Item)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("sqlite: recent story items: %w", err)
		}
		return nil
	})
	return out, err
}

// prependScan scans a leading column into first, the rest through sc.
type prependScan struct {
	first any
	rows  *sql.Rows
}

func (p prependScan) Scan(dest ...any) error {
	return p.rows.Scan(append([]any{p.first}, dest...)...)
}

// UpdateStorySummary implements store.Store.
func (s *Store) UpdateStorySummary(ctx context.Context, storyID int64, summary string, at time.Time) error {
	if summary == "" {
		return fmt.Errorf("sqlite: update story %d's summary: the summary is empty; keep the story's instead", storyID)
	}
	if at.IsZero() {
		return fmt.Errorf("sqlite: update story %d's summary: the time is zero; pass when the summary was written", storyID)
	}
	ts, err := timeArg(at)
	if err != nil {
		return fmt.Errorf("sqlite: update story %d's summary: %w", storyID, err)
	}
	return s.inWrite(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var old string
		err := tx.QueryRowContext(ctx, `SELECT summary FROM stories WHERE id = ?`, storyID).Scan(&old)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("sqlite: update story %d's summary: %w", storyID, store.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("sqlite: update story %d's summary: %w", storyID, err)
		}
		if old == summary {
			return nil // nothing to show: no edit owed
		}
		if _, err := tx.ExecContext(ctx, `UPDATE stories SET updated = max(updated, ?) WHERE id = ?`, ts, storyID); err != nil {
			return fmt.Errorf("sqlite: update story %d's summary: %w", storyID, err)
		}
		if err := refreshStory(ctx, tx, storyID, store.Decision{StorySummary: summary}); err != nil {
			return fmt.Errorf("sqlite: %w", err)
		}
		// The same edit a join queues: every sent message shows the new text.
		if _, err := tx.ExecContext(ctx, editDueQuery, storyID, ""); err != nil {
			return fmt.Errorf("sqlite: queue edits of story %d's messages: %w", storyID, err)
		}
		return nil
	})
}
