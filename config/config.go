// Package config loads briefbot's configuration: an optional YAML file,
// BRIEFBOT_* environment overrides and secrets from the environment or from
// files named by *_FILE. Every option is declared once, in options.go, with
// its default and its check; Load reports every problem at once.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Config is briefbot's whole configuration after defaults, file and
// environment have been applied and validated.
type Config struct {
	Log       Log       `yaml:"log"`
	Database  Database  `yaml:"database"`
	Discord   Discord   `yaml:"discord"`
	Admin     Admin     `yaml:"admin"`
	Polling   Polling   `yaml:"polling"`
	WebSub    WebSub    `yaml:"websub"`
	Summarize Summarize `yaml:"summarize"`
	Retention Retention `yaml:"retention"`
	// Sources replaces the built-in outlet list when set, unless
	// IncludeDefaultSources asks to keep the defaults as well.
	Sources               []Source `yaml:"sources"`
	IncludeDefaultSources bool     `yaml:"include_default_sources"`
	// Topics are user-defined topics in addition to the built-in default.
	Topics []Topic `yaml:"topics"`

	// Secrets: only ever from the environment or *_FILE, never from YAML,
	// and never printed (see Redacted).
	DiscordToken string `yaml:"-"`
	DatabaseURL  string `yaml:"-"`
	WebSubSecret string `yaml:"-"`
	LLMAPIKey    string `yaml:"-"`
}

// Log controls logging.
type Log struct {
	Level  string `yaml:"level"`  // debug, info, warn, error
	Format string `yaml:"format"` // auto (text on a terminal, JSON otherwise), text, json
}

// Database selects the store. DatabaseURL (secret, from the environment)
// wins over Path when set.
type Database struct {
	Path string `yaml:"path"`
}

// Discord identifies the application. The token is a secret (DISCORD_TOKEN).
type Discord struct {
	ApplicationID string `yaml:"application_id"`
	DevGuildID    string `yaml:"dev_guild_id"`
	// PublicKey (hex Ed25519, from the Developer Portal) and
	// InteractionsListen switch on the HTTP interactions endpoint, for
	// hosting without a gateway connection.
	PublicKey          string `yaml:"public_key"`
	InteractionsListen string `yaml:"interactions_listen"`
	// ShardID and ShardCount split the gateway's guilds across instances
	// (Discord routes guild_id >> 22 % ShardCount to shard ShardID).
	// ShardID AutoShard takes a free shard through the database instead.
	ShardID    ShardID `yaml:"shard_id"`
	ShardCount int     `yaml:"shard_count"`
	// APIURL replaces https://discord.com for REST calls, e.g. a rate-limit
	// proxy the instances share; empty means Discord itself.
	APIURL string `yaml:"api_url"`
	// DeliveryLease is how long a poster's claim on a delivery lasts, so
	// how long a crashed instance's deliveries wait. At most 2m: a retry
	// must stay inside Discord's nonce window to be deduplicated.
	DeliveryLease time.Duration `yaml:"delivery_lease"`
	// MaxFeedsPerGuild bounds the feeds each server adds with /feeds add.
	MaxFeedsPerGuild int `yaml:"max_feeds_per_guild"`
}

// Admin is the health and metrics listener.
type Admin struct {
	Listen string `yaml:"listen"`
	// PerSourceMetrics labels the poll metrics by source. Each source's
	// series stay in memory for the process's life (about 17.5 MiB at
	// 10,000 sources), so a large deployment may count them as one.
	PerSourceMetrics bool `yaml:"per_source_metrics"`
}

// Polling holds the fetcher's limits and the poller's schedule.
type Polling struct {
	Interval             time.Duration `yaml:"interval"`
	MinInterval          time.Duration `yaml:"min_interval"`
	MaxInterval          time.Duration `yaml:"max_interval"`
	Concurrency          int           `yaml:"concurrency"`
	Timeout              time.Duration `yaml:"timeout"`
	MaxBodyBytes         ByteSize      `yaml:"max_body_bytes"`
	MaxRedirects         int           `yaml:"max_redirects"`
	MaxItemAge           time.Duration `yaml:"max_item_age"`
	Backfill             int           `yaml:"backfill"`
	AllowPrivateNetworks bool          `yaml:"allow_private_networks"`
	MaxNewItemsPerPoll   int           `yaml:"max_new_items_per_poll"`
}

