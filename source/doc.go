// Package source watches news sources and keeps every new item, once.
//
// The pieces, in the order an item meets them:
//
//   - Fetcher (fetch.go) makes one polite, bounded HTTP request: its own
//     http.Client, conditional GET, a body limit applied after
//     decompression, at most five redirects and a private-address guard in
//     the dialer (guard.go).
//   - Parse (parse.go) hands the limited body to gofeed after sorting out
//     character sets, and says clearly when the document is an HTML page or
//     garbage rather than a feed.
//   - Normalize (normalize.go) turns gofeed items into story.Item values
//     with a stable identity, plain text, canonical links and UTC dates.
//   - Poller (poller.go) schedules polls per source with jitter, per-host
//     politeness, a global concurrency bound and backoff, and records each
//     outcome in the store, which decides what is new. WebSub push
//     (websub.go) feeds the same record path.
//
// Configuration arrives as plain structs (Limits, Feed, PollerOptions); this
// package never reads files or the environment.
package source
