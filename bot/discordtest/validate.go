package discordtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
)

// apiError is a Discord JSON error response.
type apiError struct {
	status  int
	code    int
	message string
	errors  map[string]any // Discord's nested "errors" object for 50035
}

func (e *apiError) write(w http.ResponseWriter) {
	body := map[string]any{"message": e.message, "code": e.code}
	if len(e.errors) > 0 {
		body["errors"] = e.errors
	}
	writeJSON(w, e.status, body)
}

var (
	errNotFound           = &apiError{status: http.StatusNotFound, message: "404: Not Found"}
	errUnauthorized       = &apiError{status: http.StatusUnauthorized, message: "401: Unauthorized"}
	errUnknownChannel     = &apiError{status: http.StatusNotFound, code: 10003, message: "Unknown Channel"}
	errUnknownMessage     = &apiError{status: http.StatusNotFound, code: 10008, message: "Unknown Message"}
	errUnknownWebhook     = &apiError{status: http.StatusNotFound, code: 10015, message: "Unknown Webhook"}
	errUnknownInteraction = &apiError{status: http.StatusNotFound, code: 10062, message: "Unknown interaction"}
	errUnknownCommand     = &apiError{status: http.StatusNotFound, code: 10063, message: "Unknown application command"}
	errMissingAccess      = &apiError{status: http.StatusForbidden, code: 50001, message: "Missing Access"}
	errEmptyMessage       = &apiError{status: http.StatusBadRequest, code: 50006, message: "Cannot send an empty message"}
	errAlreadyAcked       = &apiError{status: http.StatusBadRequest, code: 40060, message: "Interaction has already been acknowledged."}
	errInvalidJSON        = &apiError{status: http.StatusBadRequest, code: 50109, message: "The request body contains invalid JSON."}
)

// formErrors collects Discord's "Invalid Form Body" (50035) errors by path,
// such as embeds.0.title.
type formErrors struct{ root map[string]any }

func (f *formErrors) add(path, code, msg string) {
	if f.root == nil {
		f.root = map[string]any{}
	}
	node := f.root
	for _, p := range strings.Split(path, ".") {
		next, ok := node[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			node[p] = next
		}
		node = next
	}
	errs, _ := node["_errors"].([]any)
	node["_errors"] = append(errs, map[string]string{"code": code, "message": msg})
}

func (f *formErrors) maxLen(path, s string, limit int) {
	if n := utf8.RuneCountInString(s); n > limit {
		f.add(path, "BASE_TYPE_MAX_LENGTH", fmt.Sprintf("Must be %d or fewer in length.", limit))
	}
}

func (f *formErrors) err() *apiError {
	if f.root == nil {
		return nil
	}
	return &apiError{status: http.StatusBadRequest, code: 50035, message: "Invalid Form Body", errors: f.root}
}

// messagePayload is the body of message create/edit, interaction response
// data, and webhook execute/edit. Pointers tell "absent" from "empty".
type messagePayload struct {
	Content         *string                    `json:"content"`
	Embeds          *[]*discordgo.MessageEmbed `json:"embeds"`
	Components      json.RawMessage            `json:"components"`
	AllowedMentions json.RawMessage            `json:"allowed_mentions"`
	Flags           *discordgo.MessageFlags    `json:"flags"`
	Nonce           json.RawMessage            `json:"nonce"`
	EnforceNonce    bool                       `json:"enforce_nonce"`
	StickerIDs      []string                   `json:"sticker_ids"`
	Poll            json.RawMessage            `json:"poll"`
	Attachments     json.RawMessage            `json:"attachments"`
	// Autocomplete and modal responses.
	Choices  []*discordgo.ApplicationCommandOptionChoice `json:"choices"`
	CustomID string                                      `json:"custom_id"`
	Title    string                                      `json:"title"`
}

func present(raw json.RawMessage) bool {
	return len(raw) > 0 && string(raw) != "null"
}

func nonEmptyArray(raw json.RawMessage) bool {
	var a []json.RawMessage
	return present(raw) && json.Unmarshal(raw, &a) == nil && len(a) > 0
}

