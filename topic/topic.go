// Package topic decides whether a news item belongs to a topic: the
// built-in Iran and Middle East diplomacy topic, or one a user defined in
// the config with include, require and exclude terms. Every decision comes
// with a score in [0,1], the matched subtopics and the reasons, so a user can
// see why an item was posted. The package does no I/O.
package topic

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// DefaultThreshold is the score at or above which an item is relevant when a
// topic sets no threshold of its own.
const DefaultThreshold = 0.5

// ErrInvalid marks a topic definition that cannot be used; the wrapped
// message names the field and how to fix it.
var ErrInvalid = errors.New("invalid topic")

// Def is a topic as a user writes it in the config.
//
// Terms are words or phrases, matched case-insensitively, without accents or
// apostrophes, and with English plurals folded ("talk" also matches "talks").
// A word ending in "*" matches any word starting with it ("negotiat*"
// matches "negotiations"). Names with common variant spellings known to the
// built-in gazetteer (Hezbollah/Hizbullah, Tehran/Teheran) match every
// variant.
type Def struct {
	// Name identifies the topic; channels subscribe to it. Lowercase letters,
	// digits and hyphens.
	Name string
	// Description says in words what the topic is about; shown to users.
	Description string
	// Include terms are the evidence: the more of them an item mentions, and
	// the more prominently (headline over description over body), the higher
	// its score.
	Include []string
	// Require terms gate the topic: an item must mention at least one of them.
	// With no Include terms, the Require terms are also the evidence.
	Require []string
	// Exclude terms veto: an item whose headline or lead mentions one scores
	// 0; a mention only deep in full text halves the score.
	Exclude []string
	// Threshold is the score at which an item becomes relevant, in (0,1].
	// Zero means DefaultThreshold.
	Threshold float64
	// Subtopics label relevant items more finely; optional.
	Subtopics []SubtopicDef
}

// SubtopicDef names a subtopic and the terms that mark it.
type SubtopicDef struct {
	Name  string
	Terms []string
}

// Result is one topic's verdict on one item.
type Result struct {
	Topic     string   `json:"topic"`
	Score     float64  `json:"score"`
	Relevant  bool     `json:"relevant"`
	Subtopics []string `json:"subtopics"`
	// Reasons are short phrases such as "region: Iran", "diplomacy: talks" or
	// "excluded: football", most decisive first.
	Reasons []string `json:"reasons"`
}

// scorer is how a topic turns a document into a score. The built-in topic
// uses a gazetteer model; user topics use their terms.
type scorer interface {
	score(d *doc) (score float64, subtopics, reasons []string)
}

// Topic is a compiled, ready-to-use topic. It is safe for concurrent use.
type Topic struct {
	name        string
	description string
	threshold   float64
	// thresholdGiven is set when the threshold was given (WithThreshold)
	// rather than fitted, so evaluation uses it as it is.
	thresholdGiven bool
	subtopics      []string
	scorer         scorer
}

// Name returns the topic's name.
func (t *Topic) Name() string { return t.name }

// Description returns the topic's description.
func (t *Topic) Description() string { return t.description }

// Threshold returns the score at which an item becomes relevant.
func (t *Topic) Threshold() float64 { return t.threshold }

// Subtopics returns the names of the topic's subtopics.
func (t *Topic) Subtopics() []string { return append([]string(nil), t.subtopics...) }

// WithThreshold returns a copy of t that calls items relevant at threshold,
// for example the built-in topic with a threshold from the config.
func (t *Topic) WithThreshold(threshold float64) (*Topic, error) {
	if err := checkThreshold(t.name, threshold); err != nil {
		return nil, err
	}
	c := *t
	if threshold != 0 {
		c.threshold = threshold
		c.thresholdGiven = true
	}
	return &c, nil
}

// Classify scores one item against t.
func (t *Topic) Classify(title, text string) Result {
	return t.classify(newDoc(title, text))
}

func (t *Topic) classify(d *doc) Result {
	s, subs, reasons := t.scorer.score(d)
	s = clamp01(s)
	r := Result{Topic: t.name, Score: s, Relevant: s >= t.threshold, Reasons: reasons}
	if r.Relevant {
		r.Subtopics = subs
	}
	if r.Subtopics == nil {
		r.Subtopics = []string{}
	}
	if r.Reasons == nil {
		r.Reasons = []string{}
	}
	return r
}

func clamp01(x float64) float64 {
	switch {
	case x > 1:
		return 1
	case x >= 0:
		return x
	default:
		return 0 // also NaN
	}
}

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// maxTerms bounds a definition so a config typo cannot make scoring slow.
const maxTerms = 500

