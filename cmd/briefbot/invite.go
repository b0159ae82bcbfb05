package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot/config"
)

// invitePermissions is what the bot asks for when invited: see channels,
// post and embed (story cards), post in threads, and read message history,
// which Discord requires to reply (a story's later development replies to
// its first message). Nothing more: it never mentions @everyone and
// manages nothing.
const invitePermissions = discordgo.PermissionViewChannel | discordgo.PermissionSendMessages |
	discordgo.PermissionEmbedLinks | discordgo.PermissionSendMessagesInThreads | discordgo.PermissionReadMessageHistory

// inviteURL is the OAuth2 link that adds the application's bot to a
// server with its slash commands.
func inviteURL(clientID string) string {
	q := url.Values{}
	q.Set("client_id", clientID)
	q.Set("scope", "bot applications.commands")
	q.Set("permissions", strconv.FormatInt(invitePermissions, 10))
	return "https://discord.com/oauth2/authorize?" + q.Encode()
}

func init() {
	var cfgPath string
	register(&command{
		name:    "invite",
		summary: "print the link that adds the bot to a Discord server, without running it",
		flags:   func(fs *flag.FlagSet) { configFlag(fs, &cfgPath) },
		run: func(ctx context.Context, e *env, args []string) error {
			if len(args) > 0 {
				return usageErrorf("unexpected arguments %q", args)
			}
			cfg, _, err := loadConfig(e, cfgPath)
			if err != nil {
				return err
			}
			id := cfg.Discord.ApplicationID
			if id == "" && cfg.DiscordToken != "" {
				// Ask Discord which application the token belongs to.
				dg, err := newDiscordSession(cfg)
				if err != nil {
					return err
				}
				if e.configureDiscord != nil {
					e.configureDiscord(dg)
				}
				app, err := dg.Application("@me")
				if err != nil {
					return discordFailure("asking Discord for the application", err)
				}
				id = app.ID
			}
			if id == "" {
				return errors.New("no application ID: set discord.application_id (or BRIEFBOT_DISCORD_APPLICATION_ID) to the " +
					"Application ID from the Developer Portal → General Information, or set DISCORD_TOKEN to look it up")
			}
			fmt.Fprintln(e.stdout, inviteURL(id))
			return nil
		},
	})
}

// errTokenRejected ends the run: retrying a token Discord refuses only
// repeats the refusal, so the operator is told and the process exits.
var errTokenRejected = errors.New("DISCORD_TOKEN was rejected by Discord (401 Unauthorized): copy it again from the Developer Portal → Bot → Reset Token, and check it is the bot token, not the client secret")

// exitTokenRejected is the exit status for a rejected token: EX_CONFIG
// from sysexits.h, so supervisors and scripts can tell it from a crash.
const exitTokenRejected = 78

// discordFailure words a failure to reach Discord by its cause: a
// rejected token (errTokenRejected), a DNS failure, an unreachable
// network, or another error.
func discordFailure(what string, err error) error {
	var rest *discordgo.RESTError
	if errors.As(err, &rest) && rest.Response != nil && rest.Response.StatusCode == http.StatusUnauthorized {
		return fmt.Errorf("%s: %w", what, errTokenRejected)
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return fmt.Errorf("%s: cannot look up %s (DNS): check this host's network and DNS settings, or HTTPS_PROXY (%w)", what, dnsErr.Name, err)
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		return fmt.Errorf("%s: cannot reach Discord over the network: check this host's connection, firewall or HTTPS_PROXY (%w)", what, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// checkToken asks Discord who the token belongs to before opening the
// gateway, so that a rejected token and an unreachable Discord are told
// apart (the gateway reports both as a failed connection).
func checkToken(ctx context.Context, dg *discordgo.Session) error {
	if _, err := dg.User("@me", discordgo.WithContext(ctx)); err != nil {
		return discordFailure("checking DISCORD_TOKEN with Discord", err)
	}
	return nil
}

// logConnected says who the bot is, where, and how to add it elsewhere.
func logConnected(log *slog.Logger, cfg *config.Config, s *discordgo.Session) {
	s.State.RLock()
	name, guilds, appID := "", len(s.State.Guilds), cfg.Discord.ApplicationID
	if s.State.User != nil {
		name = s.State.User.Username
	}
	if s.State.Application != nil && s.State.Application.ID != "" {
		if appID != "" && appID != s.State.Application.ID {
			log.Warn("discord.application_id differs from the token's application: slash commands are registered under the configured one",
				slog.String("configured", appID), slog.String("token_application", s.State.Application.ID))
		}
		appID = s.State.Application.ID
	}
	s.State.RUnlock()
	servers := "servers"
	if guilds == 1 {
		servers = "server"
	}
	log.Info(fmt.Sprintf("connected as %s in %d %s", name, guilds, servers), slog.Int("shard_id", s.ShardID), slog.Int("shard_count", s.ShardCount))
	log.Info("to add the bot to a server, open this link (or run `briefbot invite`)", slog.String("invite_url", inviteURL(appID)))
}
