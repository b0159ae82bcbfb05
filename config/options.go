package config

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// option declares one scalar setting: its YAML key, its environment
// override, its default (parsed by the same code as the override) and its
// check. This table is the single place an option is defined.
type option struct {
	key   string // YAML path, e.g. "polling.interval"
	def   string // default, in the same syntax as the environment value
	help  string // one line for docs and messages
	set   func(c *Config, v string) error
	check func(c *Config) string // a problem ("" when fine), without the key
}

// env is the BRIEFBOT_* variable that overrides the option.
func (o option) env() string {
	return "BRIEFBOT_" + strings.ToUpper(strings.ReplaceAll(o.key, ".", "_"))
}

// secret is a value taken only from the environment, or from the file
// named by NAME_FILE (Docker and Kubernetes secrets).
type secret struct {
	env string
	set func(c *Config, v string)
}

var secrets = []secret{
	{"DISCORD_TOKEN", func(c *Config, v string) { c.DiscordToken = v }},
	{"BRIEFBOT_DATABASE_URL", func(c *Config, v string) { c.DatabaseURL = v }},
	{"BRIEFBOT_WEBSUB_SECRET", func(c *Config, v string) { c.WebSubSecret = v }},
	{"BRIEFBOT_LLM_API_KEY", func(c *Config, v string) { c.LLMAPIKey = v }},
}

// Limits the product relies on; checks below quote them.
const (
	MinPollInterval = 30 * time.Second
	MaxPollInterval = 24 * time.Hour
	// MaxShardCount bounds discord.shard_count: at Discord's 2,500 guilds
	// per shard, far beyond any briefbot deployment.
	MaxShardCount = 4096
)

