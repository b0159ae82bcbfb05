package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/store/internal/storeutil"
)

// storyItem is what a story takes from the item that starts or joins it.
type storyItem struct {
	id                  int64
	title, link, source string
	published           pgtype.Timestamptz
}

// addToStory puts a relevant item in a story, inside CompleteItem's
// transaction: d.StoryID's, or a new one. Then every channel whose realtime
// subscription matches the story gets its one delivery; the unique
// (channel_id, story_id) key makes that "at most one", however many topics
// match, however often this runs and however many instances run it.
func addToStory(ctx context.Context, tx pgx.Tx, it storyItem, d store.Decision) error {
	var existing int64
	err := tx.QueryRow(ctx, `SELECT story_id FROM story_items WHERE item_id = $1`, it.id).Scan(&existing)
	if err == nil {
		return nil // completed again: its story and deliveries already exist
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("look up the item's story: %w", err)
	}

	at := micro(d.At)
	var (
		storyID   int64
		firstSeen time.Time
		topics    []string
	)
	if d.StoryID == 0 {
		if d.FollowsStoryID != 0 {
			var one int
			err := tx.QueryRow(ctx, `SELECT 1 FROM stories WHERE id = $1`, d.FollowsStoryID).Scan(&one)
			if errors.Is(err, pgx.ErrNoRows) {
				return fmt.Errorf("story %d that the new story follows: %w", d.FollowsStoryID, store.ErrNotFound)
			}
			if err != nil {
				return fmt.Errorf("read story %d that the new story follows: %w", d.FollowsStoryID, err)
			}
		}
		topics = storeutil.Union(nil, cleanAll(d.Topics))
		// A translated headline, when the summarizer wrote one, heads the
		// story; the item keeps its original title.
		headline := it.title
		if h := clean(d.StoryHeadline); h != "" {
			headline = h
		}
		err = tx.QueryRow(ctx, `
			INSERT INTO stories (headline, summary, link, published, first_seen, updated, topics, subtopics, follows)
			VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8)
			RETURNING id`,
			headline, clean(d.Summary), it.link, it.published, at, topics, storeutil.Union(nil, cleanAll(d.Subtopics)),
			d.FollowsStoryID).Scan(&storyID)
		if err != nil {
			return fmt.Errorf("create story: %w", err)
		}
		firstSeen = at
	} else {
		storyID = d.StoryID
		var (
			first                pgtype.Timestamptz
			oldTopics, oldSubtop []string
		)
		// FOR UPDATE: items joining one story at once merge their topics
		// in turn instead of overwriting each other's.
		err = tx.QueryRow(ctx, `SELECT first_seen, topics, subtopics FROM stories WHERE id = $1 FOR UPDATE`, storyID).
			Scan(&first, &oldTopics, &oldSubtop)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("story %d that the item should join: %w", storyID, store.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("read story %d: %w", storyID, err)
		}
		firstSeen = fromTS(first)
		topics = storeutil.Union(oldTopics, cleanAll(d.Topics))
		// The decision's story fields, when set, give the story new text
		// (see store.Decision); the search column follows by itself.
		if _, err := tx.Exec(ctx, `
			UPDATE stories SET
			    updated   = greatest(updated, $1),
			    topics    = $2,
			    subtopics = $3,
			    headline  = coalesce(nullif($5, ''), headline),
			    link      = coalesce(nullif($6, ''), link),
			    summary   = coalesce(nullif($7, ''), summary)
			WHERE id = $4`,
			at, topics, storeutil.Union(oldSubtop, cleanAll(d.Subtopics)), storyID,
			clean(d.StoryHeadline), clean(d.StoryLink), clean(d.StorySummary)); err != nil {
			return fmt.Errorf("update story %d: %w", storyID, err)
		}
		// Channels that already have the story's message owe it an edit.
		if _, err := tx.Exec(ctx, editDueQuery, storyID, it.source); err != nil {
			return fmt.Errorf("queue edits of story %d's messages: %w", storyID, err)
		}
	}
	if _, err := tx.Exec(ctx, `INSERT INTO story_items (item_id, story_id) VALUES ($1, $2)`, it.id, storyID); err != nil {
		return fmt.Errorf("add the item to story %d: %w", storyID, err)
	}
	if _, err := tx.Exec(ctx, `
		INSERT INTO story_topics (topic, first_seen, story_id)
		SELECT t, $2, $3 FROM unnest($1::text[]) t
		ON CONFLICT DO NOTHING`, topics, firstSeen, storyID); err != nil {
		return fmt.Errorf("index story %d under its topics: %w", storyID, err)
	}
	if _, err := tx.Exec(ctx, fanOutQuery, storyID, at, topics, firstSeen, it.source); err != nil {
		return fmt.Errorf("queue story %d for subscribed channels: %w", storyID, err)
	}
	return nil
}

