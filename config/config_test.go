package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func envMap(m map[string]string) Env {
	return func(k string) string { return m[k] }
}

func TestDefaultsNeedNoFile(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir) // no briefbot.yaml here
	c, err := Load("", envMap(nil))
	if err != nil {
		t.Fatalf("Load with no file: %v", err)
	}
	if c.Polling.Interval != 2*time.Minute || c.Polling.Timeout != 20*time.Second ||
		c.Polling.MaxBodyBytes != 10<<20 || c.Polling.MaxRedirects != 5 ||
		c.Polling.MaxItemAge != 7*24*time.Hour || c.Database.Path != "./briefbot.db" ||
		c.Admin.Listen != "127.0.0.1:9090" || c.Summarize.MaxWords != 75 || c.Summarize.MaxSentences != 3 {
		t.Errorf("unexpected defaults: %+v", c)
	}
}

func TestExplicitMissingFileIsAnError(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"), envMap(nil))
	if err == nil || !strings.Contains(err.Error(), "nope.yaml") {
		t.Fatalf("want an error naming the file, got %v", err)
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name  string
		yaml  string
		env   map[string]string
		check func(t *testing.T, c *Config)
		// wantErrs are substrings that must each appear in the error.
		wantErrs []string
	}{
		{
			name: "file values",
			yaml: "polling:\n  interval: 5m\n  max_body_bytes: 2MiB\nlog:\n  level: debug\nsources:\n  - name: bbc\n    url: https://feeds.bbci.co.uk/news/world/middle_east/rss.xml\n    interval: 1m\n    backfill: 3\n",
			check: func(t *testing.T, c *Config) {
				if c.Polling.Interval != 5*time.Minute || c.Polling.MaxBodyBytes != 2<<20 || c.Log.Level != "debug" {
					t.Errorf("file values not applied: %+v", c.Polling)
				}
				if len(c.Sources) != 1 || c.Sources[0].Interval != time.Minute || *c.Sources[0].Backfill != 3 {
					t.Errorf("sources: %+v", c.Sources)
				}
			},
		},
		{
			name: "env overrides file",
			yaml: "polling:\n  interval: 5m\n",
			env:  map[string]string{"BRIEFBOT_POLLING_INTERVAL": "45s", "BRIEFBOT_LOG_FORMAT": "json", "BRIEFBOT_POLLING_ALLOW_PRIVATE_NETWORKS": "true"},
			check: func(t *testing.T, c *Config) {
				if c.Polling.Interval != 45*time.Second || c.Log.Format != "json" || !c.Polling.AllowPrivateNetworks {
					t.Errorf("env not applied: %+v %+v", c.Polling, c.Log)
				}
			},
		},
		{
			name: "secrets from env",
			env:  map[string]string{"DISCORD_TOKEN": " abc.def \n", "BRIEFBOT_DATABASE_URL": "postgres://u@h/db"},
			check: func(t *testing.T, c *Config) {
				if c.DiscordToken != "abc.def" || c.DatabaseURL != "postgres://u@h/db" {
					t.Errorf("secrets: %q %q", c.DiscordToken, c.DatabaseURL)
				}
				r := c.Redacted()
				if r.DiscordToken == c.DiscordToken || r.DatabaseURL == c.DatabaseURL {
					t.Error("Redacted kept a secret")
				}
			},
		},
		{
			name:     "secret in yaml is rejected as unknown",
			yaml:     "discord_token: abc\n",
			wantErrs: []string{"discord_token (line 1): unknown key", "set DISCORD_TOKEN"},
		},
		{
			name:     "misspelt key",
			yaml:     "poling:\n  interval: 1m\n",
			wantErrs: []string{"poling"},
		},
		{
			name: "every problem reported at once",
			yaml: "polling:\n  interval: 10s\n  concurrency: 0\nsources:\n  - name: a\n    url: htp://x\n  - name: a\n    url: https://ok.example/feed\n  - name: Bad Name\n    url: ''\ntopics:\n  - name: red-sea\n    threshold: 2\n",
			env:  map[string]string{"BRIEFBOT_LOG_LEVEL": "loud", "BRIEFBOT_POLLING_TIMEOUT": "soon"},
			wantErrs: []string{
				`sources[0].url: "htp://x" is not an http(s) URL`,
				`sources[1].name: "a" is already used by sources[0]`,
				`sources[2].name: "Bad Name" is not valid`,
				`sources[2].url: is empty`,
				"polling.interval: 10s is out of range: use between 30s and 24h0m0s",
				"polling.concurrency: 0 is out of range",
				`log.level: "loud" is not valid: use one of debug, info, warn, error`,
				`polling.timeout (from BRIEFBOT_POLLING_TIMEOUT): "soon" is not a duration`,
				"topics[0]: has no include or require terms",
				"topics[0].threshold: 2 is out of range",
			},
		},
		{
			name: "off switches a listener off from the environment",
			yaml: "admin:\n  listen: 0.0.0.0:9090\n",
			env:  map[string]string{"BRIEFBOT_ADMIN_LISTEN": "off"},
			check: func(t *testing.T, c *Config) {
				if c.Admin.Listen != "" {
					t.Errorf("admin.listen = %q; want off", c.Admin.Listen)
				}
			},
		},
		{
			name: "per-source metrics are on by default and switched off from the environment",
			env:  map[string]string{"BRIEFBOT_ADMIN_PER_SOURCE_METRICS": "false"},
			check: func(t *testing.T, c *Config) {
				if c.Admin.PerSourceMetrics {
					t.Error("admin.per_source_metrics = true; want false from the environment")
				}
				if !Defaults().Admin.PerSourceMetrics {
					t.Error("admin.per_source_metrics defaults to false; want true")
				}
			},
		},
		{
			name:     "listeners share an address",
			yaml:     "admin:\n  listen: 127.0.0.1:8081\n",
			wantErrs: []string{`websub.listen: "127.0.0.1:8081" is also admin.listen`},
		},
		{
			name:     "websub callback without a listener",
			yaml:     "websub:\n  callback_url: https://bot.example.org/websub\n  listen: off\n",
			wantErrs: []string{"websub.callback_url: is set, but websub.listen is off"},
		},
		{
			name:     "bad discord id",
			yaml:     "discord:\n  application_id: my-bot\n",
			wantErrs: []string{`discord.application_id: "my-bot" is not a Discord ID`},
		},
		{
			name:     "both secret and file",
			env:      map[string]string{"DISCORD_TOKEN": "a", "DISCORD_TOKEN_FILE": "/x"},
			wantErrs: []string{"DISCORD_TOKEN and DISCORD_TOKEN_FILE are both set"},
		},
		{
			name:     "unsupported database url",
			env:      map[string]string{"BRIEFBOT_DATABASE_URL": "mysql://x"},
			wantErrs: []string{"BRIEFBOT_DATABASE_URL: unsupported scheme"},
		},
		{
			name:     "bad size",
			env:      map[string]string{"BRIEFBOT_POLLING_MAX_BODY_BYTES": "lots"},
			wantErrs: []string{`polling.max_body_bytes (from BRIEFBOT_POLLING_MAX_BODY_BYTES): "lots" is not a size`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := parseCase(t, tt.yaml, tt.env, tt.wantErrs, "")
			if c != nil {
				tt.check(t, c)
			}
		})
	}
}