// nonce returns the nonce as a string; Discord accepts strings and integers.
func (p *messagePayload) nonce(f *formErrors) string {
	if !present(p.Nonce) {
		return ""
	}
	var s string
	if err := json.Unmarshal(p.Nonce, &s); err == nil {
		f.maxLen("nonce", s, 25)
		return s
	}
	var n json.Number
	if err := json.Unmarshal(p.Nonce, &n); err == nil {
		if _, err := strconv.ParseInt(n.String(), 10, 64); err == nil {
			return n.String()
		}
	}
	f.add("nonce", "BASE_TYPE_BAD_TYPE", "Must be a string or an integer.")
	return ""
}

// validateMessage checks what Discord checks on the final message content.
func validateMessage(f *formErrors, content string, embeds []*discordgo.MessageEmbed, allowedMentions json.RawMessage) {
	f.maxLen("content", content, 2000)
	if len(embeds) > 10 {
		f.add("embeds", "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
	}
	total := 0
	for i, e := range embeds {
		if e == nil {
			continue
		}
		p := "embeds." + strconv.Itoa(i)
		f.maxLen(p+".title", e.Title, 256)
		f.maxLen(p+".description", e.Description, 4096)
		checkURL(f, p+".url", e.URL)
		total += utf8.RuneCountInString(e.Title) + utf8.RuneCountInString(e.Description)
		if len(e.Fields) > 25 {
			f.add(p+".fields", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
		}
		for j, fl := range e.Fields {
			if fl == nil {
				continue
			}
			fp := p + ".fields." + strconv.Itoa(j)
			if fl.Name == "" {
				f.add(fp+".name", "BASE_TYPE_REQUIRED", "This field is required")
			}
			if fl.Value == "" {
				f.add(fp+".value", "BASE_TYPE_REQUIRED", "This field is required")
			}
			f.maxLen(fp+".name", fl.Name, 256)
			f.maxLen(fp+".value", fl.Value, 1024)
			total += utf8.RuneCountInString(fl.Name) + utf8.RuneCountInString(fl.Value)
		}
		if e.Footer != nil {
			f.maxLen(p+".footer.text", e.Footer.Text, 2048)
			checkURL(f, p+".footer.icon_url", e.Footer.IconURL)
			total += utf8.RuneCountInString(e.Footer.Text)
		}
		if e.Author != nil {
			f.maxLen(p+".author.name", e.Author.Name, 256)
			checkURL(f, p+".author.url", e.Author.URL)
			checkURL(f, p+".author.icon_url", e.Author.IconURL)
			total += utf8.RuneCountInString(e.Author.Name)
		}
		if e.Image != nil {
			checkURL(f, p+".image.url", e.Image.URL)
		}
		if e.Thumbnail != nil {
			checkURL(f, p+".thumbnail.url", e.Thumbnail.URL)
		}
	}
	if total > 6000 {
		f.add("embeds", "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000")
	}
	if present(allowedMentions) {
		var am struct {
			Parse []string `json:"parse"`
			Users []string `json:"users"`
			Roles []string `json:"roles"`
		}
		if err := json.Unmarshal(allowedMentions, &am); err != nil {
			f.add("allowed_mentions", "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType")
			return
		}
		for i, p := range am.Parse {
			if p != "users" && p != "roles" && p != "everyone" {
				f.add("allowed_mentions.parse."+strconv.Itoa(i), "ENUM_TYPE_COERCE", fmt.Sprintf("Value %q is not a valid enum value.", p))
			}
		}
		if slices.Contains(am.Parse, "users") && len(am.Users) > 0 {
			f.add("allowed_mentions", "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE", `parse:["users"] and users: [ids...] are mutually exclusive.`)
		}
		if slices.Contains(am.Parse, "roles") && len(am.Roles) > 0 {
			f.add("allowed_mentions", "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE", `parse:["roles"] and roles: [ids...] are mutually exclusive.`)
		}
	}
}

// checkURL rejects what Discord calls "Not a well formed URL": embeds only
// take http(s) (and attachment://) URLs.
func checkURL(f *formErrors, path, raw string) {
	if raw == "" {
		return
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil,
		u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "attachment",
		u.Scheme != "attachment" && u.Host == "":
		f.add(path, "URL_TYPE_INVALID_URL", "Not a well formed URL.")
	}
	f.maxLen(path, raw, 2048)
}

var commandNameRe = regexp.MustCompile(`^[-_\p{L}\p{N}\p{Devanagari}\p{Thai}]{1,32}$`)

// validateCommands applies Discord's rules for application commands. single
// reports a one-command body, whose errors Discord reports at the top level.
func validateCommands(f *formErrors, cmds []*discordgo.ApplicationCommand, single bool) {
	seen := map[string]bool{}
	chat := 0
	for i, c := range cmds {
		p := strconv.Itoa(i)
		if single {
			p = ""
		}
		if c == nil {
			f.add(join(p, "_"), "BASE_TYPE_REQUIRED", "This field is required")
			continue
		}
		typ := c.Type
		if typ == 0 {
			typ = discordgo.ChatApplicationCommand
		}
		key := fmt.Sprintf("%d/%s", typ, c.Name)
		if seen[key] {
			f.add(join(p, "name"), "APPLICATION_COMMANDS_DUPLICATE_NAME", "Application command names must be unique")
		}
		seen[key] = true
		if typ == discordgo.ChatApplicationCommand {
			chat++
			checkName(f, join(p, "name"), c.Name)
			checkDescription(f, join(p, "description"), c.Description)
		} else if c.Name == "" || utf8.RuneCountInString(c.Name) > 32 {
			f.add(join(p, "name"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 32 in length.")
		}
		validateOptions(f, join(p, "options"), c.Options, 0)
	}
	if chat > 100 {
		f.add("_", "APPLICATION_COMMANDS_TOO_MANY", "Maximum number of application commands reached (100)")
	}
}

func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

func validateOptions(f *formErrors, p string, opts []*discordgo.ApplicationCommandOption, depth int) {
	if len(opts) > 25 {
		f.add(p, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
	}
	optional := false
	names := map[string]bool{}
	for i, o := range opts {
		op := p + "." + strconv.Itoa(i)
		if o == nil {
			f.add(op, "BASE_TYPE_REQUIRED", "This field is required")
			continue
		}
		checkName(f, op+".name", o.Name)
		checkDescription(f, op+".description", o.Description)
		if names[o.Name] {
			f.add(op+".name", "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS", "Command option names must be unique")
		}
		names[o.Name] = true
		if o.Required && optional {
			f.add(op+".required", "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID", "Required options must be placed before non-required options")
		}
		if !o.Required {
			optional = true
		}
		if len(o.Choices) > 25 {
			f.add(op+".choices", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
		}
		if len(o.Choices) > 0 && o.Autocomplete {
			f.add(op+".autocomplete", "APPLICATION_COMMAND_OPTIONS_AUTOCOMPLETE_CHOICES", "Autocomplete cannot be set on options with choices")
		}
		for j, ch := range o.Choices {
			if ch == nil || ch.Name == "" || utf8.RuneCountInString(ch.Name) > 100 {
				f.add(op+".choices."+strconv.Itoa(j)+".name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
			}
		}
		switch o.Type {
		case discordgo.ApplicationCommandOptionSubCommand, discordgo.ApplicationCommandOptionSubCommandGroup:
			if depth >= 2 {
				f.add(op, "APPLICATION_COMMAND_OPTIONS_TOO_DEEP", "Sub-command nesting is too deep")
			}
			validateOptions(f, op+".options", o.Options, depth+1)
		case 0:
			f.add(op+".type", "BASE_TYPE_REQUIRED", "This field is required")
		}
	}
}

func checkName(f *formErrors, path, name string) {
	if !commandNameRe.MatchString(name) {
		f.add(path, "APPLICATION_COMMAND_INVALID_NAME", fmt.Sprintf("Command name is invalid: %q", name))
		return
	}
	for _, r := range name {
		if unicode.ToLower(r) != r {
			f.add(path, "APPLICATION_COMMAND_INVALID_NAME", "Command name must be lower case")
			return
		}
	}
}

func checkDescription(f *formErrors, path, d string) {
	if n := utf8.RuneCountInString(d); n < 1 || n > 100 {
		f.add(path, "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
	}
}