// fanOutQuery queues story $1, decided at $2, with topics $3 and first seen
// at $4 for every channel subscribed to one of them in real time that takes
// item source $5: a subscription limited to some outlets only from those, a
// server's own source only in the servers that added it. ORDER BY
// s.id: when several of a channel's topics match, its oldest subscription
// owns the delivery (rows go in in that order; the later ones conflict).
const fanOutQuery = `
	INSERT INTO deliveries (kind, subscription_id, guild_id, channel_id, topic, story_id, story_ids, created)
	SELECT 'story', s.id, s.guild_id, s.channel_id, s.topic, $1, ARRAY[$1::bigint], $2
	FROM subscriptions s
	WHERE s.topic = ANY ($3::text[])
	  AND s.mode = 'realtime' AND NOT s.paused
	  AND (s.since IS NULL OR s.since <= $4)
	  AND (cardinality(s.outlets) = 0 OR $5::text = ANY (s.outlets))
	  AND (NOT starts_with($5::text, '` + store.GuildSourcePrefix + `')
	       OR EXISTS (SELECT 1 FROM guild_feeds g WHERE g.source = $5::text AND g.guild_id = s.guild_id))
	ORDER BY s.id
	ON CONFLICT (channel_id, story_id) DO NOTHING`

// editDueQuery makes story $1's deliveries owe their channels an edit
// (see migration 0003): a sent one is due again, as an edit of its
// message, with a fresh attempt count; a pending one only counts the join,
// which matters if it is being sent right now. Rows whose subscription is
// gone are left alone: no one is left to claim them. The story's row lock,
// held since addToStory read it, orders concurrent joins. $2 is the
// joining item's source (” for a new summary): a server's own source
// changes nothing other servers are shown, so their messages are not
// edited.
const editDueQuery = `
	UPDATE deliveries SET
	    edit_rev = edit_rev + 1,
	    state = 'pending',
	    attempts = CASE state WHEN 'sent' THEN 0 ELSE attempts END,
	    not_before = CASE state WHEN 'sent' THEN NULL ELSE not_before END,
	    last_error = CASE state WHEN 'sent' THEN '' ELSE last_error END
	WHERE story_id = $1 AND state IN ('pending', 'sent') AND subscription_id IS NOT NULL
	  AND (NOT starts_with($2::text, '` + store.GuildSourcePrefix + `')
	       OR EXISTS (SELECT 1 FROM guild_feeds g WHERE g.source = $2::text AND g.guild_id = deliveries.guild_id))`

// storyColumns reads a story row s and its sources, aggregated by the
// lateral join storySources in the order the contract wants (oldest
// published first; SQLite sorts a missing time first, so NULLS FIRST).
const storyColumns = `s.id, s.headline, s.summary, s.link, s.published, s.first_seen, s.updated, s.topics, s.subtopics,
	s.follows, src.ids, src.sources, src.titles, src.links, src.published`

const storySources = `LEFT JOIN LATERAL (
	SELECT array_agg(i.id        ORDER BY i.published NULLS FIRST, i.id) AS ids,
	       array_agg(i.source    ORDER BY i.published NULLS FIRST, i.id) AS sources,
	       array_agg(i.title     ORDER BY i.published NULLS FIRST, i.id) AS titles,
	       array_agg(i.link      ORDER BY i.published NULLS FIRST, i.id) AS links,
	       array_agg(i.published ORDER BY i.published NULLS FIRST, i.id) AS published
	FROM story_items si JOIN items i ON i.id = si.item_id
	WHERE si.story_id = s.id) src ON true`

func scanStory(row pgx.Row) (store.Story, error) {
	var (
		st                        store.Story
		published, first, updated pgtype.Timestamptz
		ids                       []int64
		sources, titles, links    []string
		srcPublished              []pgtype.Timestamptz
	)
	err := row.Scan(&st.ID, &st.Headline, &st.Summary, &st.Link, &published, &first, &updated, &st.Topics, &st.Subtopics,
		&st.Follows, &ids, &sources, &titles, &links, &srcPublished)
	if err != nil {
		return st, err
	}
	st.Published, st.FirstSeen, st.Updated = fromTS(published), fromTS(first), fromTS(updated)
	for i := range ids {
		st.Sources = append(st.Sources, store.StorySource{
			ItemID: ids[i], Source: sources[i], Title: titles[i], Link: links[i], Published: fromTS(srcPublished[i]),
		})
	}
	return st, nil
}