// parseCase parses a test case's YAML and environment. With wantErrs it
// checks the error holds each of them (and not hidden) and returns nil;
// without, it fails on any error and returns the configuration.
func parseCase(t *testing.T, yaml string, env map[string]string, wantErrs []string, hidden string) *Config {
	t.Helper()
	c, err := Parse([]byte(yaml), "test.yaml", envMap(env))
	if len(wantErrs) == 0 {
		if err != nil {
			t.Fatalf("Parse: %v", err)
		}
		return c
	}
	if err == nil {
		t.Fatalf("want errors %q, got none", wantErrs)
	}
	for _, w := range wantErrs {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q:\n%v", w, err)
		}
	}
	if hidden != "" && strings.Contains(err.Error(), hidden) {
		t.Errorf("error shows %q:\n%v", hidden, err)
	}
	return nil
}

func TestSecretFromFile(t *testing.T) {
	f := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(f, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Parse(nil, "", envMap(map[string]string{"DISCORD_TOKEN_FILE": f}))
	if err != nil {
		t.Fatal(err)
	}
	if c.DiscordToken != "s3cret" {
		t.Errorf("token = %q", c.DiscordToken)
	}
	_, err = Parse(nil, "", envMap(map[string]string{"DISCORD_TOKEN_FILE": f + ".missing"}))
	var ce *Error
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "DISCORD_TOKEN_FILE: cannot read") {
		t.Errorf("want a readable error for a missing secret file, got %v", err)
	}
}