var options = []option{
	{key: "log.level", def: "info", help: "debug, info, warn or error",
		set:   setString(func(c *Config) *string { return &c.Log.Level }),
		check: oneOf(func(c *Config) string { return c.Log.Level }, "debug", "info", "warn", "error")},
	{key: "log.format", def: "auto", help: "auto (text on a terminal, JSON otherwise), text or json",
		set:   setString(func(c *Config) *string { return &c.Log.Format }),
		check: oneOf(func(c *Config) string { return c.Log.Format }, "auto", "text", "json")},
	{key: "database.path", def: "./briefbot.db", help: "SQLite file used when BRIEFBOT_DATABASE_URL is unset",
		set: setString(func(c *Config) *string { return &c.Database.Path }),
		check: func(c *Config) string {
			if c.Database.Path == "" && c.DatabaseURL == "" {
				return `is empty: set a file path such as "./briefbot.db"`
			}
			return ""
		}},
	{key: "discord.application_id", def: "", help: "the Discord application ID (a snowflake)",
		set:   setString(func(c *Config) *string { return &c.Discord.ApplicationID }),
		check: snowflake(func(c *Config) string { return c.Discord.ApplicationID })},
	{key: "discord.dev_guild_id", def: "", help: "register commands to this guild only, for fast iteration",
		set:   setString(func(c *Config) *string { return &c.Discord.DevGuildID }),
		check: snowflake(func(c *Config) string { return c.Discord.DevGuildID })},
	{key: "discord.public_key", def: "", help: "the application's public key (hex), needed for the HTTP interactions endpoint",
		set: setString(func(c *Config) *string { return &c.Discord.PublicKey }),
		check: func(c *Config) string {
			k := c.Discord.PublicKey
			if k == "" {
				if c.Discord.InteractionsListen != "" {
					return "is empty, but discord.interactions_listen is set: copy the Public Key from the Developer Portal → General Information"
				}
				return ""
			}
			if !publicKeyRE.MatchString(k) {
				return fmt.Sprintf("%q is not a public key: copy the 64 hex characters from the Developer Portal → General Information", k)
			}
			return ""
		}},
	{key: "discord.interactions_listen", def: "", help: `address of the HTTP interactions endpoint; "off" uses the gateway instead`,
		set:   setListen(func(c *Config) *string { return &c.Discord.InteractionsListen }),
		check: hostPort(func(c *Config) string { return c.Discord.InteractionsListen })},
	{key: "discord.shard_id", def: "0", help: `this instance's gateway shard, 0 to discord.shard_count-1, or "auto" to take a free one through the database`,
		set: func(c *Config, v string) error {
			id, err := parseShardID(v)
			c.Discord.ShardID = id
			return err
		},
		check: func(c *Config) string {
			id, n := int(c.Discord.ShardID), c.Discord.ShardCount
			switch {
			case c.Discord.ShardID.Auto():
				return ""
			case n >= 1 && n <= MaxShardCount && id >= n:
				return fmt.Sprintf("%d is not below discord.shard_count %d: number shards 0 to shard_count-1", id, n)
			}
			return ""
		}},
	{key: "discord.shard_count", def: "1", help: "gateway shards across all instances",
		set: setInt(func(c *Config) *int { return &c.Discord.ShardCount }),
		check: func(c *Config) string {
			n := c.Discord.ShardCount
			if n < 1 || n > MaxShardCount {
				return fmt.Sprintf("%d is out of range: use 1 (one instance) to %d", n, MaxShardCount)
			}
			if n > 1 && c.Discord.InteractionsListen != "" {
				return fmt.Sprintf("is %d, but discord.interactions_listen is set: the HTTP endpoint opens no gateway, so there is nothing to shard: set 1", n)
			}
			return ""
		}},
	{key: "discord.api_url", def: "", help: "base URL of Discord's REST API, e.g. a shared rate-limit proxy such as nirn-proxy; empty for Discord itself",
		set:   setString(func(c *Config) *string { return &c.Discord.APIURL }),
		check: func(c *Config) string { return discordAPIURL(c.Discord.APIURL) }},
	{key: "discord.delivery_lease", def: "1m", help: "how long an instance's claim on a message to post lasts: after a crash, another instance posts it then (with the same nonce, so never twice)",
		set:   setDuration(func(c *Config) *time.Duration { return &c.Discord.DeliveryLease }),
		check: durationBetween(func(c *Config) time.Duration { return c.Discord.DeliveryLease }, 10*time.Second, 2*time.Minute)},
	{key: "discord.max_feeds_per_guild", def: "50", help: "how many feeds each server may add with /feeds add",
		set:   setInt(func(c *Config) *int { return &c.Discord.MaxFeedsPerGuild }),
		check: intBetween(func(c *Config) int { return c.Discord.MaxFeedsPerGuild }, 1, 1000)},
	{key: "admin.listen", def: "127.0.0.1:9090", help: `health and metrics address; "off" to disable`,
		set:   setListen(func(c *Config) *string { return &c.Admin.Listen }),
		check: hostPort(func(c *Config) string { return c.Admin.Listen })},
	{key: "admin.per_source_metrics", def: "true", help: "label the poll metrics by source; at thousands of sources set false to count all sources as one (each source's series hold about 1.8 KiB); always one when admin.listen is off",
		set: setBool(func(c *Config) *bool { return &c.Admin.PerSourceMetrics })},
	{key: "polling.interval", def: "2m", help: "how often each source is polled (at least 30s)",
		set:   setDuration(func(c *Config) *time.Duration { return &c.Polling.Interval }),
		check: durationBetween(func(c *Config) time.Duration { return c.Polling.Interval }, MinPollInterval, MaxPollInterval)},
	{key: "polling.min_interval", def: "30s", help: "shortest interval for a busy source (adaptive schedule)",
		set: setDuration(func(c *Config) *time.Duration { return &c.Polling.MinInterval }),
		check: func(c *Config) string {
			if p := durationBetween(func(c *Config) time.Duration { return c.Polling.MinInterval }, MinPollInterval, MaxPollInterval)(c); p != "" {
				return p
			}
			if pollIntervalValid(c) && c.Polling.MinInterval > c.Polling.Interval {
				return fmt.Sprintf("%s is longer than polling.interval (%s): make it at most that", c.Polling.MinInterval, c.Polling.Interval)
			}
			return ""
		}},
	{key: "polling.max_interval", def: "30m", help: "longest interval for a quiet source (adaptive schedule)",
		set: setDuration(func(c *Config) *time.Duration { return &c.Polling.MaxInterval }),
		check: func(c *Config) string {
			if p := durationBetween(func(c *Config) time.Duration { return c.Polling.MaxInterval }, MinPollInterval, MaxPollInterval)(c); p != "" {
				return p
			}
			if pollIntervalValid(c) && c.Polling.MaxInterval < c.Polling.Interval {
				return fmt.Sprintf("%s is shorter than polling.interval (%s): make it at least that", c.Polling.MaxInterval, c.Polling.Interval)
			}
			return ""
		}},
	{key: "polling.concurrency", def: "8", help: "most feeds fetched at once",
		set:   setInt(func(c *Config) *int { return &c.Polling.Concurrency }),
		check: intBetween(func(c *Config) int { return c.Polling.Concurrency }, 1, 256)},
	{key: "polling.timeout", def: "20s", help: "time limit for one fetch",
		set:   setDuration(func(c *Config) *time.Duration { return &c.Polling.Timeout }),
		check: durationBetween(func(c *Config) time.Duration { return c.Polling.Timeout }, time.Second, 5*time.Minute)},
	{key: "polling.max_body_bytes", def: "10MiB", help: "largest feed accepted, after decompression",
		set: func(c *Config, v string) error { return c.Polling.MaxBodyBytes.UnmarshalText([]byte(v)) },
		check: func(c *Config) string {
			if c.Polling.MaxBodyBytes < 1024 || c.Polling.MaxBodyBytes > 1<<30 {
				return fmt.Sprintf("%s is out of range: use between 1KiB and 1GiB", c.Polling.MaxBodyBytes)
			}
			return ""
		}},
	{key: "polling.max_redirects", def: "5", help: "redirects followed per fetch",
		set:   setInt(func(c *Config) *int { return &c.Polling.MaxRedirects }),
		check: intBetween(func(c *Config) int { return c.Polling.MaxRedirects }, 1, 10)},
	{key: "polling.max_item_age", def: "168h", help: "items older than this are never posted",
		set:   setDuration(func(c *Config) *time.Duration { return &c.Polling.MaxItemAge }),
		check: durationBetween(func(c *Config) time.Duration { return c.Polling.MaxItemAge }, time.Hour, 365*24*time.Hour)},
	{key: "polling.backfill", def: "0", help: "newest items of a new source treated as new on its first poll",
		set:   setInt(func(c *Config) *int { return &c.Polling.Backfill }),
		check: intBetween(func(c *Config) int { return c.Polling.Backfill }, 0, 100)},
	{key: "polling.allow_private_networks", def: "false", help: "allow fetching loopback and private addresses (link-local and cloud metadata addresses stay refused)",
		set: setBool(func(c *Config) *bool { return &c.Polling.AllowPrivateNetworks })},
	{key: "polling.max_new_items_per_poll", def: "25", help: "most items one poll of one source may post; the rest are recorded as seen and the source's health says so",
		set:   setInt(func(c *Config) *int { return &c.Polling.MaxNewItemsPerPoll }),
		check: intBetween(func(c *Config) int { return c.Polling.MaxNewItemsPerPoll }, 1, 1000)},
	{key: "retention.stories", def: "4320h", help: "stories not updated for this long are deleted with their posts' records; older items keep only what stops a repost (default 180 days)",
		set:   setDuration(func(c *Config) *time.Duration { return &c.Retention.Stories }),
		check: durationBetween(func(c *Config) time.Duration { return c.Retention.Stories }, 30*24*time.Hour, 10*365*24*time.Hour)},
	{key: "retention.deliveries", def: "4320h", help: "digest posts' records older than this are deleted (a story's own post records go with the story) (default 180 days)",
		set:   setDuration(func(c *Config) *time.Duration { return &c.Retention.Deliveries }),
		check: durationBetween(func(c *Config) time.Duration { return c.Retention.Deliveries }, 30*24*time.Hour, 10*365*24*time.Hour)},
	{key: "websub.callback_url", def: "", help: "public base URL hubs call back, enabling push",
		set: setString(func(c *Config) *string { return &c.WebSub.CallbackURL }),
		check: func(c *Config) string {
			if c.WebSub.CallbackURL == "" {
				return ""
			}
			if c.WebSub.Listen == "" {
				return "is set, but websub.listen is off: give websub.listen the address your HTTPS proxy forwards the callback to"
			}
			return httpURL(c.WebSub.CallbackURL)
		}},
	{key: "websub.listen", def: "127.0.0.1:8081", help: "address serving WebSub callbacks (behind your HTTPS proxy)",
		set:   setListen(func(c *Config) *string { return &c.WebSub.Listen }),
		check: hostPort(func(c *Config) string { return c.WebSub.Listen })},
	{key: "summarize.max_sentences", def: "3", help: "most sentences in a summary",
		set:   setInt(func(c *Config) *int { return &c.Summarize.MaxSentences }),
		check: intBetween(func(c *Config) int { return c.Summarize.MaxSentences }, 1, 10)},
	{key: "summarize.max_words", def: "75", help: "most words in a summary",
		set:   setInt(func(c *Config) *int { return &c.Summarize.MaxWords }),
		check: intBetween(func(c *Config) int { return c.Summarize.MaxWords }, 10, 400)},
	{key: "summarize.backend", def: "extractive", help: "extractive (built in) or llm (a model server; falls back to extractive)",
		set:   setString(func(c *Config) *string { return &c.Summarize.Backend }),
		check: oneOf(func(c *Config) string { return c.Summarize.Backend }, "extractive", "llm")},
	{key: "summarize.llm.base_url", def: "http://127.0.0.1:11434/v1", help: "API root of an OpenAI-compatible server (Ollama's by default)",
		set: setString(func(c *Config) *string { return &c.Summarize.LLM.BaseURL }),
		check: func(c *Config) string {
			if c.Summarize.Backend != "llm" {
				return ""
			}
			return apiURL(c.Summarize.LLM.BaseURL)
		}},
	{key: "summarize.llm.model", def: "", help: "model name the server serves, e.g. llama3.1:8b",
		set: setString(func(c *Config) *string { return &c.Summarize.LLM.Model }),
		check: func(c *Config) string {
			if c.Summarize.Backend == "llm" && c.Summarize.LLM.Model == "" {
				return `is empty, but summarize.backend is llm: name the model your server serves, e.g. "llama3.1:8b"`
			}
			return ""
		}},
	{key: "summarize.llm.timeout", def: "20s", help: "longest wait for the model before using the extractive summary",
		set:   setDuration(func(c *Config) *time.Duration { return &c.Summarize.LLM.Timeout }),
		check: durationBetween(func(c *Config) time.Duration { return c.Summarize.LLM.Timeout }, time.Second, 5*time.Minute)},
	{key: "summarize.llm.max_concurrent", def: "2", help: "most model requests in flight",
		set:   setInt(func(c *Config) *int { return &c.Summarize.LLM.MaxConcurrent }),
		check: intBetween(func(c *Config) int { return c.Summarize.LLM.MaxConcurrent }, 1, 64)},
	{key: "summarize.llm.max_output_tokens", def: "200", help: "max_tokens of each completion",
		set:   setInt(func(c *Config) *int { return &c.Summarize.LLM.MaxOutputTokens }),
		check: intBetween(func(c *Config) int { return c.Summarize.LLM.MaxOutputTokens }, 32, 4096)},
	{key: "summarize.llm.max_input_tokens", def: "2000", help: "article text sent, cut from the top (estimated tokens)",
		set:   setInt(func(c *Config) *int { return &c.Summarize.LLM.MaxInputTokens }),
		check: intBetween(func(c *Config) int { return c.Summarize.LLM.MaxInputTokens }, 100, 100000)},
	{key: "summarize.llm.per_minute", def: "30", help: "most model requests in any minute, retries included; 0 for no limit",
		set:   setInt(func(c *Config) *int { return &c.Summarize.LLM.PerMinute }),
		check: intBetween(func(c *Config) int { return c.Summarize.LLM.PerMinute }, 0, 100000)},
	{key: "summarize.llm.edit_window", def: "0s", help: "post with the extractive summary at once and edit in the model's if it arrives within this window; 0 waits for the model (up to the timeout) before posting",
		set:   setDuration(func(c *Config) *time.Duration { return &c.Summarize.LLM.EditWindow }),
		check: durationBetween(func(c *Config) time.Duration { return c.Summarize.LLM.EditWindow }, 0, time.Hour)},
	{key: "summarize.full_text", def: "relevant", help: "read the article page behind a feed's teaser: relevant (relevant items and close calls), always (every teaser item) or never",
		set:   setString(func(c *Config) *string { return &c.Summarize.FullText }),
		check: oneOf(func(c *Config) string { return c.Summarize.FullText }, "relevant", "always", "never")},
	{key: "summarize.full_text_wait", def: "10s", help: "longest wait for the article before posting with the teaser (the message is edited when the article's summary is ready); 0 never waits",
		set:   setDuration(func(c *Config) *time.Duration { return &c.Summarize.FullTextWait }),
		check: durationBetween(func(c *Config) time.Duration { return c.Summarize.FullTextWait }, 0, 5*time.Minute)},
	{key: "include_default_sources", def: "false", help: "keep the built-in outlets when sources are listed",
		set: setBool(func(c *Config) *bool { return &c.IncludeDefaultSources })},
}