// New validates def and compiles it into a Topic. Errors wrap ErrInvalid and
// name the field and the fix.
func New(def Def) (*Topic, error) {
	name := def.Name
	if !nameRE.MatchString(name) {
		return nil, fmt.Errorf("%w: name %q: use 1-63 lowercase letters, digits and hyphens, starting with a letter or digit (for example \"iran-nuclear\")", ErrInvalid, name)
	}
	if err := checkThreshold(name, def.Threshold); err != nil {
		return nil, err
	}
	if len(def.Include)+len(def.Require) == 0 {
		return nil, fmt.Errorf("%w: topic %q: include and require are both empty; list at least one term under include", ErrInvalid, name)
	}
	if n := len(def.Include) + len(def.Require) + len(def.Exclude); n > maxTerms {
		return nil, fmt.Errorf("%w: topic %q has %d terms; keep include, require and exclude under %d terms together", ErrInvalid, name, n, maxTerms)
	}
	ts := &termScorer{m: newMatcher()}
	seen := map[string]string{}
	lists := []struct {
		field string
		terms []string
		kind  termKind
	}{{"include", def.Include, kindInclude}, {"require", def.Require, kindRequire}, {"exclude", def.Exclude, kindExclude}}
	for _, l := range lists {
		for i, term := range l.terms {
			pats, err := compileTerm(term)
			if err != nil {
				return nil, fmt.Errorf("%w: topic %q: %s[%d]: %v", ErrInvalid, name, l.field, i, err)
			}
			key := patternKey(pats)
			if prev, dup := seen[key]; dup && (prev == "exclude") != (l.field == "exclude") {
				return nil, fmt.Errorf("%w: topic %q: %s[%d] %q is also under %s; a term cannot both count for and veto a topic, remove one", ErrInvalid, name, l.field, i, term, prev)
			}
			seen[key] = l.field
			ts.addTerm(l.kind, strings.TrimSpace(term), pats)
		}
	}
	t := &Topic{name: name, description: def.Description, threshold: def.Threshold, scorer: ts}
	if t.threshold == 0 {
		t.threshold = DefaultThreshold
	}
	subNames := map[string]bool{}
	for i, sd := range def.Subtopics {
		if !nameRE.MatchString(sd.Name) {
			return nil, fmt.Errorf("%w: topic %q: subtopics[%d].name %q: use lowercase letters, digits and hyphens", ErrInvalid, name, i, sd.Name)
		}
		if subNames[sd.Name] {
			return nil, fmt.Errorf("%w: topic %q: subtopics[%d].name %q is used twice; give each subtopic its own name", ErrInvalid, name, i, sd.Name)
		}
		subNames[sd.Name] = true
		if len(sd.Terms) == 0 {
			return nil, fmt.Errorf("%w: topic %q: subtopics[%d] (%s) has no terms; list the words that mark it", ErrInvalid, name, i, sd.Name)
		}
		for j, term := range sd.Terms {
			pats, err := compileTerm(term)
			if err != nil {
				return nil, fmt.Errorf("%w: topic %q: subtopics[%d].terms[%d]: %v", ErrInvalid, name, i, j, err)
			}
			ts.addSubtopicTerm(len(t.subtopics), pats)
		}
		t.subtopics = append(t.subtopics, sd.Name)
		ts.subNames = append(ts.subNames, sd.Name)
	}
	return t, nil
}

func checkThreshold(name string, th float64) error {
	if th < 0 || th > 1 || th != th {
		return fmt.Errorf("%w: topic %q: threshold %v is outside (0,1]; use a score such as 0.5 (higher posts less), or leave it out for the default %.2f", ErrInvalid, name, th, DefaultThreshold)
	}
	return nil
}

func patternKey(pats []pattern) string {
	var b strings.Builder
	for _, p := range pats {
		b.WriteString(p.s)
		if p.prefix {
			b.WriteByte('*')
		}
		b.WriteByte(' ')
	}
	return b.String()
}

// Classifier scores items against a set of topics, normalising each item
// once. It is safe for concurrent use.
type Classifier struct {
	topics []*Topic
	byName map[string]*Topic
}

// NewClassifier returns a classifier over the built-in topics followed by
// the user-defined ones in defs. A user topic may not reuse a built-in name.
func NewClassifier(defs []Def) (*Classifier, error) {
	ts := Builtins()
	for i, d := range defs {
		t, err := New(d)
		if err != nil {
			return nil, fmt.Errorf("topics[%d]: %w", i, err)
		}
		ts = append(ts, t)
	}
	return NewClassifierOf(ts...)
}

// NewClassifierOf returns a classifier over exactly the given topics, in
// order. Names must be unique.
func NewClassifierOf(topics ...*Topic) (*Classifier, error) {
	c := &Classifier{byName: make(map[string]*Topic, len(topics))}
	for _, t := range topics {
		if t == nil {
			return nil, fmt.Errorf("%w: nil topic", ErrInvalid)
		}
		if _, dup := c.byName[t.name]; dup {
			return nil, fmt.Errorf("%w: topic name %q is used twice (built-in names: %s); rename one", ErrInvalid, t.name, strings.Join(builtinNames(), ", "))
		}
		c.byName[t.name] = t
		c.topics = append(c.topics, t)
	}
	return c, nil
}

// Topics returns the classifier's topics in order.
func (c *Classifier) Topics() []*Topic { return append([]*Topic(nil), c.topics...) }

// Topic returns the topic called name.
func (c *Classifier) Topic(name string) (*Topic, bool) {
	t, ok := c.byName[name]
	return t, ok
}

// Classify scores an item (headline and description or full text) against
// every topic, in the classifier's order.
func (c *Classifier) Classify(title, text string) []Result {
	d := newDoc(title, text)
	out := make([]Result, len(c.topics))
	for i, t := range c.topics {
		out[i] = t.classify(d)
	}
	return out
}

// ClassifyTopic scores an item against the topic called name.
func (c *Classifier) ClassifyTopic(name, title, text string) (Result, error) {
	t, ok := c.byName[name]
	if !ok {
		names := make([]string, len(c.topics))
		for i, t := range c.topics {
			names[i] = t.name
		}
		return Result{}, fmt.Errorf("unknown topic %q; known topics: %s", name, strings.Join(names, ", "))
	}
	return t.Classify(title, text), nil
}
