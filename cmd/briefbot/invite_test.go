package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot/discordtest"
	"github.com/briefbot/briefbot/config"
)

func TestInviteCommand(t *testing.T) {
	const want = "https://discord.com/oauth2/authorize?client_id=123456789012345678&permissions=274877991936&scope=bot+applications.commands\n"
	tests := []struct {
		name    string
		environ map[string]string
		fake    bool
		want    string
		wantErr string
	}{
		{name: "configured application", environ: map[string]string{"BRIEFBOT_DISCORD_APPLICATION_ID": "123456789012345678"}, want: want},
		{name: "looked up with the token", fake: true,
			want: strings.Replace(want, "123456789012345678", discordtest.AppID, 1)},
		{name: "neither", wantErr: "no application ID: set discord.application_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Chdir(t.TempDir())
			var out, errOut bytes.Buffer
			e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: func(k string) string { return tt.environ[k] }}
			if tt.fake {
				fake := discordtest.New(t)
				e.configureDiscord = fake.Configure
				e.getenv = func(k string) string {
					if k == "DISCORD_TOKEN" {
						return strings.TrimPrefix(fake.Token(), "Bot ")
					}
					return ""
				}
			}
			code := execute(context.Background(), e, []string{"invite"})
			if tt.wantErr != "" {
				if code == 0 || !strings.Contains(errOut.String(), tt.wantErr) {
					t.Fatalf("exit %d, stderr %q; want an error with %q", code, errOut.String(), tt.wantErr)
				}
				return
			}
			if code != 0 || out.String() != tt.want {
				t.Fatalf("exit %d, stdout %q, stderr %q; want %q", code, out.String(), errOut.String(), tt.want)
			}
		})
	}
}

// With a token, the run says who it is connected as, where, and how to
// invite it, against the fake Discord through the real discordgo session.
func TestRunSaysConnectedAsAndInvite(t *testing.T) {
	fake := discordtest.New(t)
	dir := t.TempDir()
	doc := fmt.Sprintf("log: {level: info, format: text}\ndatabase: {path: %s}\nadmin: {listen: \"\"}\ndiscord: {application_id: \"%s\"}\nsources: []\ninclude_default_sources: false\n",
		filepath.Join(dir, "bb.db"), discordtest.AppID)
	log, stop := runWithDiscord(t, doc, fake)
	defer stop()
	user := fake.BotUser()
	waitFor(t, "the connected line", func() bool {
		return strings.Contains(log.String(), fmt.Sprintf(`msg="connected as %s in 1 server"`, user.Username)) &&
			strings.Contains(log.String(), "invite_url=\"https://discord.com/oauth2/authorize?client_id="+discordtest.AppID+"&permissions=274877991936&scope=bot+applications.commands\"")
	})
}

// A token Discord refuses ends the run at once with a clear message and
// status, instead of retrying forever.
func TestRunRejectedTokenExits(t *testing.T) {
	fake := discordtest.New(t)
	dir := t.TempDir()
	doc := fmt.Sprintf("log: {level: info, format: text}\ndatabase: {path: %s}\nadmin: {listen: \"\"}\ndiscord: {application_id: \"%s\"}\n",
		filepath.Join(dir, "bb.db"), discordtest.AppID)
	cfgPath := writeConfig(t, dir, doc)
	var out bytes.Buffer
	errOut := &syncBuffer{}
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: errOut, configureDiscord: fake.Configure,
		getenv: func(k string) string {
			if k == "DISCORD_TOKEN" {
				return "not-the-token"
			}
			return ""
		}}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	code := execute(ctx, e, []string{"run", "--config", cfgPath})
	if ctx.Err() != nil {
		t.Fatalf("run still retrying after 30s:\n%s", errOut.String())
	}
	if code != exitTokenRejected || !strings.Contains(errOut.String(), "DISCORD_TOKEN was rejected by Discord (401 Unauthorized)") {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut.String())
	}
}

// A host that cannot be looked up is reported as a DNS failure, not as a
// bad token.
func TestDiscordDNSFailureSaysSo(t *testing.T) {
	cfg := config.Defaults()
	cfg.DiscordToken = "x"
	cfg.Discord.APIURL = "http://discord.invalid" // .invalid never resolves (RFC 2606)
	dg, err := newDiscordSession(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err = checkToken(ctx, dg)
	if err == nil || !strings.Contains(err.Error(), "cannot look up discord.invalid (DNS)") || strings.Contains(err.Error(), "rejected") {
		t.Fatalf("want a DNS failure naming the host, got %v", err)
	}
}