// Options lists every scalar option for docs: key, environment variable,
// default and help.
func Options() [][4]string {
	out := make([][4]string, 0, len(options)+len(secrets))
	for _, o := range options {
		out = append(out, [4]string{o.key, o.env(), o.def, o.help})
	}
	return out
}

// Defaults returns the configuration used when nothing is set.
func Defaults() *Config {
	c := &Config{}
	for _, o := range options {
		if err := o.set(c, o.def); err != nil {
			panic(fmt.Sprintf("config: bad default for %s: %v", o.key, err)) // a programming error
		}
	}
	return c
}

// applyEnv applies BRIEFBOT_* overrides and secrets, returning problems.
func applyEnv(c *Config, getenv Env) []string {
	var errs []string
	for _, o := range options {
		if v, ok := lookup(getenv, o.env()); ok {
			if err := o.set(c, v); err != nil {
				errs = append(errs, fmt.Sprintf("%s (from %s): %v", o.key, o.env(), err))
			}
		}
	}
	for _, s := range secrets {
		v, ok := lookup(getenv, s.env)
		file, fileSet := lookup(getenv, s.env+"_FILE")
		switch {
		case ok && fileSet:
			errs = append(errs, fmt.Sprintf("%s and %s_FILE are both set: keep one", s.env, s.env))
		case ok:
			s.set(c, strings.TrimSpace(v))
		case fileSet:
			b, err := os.ReadFile(file)
			if err != nil {
				errs = append(errs, fmt.Sprintf("%s_FILE: cannot read %q: %v", s.env, file, err))
				continue
			}
			s.set(c, strings.TrimSpace(string(b)))
		}
	}
	return errs
}