// Retention bounds how long the database keeps what it no longer needs.
// Interaction claims are kept a day (store/internal/storeutil).
type Retention struct {
	Stories    time.Duration `yaml:"stories"`
	Deliveries time.Duration `yaml:"deliveries"`
}

// WebSub enables push subscriptions when a public callback URL is set.
type WebSub struct {
	CallbackURL string `yaml:"callback_url"`
	Listen      string `yaml:"listen"`
}

// Summarize bounds summary length and picks the backend.
type Summarize struct {
	MaxSentences int `yaml:"max_sentences"`
	MaxWords     int `yaml:"max_words"`
	// Backend is "extractive" (built in) or "llm" (a model server, with
	// the extractive summary as fallback).
	Backend string       `yaml:"backend"`
	LLM     SummarizeLLM `yaml:"llm"`
	// FullText says whose article page is read to summarize it:
	// "relevant" (default), "always" or "never"; see FullTextMode.
	FullText string `yaml:"full_text"`
	// FullTextWait is how long posting waits for the article; past it the
	// story is posted with the teaser and edited when the article arrives.
	FullTextWait time.Duration `yaml:"full_text_wait"`
}

// SummarizeLLM configures the model backend: any server speaking the
// OpenAI-compatible chat completions API. The API key is a secret
// (BRIEFBOT_LLM_API_KEY).
type SummarizeLLM struct {
	BaseURL         string        `yaml:"base_url"`
	Model           string        `yaml:"model"`
	Timeout         time.Duration `yaml:"timeout"`
	MaxConcurrent   int           `yaml:"max_concurrent"`
	MaxOutputTokens int           `yaml:"max_output_tokens"`
	MaxInputTokens  int           `yaml:"max_input_tokens"`
	PerMinute       int           `yaml:"per_minute"`
	// EditWindow, when positive, posts stories with the extractive
	// summary at once and edits in the model's if it arrives within it;
	// zero waits for the model before posting.
	EditWindow time.Duration `yaml:"edit_window"`
}

// Source is one feed to watch. Zero fields take the polling defaults.
type Source struct {
	Name     string        `yaml:"name"`
	URL      string        `yaml:"url"`
	Outlet   string        `yaml:"outlet"`
	Interval time.Duration `yaml:"interval"`
	Backfill *int          `yaml:"backfill"`
	Language string        `yaml:"language"`
	Disabled bool          `yaml:"disabled"`
	// FullText overrides summarize.full_text for this source; empty keeps
	// it. The older true and false still read, as "relevant" and "never".
	FullText FullTextMode `yaml:"full_text"`
}

// FullTextMode is "relevant", "always", "never" or "" (inherit).
type FullTextMode string

// UnmarshalYAML accepts the modes and, from before they existed, true and
// false.
func (m *FullTextMode) UnmarshalYAML(n *yaml.Node) error {
	var b bool
	if n.Tag == "!!bool" && n.Decode(&b) == nil {
		*m = "never"
		if b {
			*m = "relevant"
		}
		return nil
	}
	var s string
	if err := n.Decode(&s); err != nil {
		return err
	}
	*m = FullTextMode(strings.ToLower(strings.TrimSpace(s)))
	return nil
}

// Topic is a user-defined topic; the topic package turns it into a scorer.
type Topic struct {
	Name        string   `yaml:"name"`
	Description string   `yaml:"description"`
	Include     []string `yaml:"include"`
	Require     []string `yaml:"require"`
	Exclude     []string `yaml:"exclude"`
	Threshold   float64  `yaml:"threshold"`
}

// DefaultPath is the file Load reads when no path is given and it exists.
const DefaultPath = "briefbot.yaml"

// Env is how Load reads the environment; os.Getenv in production.
type Env func(string) string