// Story implements store.Briefings.
func (s *Store) Story(ctx context.Context, id int64) (store.Story, error) {
	if err := s.enter(); err != nil {
		return store.Story{}, err
	}
	defer s.mu.RUnlock()
	st, err := scanStory(s.pool.QueryRow(ctx, `SELECT `+storyColumns+` FROM stories s `+storySources+` WHERE s.id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return st, fmt.Errorf("story %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return st, fmt.Errorf("postgres: read story %d: %w", id, err)
	}
	return st, nil
}

// Stories implements store.Briefings. One statement answers each query, so
// the stories and their sources come from one snapshot.
func (s *Store) Stories(ctx context.Context, q store.StoryQuery) ([]store.Story, error) {
	if q.Limit <= 0 {
		return nil, fmt.Errorf("postgres: stories: limit is %d; it must be positive", q.Limit)
	}
	query, args := storiesQuery(q)
	if query == "" {
		return nil, nil // nothing searchable in q.Text: no letters or digits
	}
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: stories: %w", err)
	}
	stories, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Story, error) { return scanStory(r) })
	if err != nil {
		return nil, fmt.Errorf("postgres: stories: %w", err)
	}
	return stories, nil
}

// searchWindow is how many of the newest matches a text search ranks.
const searchWindow = 500

// rankWeights are ts_rank's weights for labels {D, C, B, A}: a headline
// word (A) counts twice a summary word (B), as in store/sqlite's bm25.
const rankWeights = `'{0.1, 0.2, 0.5, 1.0}'::float4[]`

// storiesQuery builds Stories' SQL for q. It returns "" when q.Text has
// nothing to search for. Each variant picks the stories (ordered, limited)
// in a subquery, then joins their sources to those few only.
func storiesQuery(q store.StoryQuery) (query string, args []any) {
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	var inner string
	switch {
	case q.Text != "":
		terms := searchTerms(q.Text)
		if len(terms) == 0 {
			return "", nil
		}
		// Each word is a phrase of its tokens ("U.S." is u followed by
		// s), and every word must match: phraseto_tsquery takes any text
		// literally, so no input is a syntax error.
		var parts []string
		for _, t := range terms {
			parts = append(parts, "phraseto_tsquery('briefbot_english', "+arg(t)+")")
		}
		tsq := strings.Join(parts, " && ")
		// Ranking every match of a common word costs O(matches), so only
		// the newest searchWindow matches are ranked, as store/sqlite
		// does: for news the best of the recent ones is what people want.
		// The tsquery is written out where it is used, not computed once
		// in a CTE: the planner must see the words to estimate how many
		// stories match, and so whether to walk the newest stories testing
		// each (a common word) or to ask the GIN index (a rare one).
		where := `s.search @@ (` + tsq + `)`
		// The same filters for the stories found through their pages.
		var filters string
		if q.Topic != "" {
			// The story's own topics column (story_topics holds the
			// same): a test on the row at hand, not a join per candidate.
			filters += ` AND s.topics @> ARRAY[` + arg(q.Topic) + `::text]`
		}
		if !q.Since.IsZero() {
			filters += ` AND s.first_seen >= ` + arg(ts(q.Since))
		}
		// Then the stories found only in the article text of one of their
		// items (every word in one page), ranked after every headline or
		// summary match: a story whose headline names the subject is the
		// better answer. The same window, over pages newest first; none
		// is read when the headline matches already fill the answer (for
		// a word in many pages, ranking them is most of a search's work).
		pages := `SELECT si.story_id AS id, ts_rank(a.search, ` + tsq + `) AS rank
			FROM item_articles a
			JOIN items i ON i.link = a.link AND i.link <> ''
			JOIN story_items si ON si.item_id = i.id
			JOIN stories s ON s.id = si.story_id
			WHERE a.search @@ (` + tsq + `) AND NOT s.search @@ (` + tsq + `)` + filters + `
			  AND (SELECT count(*) FROM hits) < ` + arg(q.Limit) + ` -- one test, before any row
			ORDER BY a.id DESC LIMIT ` + fmt.Sprint(searchWindow)
		hits := `SELECT m.id, 0 AS tier, ts_rank(` + rankWeights + `, m.search, ` + tsq + `) AS rank
			FROM (SELECT s.id, s.search FROM stories s WHERE ` + where + filters + `
			      ORDER BY s.id DESC LIMIT ` + fmt.Sprint(searchWindow) + `) m`
		inner = `WITH hits AS MATERIALIZED (` + hits + `)
			SELECT s.*, h.tier, h.rank
			FROM (SELECT * FROM hits UNION ALL SELECT p.id, 1, max(p.rank) FROM (` + pages + `) p GROUP BY p.id) h
			JOIN stories s ON s.id = h.id
			ORDER BY h.tier, h.rank DESC, s.first_seen DESC, s.id DESC
			LIMIT ` + arg(q.Limit)
		// Planned afresh with the words each time (an unnamed statement):
		// a cached generic plan cannot know how common they are.
		args = append([]any{pgx.QueryExecModeExec}, args...)
		return `SELECT ` + storyColumns + ` FROM (` + inner + `) s ` + storySources + `
			ORDER BY s.tier, s.rank DESC, s.first_seen DESC, s.id DESC`, args
	case q.Topic != "":
		// Entirely within story_topics' primary key, newest first.
		inner = `SELECT s.* FROM story_topics t JOIN stories s ON s.id = t.story_id
			WHERE t.topic = ` + arg(q.Topic)
		if !q.Since.IsZero() {
			inner += ` AND t.first_seen >= ` + arg(ts(q.Since))
		}
		inner += ` ORDER BY t.first_seen DESC, t.story_id DESC LIMIT ` + arg(q.Limit)
	default:
		inner = `SELECT s.* FROM stories s`
		if !q.Since.IsZero() {
			inner += ` WHERE s.first_seen >= ` + arg(ts(q.Since))
		}
		inner += ` ORDER BY s.first_seen DESC, s.id DESC LIMIT ` + arg(q.Limit)
	}
	return `SELECT ` + storyColumns + ` FROM (` + inner + `) s ` + storySources + `
		ORDER BY s.first_seen DESC, s.id DESC`, args
}

// RecentStoryItems implements store.Briefings. One statement, so one
// snapshot; stories_updated serves the range.
func (s *Store) RecentStoryItems(ctx context.Context, since time.Time) ([]store.StoryItems, error) {
	if err := s.enter(); err != nil {
		return nil, err
	}
	defer s.mu.RUnlock()
	rows, err := s.pool.Query(ctx, `
		SELECT si.story_id, `+itemColumnsOf("i.")+`
		FROM stories s
		JOIN story_items si ON si.story_id = s.id
		JOIN items i ON i.id = si.item_id
		WHERE s.updated >= $1
		ORDER BY si.story_id, i.id`, micro(since)) // zero: year 1, so every story
	if err != nil {
		return nil, fmt.Errorf("postgres: recent story items: %w", err)
	}
	defer rows.Close()
	var out []store.StoryItems
	for rows.Next() {
		var storyID int64
		si, err := scanItem(rows, &storyID)
		if err != nil {
			return nil, fmt.Errorf("postgres: recent story items: %w", err)
		}
		if n := len(out); n == 0 || out[n-1].StoryID != storyID {
			out = append(out, store.StoryItems{StoryID: storyID})
		}
		out[len(out)-1].Items = append(out[len(out)-1].Items, si.Item)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: recent story items: %w", err)
	}
	return out, nil
}

// UpdateStorySummary implements store.Store.
func (s *Store) UpdateStorySummary(ctx context.Context, storyID int64, summary string, at time.Time) error {
	if summary == "" {
		return fmt.Errorf("postgres: update story %d's summary: the summary is empty; keep the story's instead", storyID)
	}
	if at.IsZero() {
		return fmt.Errorf("postgres: update story %d's summary: the time is zero; pass when the summary was written", storyID)
	}
	summary = clean(summary)
	return s.inTx(ctx, func(tx pgx.Tx) error {
		// FOR UPDATE: the story's row lock orders this with joins, as
		// editDueQuery expects.
		var old string
		err := tx.QueryRow(ctx, `SELECT summary FROM stories WHERE id = $1 FOR UPDATE`, storyID).Scan(&old)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("postgres: update story %d's summary: %w", storyID, store.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("postgres: update story %d's summary: %w", storyID, err)
		}
		if old == summary {
			return nil // nothing to show: no edit owed
		}
		if _, err := tx.Exec(ctx, `UPDATE stories SET updated = greatest(updated, $1), summary = $2 WHERE id = $3`,
			micro(at), summary, storyID); err != nil {
			return fmt.Errorf("postgres: update story %d's summary: %w", storyID, err)
		}
		// The same edit a join queues: every sent message shows the new text.
		if _, err := tx.Exec(ctx, editDueQuery, storyID, ""); err != nil {
			return fmt.Errorf("postgres: queue edits of story %d's messages: %w", storyID, err)
		}
		return nil
	})
}