// lookup treats an empty variable as unset, as shells and compose files
// often export empty values for optional settings.
func lookup(getenv Env, name string) (string, bool) {
	if getenv == nil {
		return "", false
	}
	v := getenv(name)
	return v, v != ""
}

func (c *Config) validate() []string {
	var errs []string
	for _, o := range options {
		if o.check == nil {
			continue
		}
		if p := o.check(c); p != "" {
			errs = append(errs, o.key+": "+p)
		}
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "sqlite:") &&
		!strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		errs = append(errs, `BRIEFBOT_DATABASE_URL: unsupported scheme: use "sqlite:PATH" or "postgres://..."`)
	}
	listeners := map[string]string{}
	for _, l := range [][2]string{{"admin.listen", c.Admin.Listen}, {"websub.listen", c.WebSub.Listen}, {"discord.interactions_listen", c.Discord.InteractionsListen}} {
		if l[1] == "" {
			continue
		}
		if other, dup := listeners[l[1]]; dup {
			errs = append(errs, fmt.Sprintf("%s: %q is also %s: give each listener its own address", l[0], l[1], other))
		}
		listeners[l[1]] = l[0]
	}
	if c.Discord.InteractionsListen != "" && c.Discord.ApplicationID == "" {
		errs = append(errs, "discord.application_id: is empty, but discord.interactions_listen is set: the HTTP endpoint registers commands under this ID (Developer Portal → General Information)")
	}
	errs = append(errs, c.validateSources()...)
	errs = append(errs, c.validateTopics()...)
	return errs
}