// Copying the example to briefbot.yaml, as the README's Discord steps
// ask, must change nothing until it is edited: it once cut the built-in
// outlets to its one sample source.
func TestExampleFileChangesNothing(t *testing.T) {
	c, err := Load("../briefbot.example.yaml", envMap(nil))
	if err != nil {
		t.Fatalf("briefbot.example.yaml must load cleanly: %v", err)
	}
	if !reflect.DeepEqual(c, Defaults()) {
		t.Errorf("briefbot.example.yaml differs from the defaults:\n file: %+v\n defaults: %+v", *c, *Defaults())
	}
}

func TestByteSize(t *testing.T) {
	for in, want := range map[string]ByteSize{"10MiB": 10 << 20, "512kib": 512 << 10, "1GB": 1e9, "2048": 2048, " 3 MiB ": 3 << 20} {
		var b ByteSize
		if err := b.UnmarshalText([]byte(in)); err != nil || b != want {
			t.Errorf("%q → %d, %v; want %d", in, b, err, want)
		}
	}
	for _, in := range []string{"", "-1", "ten", "1TiB", "99999999999999999999"} {
		var b ByteSize
		if err := b.UnmarshalText([]byte(in)); err == nil {
			t.Errorf("%q parsed as %d; want an error", in, b)
		}
	}
}

// FuzzParse: any document and override either loads or returns an error
// naming what was wrong; it never panics, and a loaded config is valid.
func FuzzParse(f *testing.F) {
	f.Add("polling:\n  interval: 5m\n", "45s")
	f.Add("sources:\n  - name: x\n    url: https://a.b/c\n", "")
	f.Add("topics:\n  - name: t\n    include: [a]\n", "1h")
	f.Add(": : :\n\t", "-1s")
	f.Fuzz(func(t *testing.T, doc, interval string) {
		c, err := Parse([]byte(doc), "fuzz.yaml", envMap(map[string]string{"BRIEFBOT_POLLING_INTERVAL": interval}))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "config: ") {
				t.Fatalf("error without prefix: %v", err)
			}
			return
		}
		// Invariants the rest of briefbot relies on, checked independently
		// of validate.
		if c.Polling.Interval < MinPollInterval || c.Polling.Interval > MaxPollInterval {
			t.Fatalf("accepted polling.interval %s", c.Polling.Interval)
		}
		for i, s := range c.Sources {
			if !strings.HasPrefix(s.URL, "http://") && !strings.HasPrefix(s.URL, "https://") {
				t.Fatalf("accepted sources[%d].url %q", i, s.URL)
			}
			if s.Interval != 0 && s.Interval < MinPollInterval {
				t.Fatalf("accepted sources[%d].interval %s", i, s.Interval)
			}
		}
		for i, tp := range c.Topics {
			if tp.Name == "" || len(tp.Include)+len(tp.Require) == 0 {
				t.Fatalf("accepted topics[%d] without a name or terms: %+v", i, tp)
			}
		}
	})
}

// The README's option table is how users learn the keys: keep it complete.
func TestREADMEDocumentsEveryOption(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range Options() {
		for _, s := range []string{"`" + o[0] + "`", "`" + o[1] + "`"} {
			if !strings.Contains(string(b), s) {
				t.Errorf("README.md does not mention %s", s)
			}
		}
	}
}

func TestFullTextModes(t *testing.T) {
	c, err := Parse(nil, "", func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if c.Summarize.FullText != "relevant" || c.Summarize.FullTextWait != 10*time.Second {
		t.Errorf("defaults: full_text %q, wait %v; want relevant, 10s", c.Summarize.FullText, c.Summarize.FullTextWait)
	}
	doc := `
summarize:
  full_text: never
sources:
  - {name: a, url: "https://a.example/feed", full_text: true}
  - {name: b, url: "https://b.example/feed", full_text: false}
  - {name: c, url: "https://c.example/feed", full_text: always}
  - {name: d, url: "https://d.example/feed"}
`
	c, err = Parse([]byte(doc), "test.yaml", func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	want := []FullTextMode{"relevant", "never", "always", ""}
	for i, s := range c.Sources {
		if s.FullText != want[i] {
			t.Errorf("sources[%d].full_text = %q, want %q", i, s.FullText, want[i])
		}
	}
	if c.Summarize.FullText != "never" {
		t.Errorf("summarize.full_text = %q", c.Summarize.FullText)
	}
	for doc, msg := range map[string]string{
		"summarize: {full_text: sometimes}":                                    "summarize.full_text",
		"sources: [{name: a, url: \"https://a.example/f\", full_text: often}]": `sources[0].full_text: "often" is not valid`,
	} {
		if _, err := Parse([]byte(doc), "test.yaml", func(string) string { return "" }); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%s: err = %v, want it to mention %q", doc, err, msg)
		}
	}
}
