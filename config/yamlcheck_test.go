package config

import (
	"strings"
	"testing"
)

// A file with a misspelt key, an out-of-range interval, a bad URL and a
// bad duration reports all four at once, so one edit fixes the file.
func TestEveryProblemAtOnceWithUnknownKeys(t *testing.T) {
	tests := []struct {
		name     string
		yaml     string
		env      map[string]string
		wantErrs []string
	}{
		{
			name: "unknown key with other problems",
			yaml: "polling:\n  interval: 5s\n  concurency: 4\n  timeout: banana\nsources:\n  - name: a\n    url: htp://x\n    intervall: 1m\n",
			wantErrs: []string{
				"polling.concurency (line 3): unknown key; did you mean polling.concurrency?",
				`polling.timeout (line 4): "banana" is not a duration: use a number with a unit, such as 90s, 2m or 1h`,
				"polling.interval: 5s is out of range",
				`sources[0].url: "htp://x" is not an http(s) URL`,
				"sources[0].intervall (line 8): unknown key; did you mean sources[0].interval?",
				"5 problem(s)",
			},
		},
		{
			name:     "misspelt section",
			yaml:     "poling:\n  interval: 1m\n",
			wantErrs: []string{"poling (line 1): unknown key; did you mean polling?"},
		},
		{
			name:     "key at the wrong indentation",
			yaml:     "concurrency: 4\n",
			wantErrs: []string{"concurrency (line 1): unknown key; did you mean polling.concurrency? (check its indentation)"},
		},
		{
			name:     "nothing close lists the valid keys",
			yaml:     "admin:\n  zzzzzzzz: 1\n",
			wantErrs: []string{"admin.zzzzzzzz (line 2): unknown key; valid keys here: admin.listen"},
		},
		{
			name: "type errors read like the environment's",
			yaml: "polling:\n  concurrency: lots\n  allow_private_networks: maybe\n  max_body_bytes: huge\nsources:\n  - name: a\n    url: https://a.example/feed\n    interval: soon\n    backfill: some\n",
			wantErrs: []string{
				`polling.concurrency (line 2): "lots" is not a whole number`,
				`polling.allow_private_networks (line 3): "maybe" is not true or false`,
				`polling.max_body_bytes (line 4): "huge" is not a size`,
				`sources[0].interval (line 8): "soon" is not a duration`,
				`sources[0].backfill (line 9): "some" is not a whole number`,
			},
		},
		{
			name:     "a section given a value",
			yaml:     "polling: 5m\nsources: bbc\n",
			wantErrs: []string{`polling (line 1): is the value "5m", but it holds keys`, `sources (line 2): is the value "bbc", but it is a list`},
		},
		{
			name:     "file and environment problems together",
			yaml:     "logg:\n  level: debug\n",
			env:      map[string]string{"BRIEFBOT_POLLING_TIMEOUT": "banana"},
			wantErrs: []string{"logg (line 1): unknown key; did you mean log?", `polling.timeout (from BRIEFBOT_POLLING_TIMEOUT): "banana" is not a duration`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parseCase(t, tt.yaml, tt.env, tt.wantErrs, "cannot unmarshal")
		})
	}
}

// Valid values of every scalar kind still decode after the tree check.
func TestCheckedTreeStillDecodes(t *testing.T) {
	c := parseCase(t, "polling:\n  concurrency: 3\n  allow_private_networks: true\n  max_body_bytes: 1MiB\ndiscord:\n  shard_id: auto\n  shard_count: 2\nsources:\n  - name: a\n    url: https://a.example/feed\n    backfill: 0\nadmin:\n  listen:\n", nil, nil, "")
	if c.Polling.Concurrency != 3 || !c.Polling.AllowPrivateNetworks || c.Polling.MaxBodyBytes != 1<<20 ||
		!c.Discord.ShardID.Auto() || len(c.Sources) != 1 || c.Sources[0].Backfill == nil || c.Admin.Listen != "127.0.0.1:9090" {
		t.Errorf("decoded %+v", c)
	}
}

func TestUnknownEnv(t *testing.T) {
	got := UnknownEnv([]string{
		"BRIEFBOT_POLLING_CONCURENCY=4",
		"BRIEFBOT_POLLING_CONCURRENCY=4",
		"DISCORD_TOKEN_FILE=/run/secrets/t",
		"BRIEFBOT_DATABASE_URL_FILE=/x",
		"BRIEFBOT_TESTDATA=/y",
		"BRIEFBOT_QQQQQQQQQQ=1",
		"HOME=/root",
	}, "BRIEFBOT_TESTDATA")
	want := []string{
		"BRIEFBOT_POLLING_CONCURENCY is set but briefbot reads no such variable, so it has no effect; did you mean BRIEFBOT_POLLING_CONCURRENCY?",
		"BRIEFBOT_QQQQQQQQQQ is set but briefbot reads no such variable, so it has no effect",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("UnknownEnv:\n got %q\nwant %q", got, want)
	}
}