var (
	nameRE     = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)
	languageRE = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)
)

func (c *Config) validateSources() []string {
	var errs []string
	seen := map[string]int{}
	for i, s := range c.Sources {
		f := fmt.Sprintf("sources[%d]", i)
		switch {
		case s.Name == "":
			errs = append(errs, f+`.name: is empty: give each source a short unique name such as "bbc-middle-east"`)
		case !nameRE.MatchString(s.Name):
			errs = append(errs, fmt.Sprintf("%s.name: %q is not valid: use lowercase letters, digits and dashes (at most 63)", f, s.Name))
		default:
			if j, dup := seen[s.Name]; dup {
				errs = append(errs, fmt.Sprintf("%s.name: %q is already used by sources[%d]: names must be unique", f, s.Name, j))
			}
			seen[s.Name] = i
		}
		if p := httpURL(s.URL); p != "" {
			errs = append(errs, f+".url: "+p)
		}
		if s.Interval != 0 {
			if p := durationBetween(func(*Config) time.Duration { return s.Interval }, MinPollInterval, MaxPollInterval)(c); p != "" {
				errs = append(errs, f+".interval: "+p)
			}
		}
		if s.Backfill != nil && (*s.Backfill < 0 || *s.Backfill > 100) {
			errs = append(errs, fmt.Sprintf("%s.backfill: %d is out of range: use 0 to 100", f, *s.Backfill))
		}
		switch s.FullText {
		case "", "relevant", "always", "never":
		default:
			errs = append(errs, fmt.Sprintf("%s.full_text: %q is not valid: use relevant, always or never (or leave it out to follow summarize.full_text)", f, s.FullText))
		}
		if s.Language != "" && !languageRE.MatchString(s.Language) {
			errs = append(errs, fmt.Sprintf("%s.language: %q is not a language tag: use e.g. \"en\", \"fa\", \"ar\"", f, s.Language))
		}
	}
	return errs
}

