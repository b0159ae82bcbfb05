// Package bot is briefbot's Discord side, and the only package that knows
// Discord: slash commands and their handlers, rendering stories into embeds,
// the poster that drains the delivery outbox, and digests. It is built on
// github.com/bwmarrin/discordgo.
//
// Messages are rendered by [StoryMessage], [StoryEmbed] and [DigestMessages]
// from a [Briefing]. Rendering never fails: every text is trimmed at a word
// boundary to fit Discord's limits (title 256, description 4096, field 1024,
// 25 fields, footer 2048, 6000 characters per message, 10 embeds, content
// 2000). Feed text is untrusted, so markdown is escaped, mentions are
// neutralised, only http(s) links are kept, and every message carries
// allowed_mentions that parse nothing ([NoMentions]). [CheckLimits] verifies
// a message against all of that.
//
// [Bot] answers the slash commands (/latest, /topic, /subscribe,
// /unsubscribe, /subscriptions, /sources, /why) over the gateway ([Bot.Open])
// or a signed HTTP interactions endpoint ([Bot.InteractionsHandler]); slow
// lookups are deferred so Discord's 3-second deadline is never missed. The
// outbox worker and digest scheduler live in bot/poster.
//
// Tests run against bot/discordtest, a fake Discord that the real discordgo
// Session connects to.
package bot