// Load builds the configuration from the YAML file at path (or
// DefaultPath if path is empty and that file exists), then the environment.
// A missing explicit path is an error; a missing default file is not.
func Load(path string, getenv Env) (*Config, error) {
	var data []byte
	explicit := path != ""
	if !explicit {
		path = DefaultPath
	}
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
	case !explicit && errors.Is(err, fs.ErrNotExist):
		data, path = nil, ""
	default:
		return nil, fmt.Errorf("config: reading %s: %w", path, err)
	}
	return Parse(data, path, getenv)
}

// Parse is Load without the file system: data is the YAML document (may be
// empty) and name is used in messages.
func Parse(data []byte, name string, getenv Env) (*Config, error) {
	c := Defaults()
	var errs []string
	if len(bytes.TrimSpace(data)) > 0 {
		var doc yaml.Node
		if err := yaml.Unmarshal(data, &doc); err != nil {
			// Not YAML at all: nothing further can be read.
			return nil, fmt.Errorf("config: %s: %s (check the indentation and quoting against briefbot.example.yaml)", orStdin(name), yamlMessage(err))
		}
		// Unknown keys and ill-typed values are reported with every other
		// problem, and removed so the rest of the file can be checked.
		problems, decode := checkTree(&doc)
		errs = append(errs, problems...)
		if decode {
			if err := doc.Decode(c); err != nil {
				errs = append(errs, yamlMessage(err)+" (check the key names and value types against briefbot.example.yaml)")
			}
		}
	}
	// "off" reads the same from the file as from the environment.
	for _, l := range []*string{&c.Admin.Listen, &c.WebSub.Listen, &c.Discord.InteractionsListen} {
		if strings.EqualFold(strings.TrimSpace(*l), "off") {
			*l = ""
		}
	}
	errs = append(errs, applyEnv(c, getenv)...)
	errs = append(errs, c.validate()...)
	if len(errs) > 0 {
		return nil, &Error{Source: name, Problems: errs}
	}
	return c, nil
}

func orStdin(name string) string {
	if name == "" {
		return "configuration"
	}
	return name
}

// yamlMessage strips the library's prefix so the line number leads.
func yamlMessage(err error) string {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "yaml: ")
	msg = strings.ReplaceAll(msg, "unmarshal errors:\n  ", "")
	return msg
}

// Error lists every configuration problem found, each naming its field.
type Error struct {
	Source   string
	Problems []string
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "config: %d problem(s) in %s:", len(e.Problems), orStdin(e.Source))
	for _, p := range e.Problems {
		b.WriteString("\n  - ")
		b.WriteString(p)
	}
	return b.String()
}

// Redacted returns a copy safe to print or log: secrets replaced by a marker.
func (c *Config) Redacted() Config {
	r := *c
	if r.DiscordToken != "" {
		r.DiscordToken = "[redacted]"
	}
	if r.DatabaseURL != "" {
		r.DatabaseURL = "[redacted]"
	}
	if r.WebSubSecret != "" {
		r.WebSubSecret = "[redacted]"
	}
	if r.LLMAPIKey != "" {
		r.LLMAPIKey = "[redacted]"
	}
	return r
}

// LogValue keeps secrets out of structured logs even if a Config is logged whole.
func (c *Config) LogValue() slog.Value { return slog.AnyValue(c.Redacted()) }

// ShardID is discord.shard_id: a shard number, or AutoShard.
type ShardID int

// AutoShard is discord.shard_id "auto": the instance takes whichever shard
// no other instance holds, through a lease in the database, so identical
// instances need no numbering.
const AutoShard ShardID = -1

// Auto reports whether the shard is taken through the database.
func (s ShardID) Auto() bool { return s == AutoShard }

// UnmarshalYAML accepts a whole number or "auto".
func (s *ShardID) UnmarshalYAML(n *yaml.Node) error {
	id, err := parseShardID(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: discord.shard_id: %w", n.Line, err)
	}
	*s = id
	return nil
}

func parseShardID(v string) (ShardID, error) {
	v = strings.TrimSpace(v)
	if v == "auto" {
		return AutoShard, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q is neither a shard number (0 and up) nor \"auto\"", v)
	}
	return ShardID(n), nil
}