func (c *Config) validateTopics() []string {
	var errs []string
	seen := map[string]int{}
	for i, t := range c.Topics {
		f := fmt.Sprintf("topics[%d]", i)
		switch {
		case t.Name == "":
			errs = append(errs, f+`.name: is empty: channels subscribe by this name, e.g. "red-sea-shipping"`)
		case !nameRE.MatchString(t.Name):
			errs = append(errs, fmt.Sprintf("%s.name: %q is not valid: use lowercase letters, digits and dashes (at most 63)", f, t.Name))
		default:
			if j, dup := seen[t.Name]; dup {
				errs = append(errs, fmt.Sprintf("%s.name: %q is already used by topics[%d]: names must be unique", f, t.Name, j))
			}
			seen[t.Name] = i
		}
		if len(t.Include) == 0 && len(t.Require) == 0 {
			errs = append(errs, f+": has no include or require terms: list the words that make a story match")
		}
		if t.Threshold < 0 || t.Threshold > 1 {
			errs = append(errs, fmt.Sprintf("%s.threshold: %g is out of range: use a score between 0 and 1 (0 means the default)", f, t.Threshold))
		}
		for _, list := range [][]string{t.Include, t.Require, t.Exclude} {
			for _, term := range list {
				if strings.TrimSpace(term) == "" {
					errs = append(errs, f+": has an empty term: remove it")
				}
			}
		}
	}
	return errs
}

// Setters and checks shared by the table.

func setString(p func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error { *p(c) = strings.TrimSpace(v); return nil }
}

func setInt(p func(*Config) *int) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return fmt.Errorf("%q is not a whole number", v)
		}
		*p(c) = n
		return nil
	}
}

func setBool(p func(*Config) *bool) func(*Config, string) error {
	return func(c *Config, v string) error {
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err != nil {
			return fmt.Errorf("%q is not true or false", v)
		}
		*p(c) = b
		return nil
	}
}

