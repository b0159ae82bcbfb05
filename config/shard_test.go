package config

import (
	"strings"
	"testing"
	"time"
)

func TestShardAndAPIURLConfig(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		env  map[string]string
		// want checks a valid configuration; wantErrs are substrings that
		// must each appear in the error of an invalid one.
		want     func(t *testing.T, d Discord)
		wantErrs []string
		hidden   string // must not appear in the error
	}{
		{
			name: "defaults: one shard, Discord itself",
			want: func(t *testing.T, d Discord) {
				if d.ShardID != 0 || d.ShardCount != 1 || d.APIURL != "" || d.DeliveryLease != time.Minute {
					t.Errorf("defaults = shard %d/%d, api_url %q; want 0/1 and empty", d.ShardID, d.ShardCount, d.APIURL)
				}
			},
		},
		{
			name: "delivery lease: default a minute, set from the file",
			yaml: "discord:\n  delivery_lease: 20s\n",
			want: func(t *testing.T, d Discord) {
				if d.DeliveryLease != 20*time.Second {
					t.Errorf("delivery_lease = %v; want 20s", d.DeliveryLease)
				}
			},
		},
		{
			name:     "delivery lease beyond Discord's nonce window",
			env:      map[string]string{"BRIEFBOT_DISCORD_DELIVERY_LEASE": "10m"},
			wantErrs: []string{"discord.delivery_lease: 10m0s is out of range: use between 10s and 2m0s"},
		},
		{
			name: "from the file",
			yaml: "discord:\n  shard_id: 2\n  shard_count: 3\n  api_url: http://nirn-proxy:8080\n",
			want: func(t *testing.T, d Discord) {
				if d.ShardID != 2 || d.ShardCount != 3 || d.APIURL != "http://nirn-proxy:8080" {
					t.Errorf("got shard %d/%d, api_url %q", d.ShardID, d.ShardCount, d.APIURL)
				}
			},
		},
		{
			name: "from the environment",
			env: map[string]string{"BRIEFBOT_DISCORD_SHARD_ID": "1", "BRIEFBOT_DISCORD_SHARD_COUNT": "2",
				"BRIEFBOT_DISCORD_API_URL": "https://proxy.internal/discord/"},
			want: func(t *testing.T, d Discord) {
				if d.ShardID != 1 || d.ShardCount != 2 || d.APIURL != "https://proxy.internal/discord/" {
					t.Errorf("got shard %d/%d, api_url %q", d.ShardID, d.ShardCount, d.APIURL)
				}
			},
		},
		{
			name:     "shard id not below the count",
			yaml:     "discord:\n  shard_id: 3\n  shard_count: 2\n",
			wantErrs: []string{"discord.shard_id: 3 is not below discord.shard_count 2: number shards 0 to shard_count-1"},
		},
		{
			name:     "shard id equal to the count",
			yaml:     "discord:\n  shard_id: 1\n",
			wantErrs: []string{"discord.shard_id: 1 is not below discord.shard_count 1"},
		},
		{
			name:     "negative shard id",
			env:      map[string]string{"BRIEFBOT_DISCORD_SHARD_ID": "-1"},
			wantErrs: []string{`discord.shard_id (from BRIEFBOT_DISCORD_SHARD_ID): "-1" is neither a shard number (0 and up) nor "auto"`},
		},
		{
			name:     "shard id in the file is neither a number nor auto",
			yaml:     "discord:\n  shard_id: first\n",
			wantErrs: []string{`discord.shard_id (line 2): "first" is neither a shard number (0 and up) nor "auto"`},
		},
		{
			name: "auto shard from the file",
			yaml: "discord:\n  shard_id: auto\n  shard_count: 4\n",
			want: func(t *testing.T, d Discord) {
				if !d.ShardID.Auto() || d.ShardCount != 4 {
					t.Errorf("got shard %d/%d; want auto of 4", d.ShardID, d.ShardCount)
				}
			},
		},
		{
			name: "auto shard from the environment",
			env:  map[string]string{"BRIEFBOT_DISCORD_SHARD_ID": "auto", "BRIEFBOT_DISCORD_SHARD_COUNT": "2"},
			want: func(t *testing.T, d Discord) {
				if !d.ShardID.Auto() || d.ShardCount != 2 {
					t.Errorf("got shard %d/%d; want auto of 2", d.ShardID, d.ShardCount)
				}
			},
		},
		{
			name:     "no shards",
			yaml:     "discord:\n  shard_count: 0\n",
			wantErrs: []string{"discord.shard_count: 0 is out of range: use 1 (one instance) to 4096"},
		},
		{
			name:     "too many shards",
			yaml:     "discord:\n  shard_count: 5000\n  shard_id: 4500\n",
			wantErrs: []string{"discord.shard_count: 5000 is out of range: use 1 (one instance) to 4096"},
		},
		{
			name:     "shard count not a number",
			env:      map[string]string{"BRIEFBOT_DISCORD_SHARD_COUNT": "two"},
			wantErrs: []string{`discord.shard_count (from BRIEFBOT_DISCORD_SHARD_COUNT): "two" is not a whole number`},
		},
		{
			name: "shards with the HTTP interactions endpoint",
			yaml: "discord:\n  shard_count: 2\n  interactions_listen: 127.0.0.1:8080\n  application_id: \"123456789012345678\"\n  public_key: " +
				strings.Repeat("ab", 32) + "\n",
			wantErrs: []string{"discord.shard_count: is 2, but discord.interactions_listen is set", "set 1"},
		},
		{
			name:     "api url without a scheme",
			yaml:     "discord:\n  api_url: nirn-proxy:8080\n",
			wantErrs: []string{`discord.api_url: "nirn-proxy:8080" is not an absolute http(s) URL: give the base URL only, e.g. http://nirn-proxy:8080`},
		},
		{
			name:     "api url with another scheme",
			env:      map[string]string{"BRIEFBOT_DISCORD_API_URL": "ws://proxy:8080"},
			wantErrs: []string{`discord.api_url: "ws://proxy:8080" is not an absolute http(s) URL`},
		},
		{
			name:     "api url without a host",
			yaml:     "discord:\n  api_url: http:///api\n",
			wantErrs: []string{`discord.api_url: "http:///api" is not an absolute http(s) URL`},
		},
		{
			name:     "api url with a query",
			yaml:     "discord:\n  api_url: http://proxy:8080/?key=1\n",
			wantErrs: []string{`discord.api_url: "http://proxy:8080/?key=1" has a query or fragment: give the base URL only`},
		},
		{
			name:     "api url with a fragment",
			yaml:     "discord:\n  api_url: http://proxy:8080#x\n",
			wantErrs: []string{`discord.api_url: "http://proxy:8080#x" has a query or fragment`},
		},
		{
			name:     "api url with credentials",
			yaml:     "discord:\n  api_url: http://u:s3cret@proxy:8080\n",
			wantErrs: []string{"discord.api_url: has a user name or password, which would not be sent: give the base URL only"},
			hidden:   "s3cret",
		},
		{
			name:     "api url with credentials and another scheme",
			env:      map[string]string{"BRIEFBOT_DISCORD_API_URL": "ftp://u:s3cret@proxy"},
			wantErrs: []string{"discord.api_url: has a user name or password"},
			hidden:   "s3cret",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if c := parseCase(t, tt.yaml, tt.env, tt.wantErrs, tt.hidden); c != nil {
				tt.want(t, c.Discord)
			}
		})
	}
}
