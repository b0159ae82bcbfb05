package llm

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// PromptVersion names the prompt below. It is part of the cache key, so
// changing the prompt's wording means changing this too, or old answers
// to the old prompt would be served as answers to the new one.
const PromptVersion = "brief-v1"

// maxSentences is the "at most two sentences".
const maxSentences = 2

// maxTitleWords bounds a translated headline.
const maxTitleWords = 30

const systemPrompt = `You write briefs of news articles for a news channel.
Rules:
- At most two sentences and at most %d words, in English.
- Neutral news style: who did what, where and when.
- Use only facts stated in the article. Do not add any name, number, date, place or background that the article does not contain.
- Keep claims attributed as the article attributes them (for example "Iran said ..." or "according to officials ..."); never state a claim as fact.
- No opinion, no speculation, no preamble, no markdown.`

const plainReply = `
Reply with the brief only.`

const translateReply = `
The article is in %s. Write the brief in English and translate the headline into English, keeping names as the article gives them.
Reply in exactly this form:
Title: <the headline in English>
Summary: <the brief>`

// prompt is one request's messages.
type prompt struct {
	system, user string
	translate    bool
	// source is what the model was shown (headline and article text):
	// the evidence its answer is checked against.
	source []string
}

// buildPrompt writes the messages for an article whose text is already
// cleaned. language is the article's language name for a translation
// ("" for English).
func buildPrompt(title, text string, maxWords, inputTokens int, translate bool, language string) prompt {
	text = cutToTokens(text, inputTokens)
	sys := fmt.Sprintf(systemPrompt, maxWords)
	if translate {
		if language == "" {
			language = "a language other than English"
		}
		sys += fmt.Sprintf(translateReply, language)
	} else {
		sys += plainReply
	}
	var u strings.Builder
	if title != "" {
		u.WriteString("Headline: ")
		u.WriteString(title)
		u.WriteString("\n\n")
	}
	u.WriteString("Article:\n")
	u.WriteString(text)
	return prompt{system: sys, user: u.String(), translate: translate, source: []string{title, text}}
}

// approxTokens estimates how many tokens a model's tokenizer makes of s,
// without knowing the tokenizer: about four characters a token for text in
// ASCII (OpenAI's rule of thumb for English) and two for other scripts,
// which tokenizers split finer. It is for budgeting the prompt, so it errs
// high rather than low.
func approxTokens(s string) int {
	ascii, other := 0, 0
	for _, r := range s {
		if r < utf8.RuneSelf {
			ascii++
		} else {
			other++
		}
	}
	return (ascii+3)/4 + (other+1)/2
}

// cutToTokens keeps the top of text within about budget tokens: news puts
// the facts first. It cuts after the last sentence or paragraph end that
// fits, or at a word boundary when that would keep less than half.
func cutToTokens(text string, budget int) string {
	if budget <= 0 || approxTokens(text) <= budget {
		return text
	}
	// Walk forward, counting as approxTokens does, to the byte where the
	// budget runs out.
	ascii, other, end := 0, 0, len(text)
	for i, r := range text {
		if r < utf8.RuneSelf {
			ascii++
		} else {
			other++
		}
		if (ascii+3)/4+(other+1)/2 > budget {
			end = i
			break
		}
	}
	head := text[:end]
	for i := len(head) - 1; i >= len(head)/2; i-- {
		if head[i] == '\n' || (head[i] == ' ' && endsSentence(head[:i])) {
			return strings.TrimSpace(head[:i])
		}
	}
	if i := strings.LastIndexAny(head, " \n"); i > 0 {
		head = head[:i]
	}
	return strings.TrimSpace(head)
}

// endsSentence reports whether s ends with terminal punctuation, perhaps
// followed by closing quotes or brackets.
func endsSentence(s string) bool {
	s = strings.TrimRight(s, "\"'”’)]")
	return strings.HasSuffix(s, ".") || strings.HasSuffix(s, "?") || strings.HasSuffix(s, "!")
}

var (
	thinkRe    = regexp.MustCompile(`(?is)<think>.*?</think>`)
	labelRe    = regexp.MustCompile(`(?i)^\s*(?:\*\*|__)?(title|headline|summary|brief)(?:\*\*|__)?\s*:\s*(?:\*\*|__)?\s*`)
	markdownRe = regexp.MustCompile(`\*\*|__|^#+\s*`)
	spaceRe    = regexp.MustCompile(`\s+`)
)

// parseAnswer takes the model's reply apart: reasoning blocks, a preamble
// line ("Here is the brief:"), labels and markdown are removed; in a
// translation the "Title:" line gives the title. Whatever it returns is
// still checked before use.
func parseAnswer(raw string, translate bool) (summary, title string) {
	raw = thinkRe.ReplaceAllString(raw, "")
	if i := strings.Index(strings.ToLower(raw), "<think>"); i >= 0 {
		// Reasoning cut off by the token limit: there is no answer.
		raw = raw[:i]
	}
	var lines []string
	for _, line := range strings.Split(raw, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if m := labelRe.FindStringSubmatch(line); m != nil {
			rest := strings.TrimSpace(line[len(m[0]):])
			switch strings.ToLower(m[1]) {
			case "title", "headline":
				if translate && title == "" {
					title = clean(rest)
				}
				continue
			default:
				// A "Summary:" label starts the answer proper: anything
				// before it was preamble.
				lines = lines[:0]
				if rest != "" {
					lines = append(lines, rest)
				}
				continue
			}
		}
		lines = append(lines, line)
	}
	// A first line ending in a colon, with the answer after it, is a
	// preamble ("Here is a two-sentence brief:").
	if len(lines) > 1 && strings.HasSuffix(lines[0], ":") {
		lines = lines[1:]
	}
	return clean(strings.Join(lines, " ")), title
}

// clean removes markdown and wrapping quotes and collapses spaces.
func clean(s string) string {
	s = markdownRe.ReplaceAllString(s, "")
	s = strings.TrimSpace(spaceRe.ReplaceAllString(s, " "))
	for _, q := range [][2]string{{`"`, `"`}, {"“", "”"}} {
		inner, ok := strings.CutPrefix(s, q[0])
		if !ok {
			continue
		}
		if inner, ok = strings.CutSuffix(inner, q[1]); ok && !strings.Contains(inner, q[0]) && !strings.Contains(inner, q[1]) {
			return strings.TrimSpace(inner)
		}
	}
	return s
}