func setDuration(p func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if err != nil {
			return fmt.Errorf("%q is not a duration: use a number with a unit, such as 90s, 2m or 1h", v)
		}
		*p(c) = d
		return nil
	}
}

func oneOf(get func(*Config) string, valid ...string) func(*Config) string {
	return func(c *Config) string {
		v := get(c)
		for _, ok := range valid {
			if v == ok {
				return ""
			}
		}
		return fmt.Sprintf("%q is not valid: use one of %s", v, strings.Join(valid, ", "))
	}
}

func intBetween(get func(*Config) int, lo, hi int) func(*Config) string {
	return func(c *Config) string {
		if v := get(c); v < lo || v > hi {
			return fmt.Sprintf("%d is out of range: use %d to %d", v, lo, hi)
		}
		return ""
	}
}

func durationBetween(get func(*Config) time.Duration, lo, hi time.Duration) func(*Config) string {
	return func(c *Config) string {
		if v := get(c); v < lo || v > hi {
			return fmt.Sprintf("%s is out of range: use between %s and %s", v, lo, hi)
		}
		return ""
	}
}

var (
	snowflakeRE = regexp.MustCompile(`^[0-9]{17,20}$`)
	publicKeyRE = regexp.MustCompile(`^[0-9a-fA-F]{64}$`)
)

func snowflake(get func(*Config) string) func(*Config) string {
	return func(c *Config) string {
		if v := get(c); v != "" && !snowflakeRE.MatchString(v) {
			return fmt.Sprintf("%q is not a Discord ID: copy the 17-20 digit number from the Developer Portal (or Developer Mode → Copy ID)", v)
		}
		return ""
	}
}

// setListen reads a listen address; "off" (or "") turns the listener off,
// so the environment can switch off what a file or image turned on.
func setListen(p func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error {
		v = strings.TrimSpace(v)
		if strings.EqualFold(v, "off") {
			v = ""
		}
		*p(c) = v
		return nil
	}
}

func hostPort(get func(*Config) string) func(*Config) string {
	return func(c *Config) string {
		v := get(c)
		if v == "" {
			return ""
		}
		if _, port, err := net.SplitHostPort(v); err != nil || port == "" {
			return fmt.Sprintf("%q is not host:port: use e.g. 127.0.0.1:9090 or :9090", v)
		}
		return ""
	}
}

// apiURL returns a problem with a model server's API root, or "".
func apiURL(u string) string {
	p, err := url.Parse(u)
	if u == "" || err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return fmt.Sprintf("%q is not an http(s) URL: use the server's API root, e.g. http://127.0.0.1:11434/v1 for Ollama", u)
	}
	return ""
}

// httpURL returns a problem with u, or "" if it is an absolute http(s) URL.
func httpURL(u string) string {
	if u == "" {
		return "is empty: give the feed's http(s) URL"
	}
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return fmt.Sprintf("%q is not an http(s) URL", u)
	}
	return ""
}

// discordAPIURL returns a problem with discord.api_url, or "" if it is empty
// or an absolute http(s) base URL. Only scheme, host and path are used, so
// anything else is refused rather than silently dropped.
func discordAPIURL(u string) string {
	if u == "" {
		return ""
	}
	const fix = "give the base URL only, e.g. http://nirn-proxy:8080, or leave it empty for Discord itself"
	p, err := url.Parse(u)
	switch {
	case err == nil && p.User != nil:
		// Not quoted: the message would print the password.
		return "has a user name or password, which would not be sent: " + fix
	case err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "":
		return fmt.Sprintf("%q is not an absolute http(s) URL: %s", u, fix)
	case p.RawQuery != "" || p.ForceQuery || p.Fragment != "":
		return fmt.Sprintf("%q has a query or fragment: %s", u, fix)
	}
	return ""
}

// pollIntervalValid reports whether polling.interval is in range: only
// then are min_interval and max_interval compared with it, so one bad
// interval is reported once, not three times.
func pollIntervalValid(c *Config) bool {
	return c.Polling.Interval >= MinPollInterval && c.Polling.Interval <= MaxPollInterval
}
