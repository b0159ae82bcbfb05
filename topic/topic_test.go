package topic

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestNewRejectsBadDefinitions(t *testing.T) {
	ok := Def{Name: "venezuela", Include: []string{"talks"}}
	tests := []struct {
		name     string
		mutate   func(d *Def)
		wantText []string // each must appear in the error
	}{
		{"empty name", func(d *Def) { d.Name = "" }, []string{"name", "lowercase"}},
		{"uppercase name", func(d *Def) { d.Name = "Iran" }, []string{`name "Iran"`, "lowercase"}},
		{"name with space", func(d *Def) { d.Name = "iran talks" }, []string{"hyphens"}},
		{"no terms", func(d *Def) { d.Include = nil }, []string{"include and require are both empty"}},
		{"threshold above 1", func(d *Def) { d.Threshold = 1.5 }, []string{"threshold 1.5", "0.5"}},
		{"negative threshold", func(d *Def) { d.Threshold = -0.1 }, []string{"threshold"}},
		{"empty include term", func(d *Def) { d.Include = []string{"talks", " "} }, []string{"include[1]", "no letters"}},
		{"wildcard inside word", func(d *Def) { d.Require = []string{"ven*zuela"} }, []string{"require[0]", "only at the end"}},
		{"short prefix", func(d *Def) { d.Include = []string{"ta*"} }, []string{"include[0]", "shorter than"}},
		{"term both counted and vetoed", func(d *Def) { d.Exclude = []string{"Talks"} }, []string{"exclude[0]", "also under include"}},
		{"subtopic without terms", func(d *Def) { d.Subtopics = []SubtopicDef{{Name: "oil"}} }, []string{"subtopics[0]", "no terms"}},
		{"duplicate subtopic", func(d *Def) {
			d.Subtopics = []SubtopicDef{{Name: "oil", Terms: []string{"oil"}}, {Name: "oil", Terms: []string{"gas"}}}
		}, []string{"subtopics[1]", "used twice"}},
		{"too many terms", func(d *Def) { d.Include = make([]string, maxTerms+1) }, []string{"terms"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := ok
			d.Include = slices.Clone(ok.Include)
			tt.mutate(&d)
			_, err := New(d)
			if err == nil {
				t.Fatal("New succeeded; want an error")
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error %v does not wrap ErrInvalid", err)
			}
			for _, s := range tt.wantText {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
		})
	}
	if _, err := New(ok); err != nil {
		t.Fatalf("New(%+v) = %v; want success", ok, err)
	}
}

func TestUserTopic(t *testing.T) {
	venezuela, err := New(Def{
		Name:      "venezuela-talks",
		Include:   []string{"talks", "negotiat*", "mediation", "sanctions"},
		Require:   []string{"Venezuela", "Maduro", "Caracas"},
		Exclude:   []string{"football", "baseball"},
		Subtopics: []SubtopicDef{{Name: "oil", Terms: []string{"oil", "PDVSA"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name         string
		title, text  string
		wantRelevant bool
		wantReasons  []string
		wantSubs     []string
	}{
		{"include in headline with required name", "Venezuela and US resume talks in Doha", "", true,
			[]string{"include: talks", "require: Venezuela"}, nil},
		{"prefix term and plural", "Maduro's negotiators meet opposition", "", true,
			[]string{"include: negotiat*"}, nil},
		{"subtopic marked", "Caracas seeks sanctions relief for oil exports", "", true,
			[]string{"include: sanctions"}, []string{"oil"}},
		{"required term missing", "US and Cuba resume talks", "", false,
			[]string{"missing required: Venezuela, Maduro, Caracas"}, nil},
		{"excluded in headline", "Venezuela football team holds talks with coach", "", false,
			[]string{"excluded: football"}, nil},
		{"one description mention is not enough", "Latin America this week", "Venezuela held talks.", false,
			[]string{"include: talks"}, nil},
		{"two description mentions are", "Latin America this week", "Venezuela held talks on sanctions.", true,
			[]string{"include: talks", "include: sanctions"}, nil},
		{"required name alone scores nothing", "Venezuela floods kill 12", "", false, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := venezuela.Classify(tt.title, tt.text)
			if r.Relevant != tt.wantRelevant {
				t.Errorf("relevant = %v (score %.2f, reasons %q), want %v", r.Relevant, r.Score, r.Reasons, tt.wantRelevant)
			}
			if r.Score < 0 || r.Score > 1 {
				t.Errorf("score %v outside [0,1]", r.Score)
			}
			for _, want := range tt.wantReasons {
				if !slices.Contains(r.Reasons, want) {
					t.Errorf("reasons %q lack %q", r.Reasons, want)
				}
			}
			if tt.wantSubs != nil && !slices.Equal(r.Subtopics, tt.wantSubs) {
				t.Errorf("subtopics = %q, want %q", r.Subtopics, tt.wantSubs)
			}
			if r.Topic != "venezuela-talks" {
				t.Errorf("topic = %q", r.Topic)
			}
		})
	}
}

func TestUserTopicScoresGrowWithEvidence(t *testing.T) {
	tp, err := New(Def{Name: "climate", Include: []string{"climate", "emissions", "COP30"}})
	if err != nil {
		t.Fatal(err)
	}
	none := tp.Classify("Markets rally", "").Score
	lead := tp.Classify("World news", "Talks on emissions continue.").Score
	title := tp.Classify("Emissions rules tighten", "").Score
	two := tp.Classify("Emissions rules tighten at COP30", "").Score
	if !(none < lead && lead < title && title < two) {
		t.Errorf("scores none %.2f, lead %.2f, title %.2f, two %.2f; want strictly increasing", none, lead, title, two)
	}
	// Full text repeating a term deep down counts, but less than the headline.
	body := strings.Repeat("Nothing much happened today in the city. ", 20) + "Emissions rose. Emissions fell."
	if s := tp.Classify("City news", body).Score; s <= none || s >= title {
		t.Errorf("body-only score %.2f, want between %.2f and %.2f", s, none, title)
	}
	// An excluded word only deep in full text halves the score instead of
	// vetoing it.
	ex, err := New(Def{Name: "climate", Include: []string{"emissions"}, Exclude: []string{"football"}})
	if err != nil {
		t.Fatal(err)
	}
	full := ex.Classify("Emissions rules tighten", "")
	halved := ex.Classify("Emissions rules tighten", strings.Repeat("Officials spoke at length. ", 30)+"A football club objected.")
	if halved.Score >= full.Score || halved.Score == 0 {
		t.Errorf("body exclusion: score %.2f vs %.2f without; want lower but above zero", halved.Score, full.Score)
	}
}

func TestUserTermsMatchSpellingVariants(t *testing.T) {
	tp, err := New(Def{Name: "hezbollah", Include: []string{"Hezbollah", "Tehran envoy"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, title := range []string{"Hizbullah statement", "Hizbollah statement", "Hezbollah statement", "Teheran envoy arrives"} {
		if r := tp.Classify(title, ""); !r.Relevant {
			t.Errorf("%q: not relevant (score %.2f); want the variant spelling to match", title, r.Score)
		}
	}
}

func TestThreshold(t *testing.T) {
	strict, err := New(Def{Name: "strict", Include: []string{"talks"}, Threshold: 0.9})
	if err != nil {
		t.Fatal(err)
	}
	if r := strict.Classify("Talks resume", ""); r.Relevant || r.Score == 0 {
		t.Errorf("score %.2f relevant=%v; want a positive score below the 0.9 threshold", r.Score, r.Relevant)
	}
	if strict.Threshold() != 0.9 {
		t.Errorf("Threshold() = %v", strict.Threshold())
	}
	d := Default()
	before := d.Threshold()
	lax, err := d.WithThreshold(0.05)
	if err != nil {
		t.Fatal(err)
	}
	const title = "Iran and Oman officials in Muscat"
	if d.Classify(title, "").Score != lax.Classify(title, "").Score {
		t.Error("WithThreshold changed the score")
	}
	if _, err := d.WithThreshold(2); err == nil || !errors.Is(err, ErrInvalid) {
		t.Errorf("WithThreshold(2) = %v; want ErrInvalid", err)
	}
	if d.Threshold() != before {
		t.Error("WithThreshold changed the original topic")
	}
	if lax.Threshold() != 0.05 || !lax.thresholdGiven || d.thresholdGiven {
		t.Errorf("WithThreshold(0.05): threshold %v, given %v (original given %v)", lax.Threshold(), lax.thresholdGiven, d.thresholdGiven)
	}
}

func TestClassifier(t *testing.T) {
	c, err := NewClassifier([]Def{{Name: "venezuela", Include: []string{"Venezuela"}}})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tp := range c.Topics() {
		names = append(names, tp.Name())
	}
	if want := []string{DefaultName, "venezuela"}; !slices.Equal(names, want) {
		t.Fatalf("topics = %q, want %q", names, want)
	}
	rs := c.Classify("Venezuela and Iran sign oil cooperation agreement in Caracas", "")
	if len(rs) != 2 || rs[0].Topic != DefaultName || rs[1].Topic != "venezuela" {
		t.Fatalf("results = %+v", rs)
	}
	if !rs[1].Relevant {
		t.Errorf("venezuela topic: %+v; want relevant", rs[1])
	}
	one, err := c.ClassifyTopic("venezuela", "Venezuela and Iran sign oil cooperation agreement in Caracas", "")
	if err != nil || one.Score != rs[1].Score {
		t.Errorf("ClassifyTopic = %+v, %v; want the same as Classify", one, err)
	}
	if _, err := c.ClassifyTopic("nope", "x", ""); err == nil || !strings.Contains(err.Error(), DefaultName) {
		t.Errorf("unknown topic error = %v; want it to list the known topics", err)
	}
	if _, err := NewClassifier([]Def{{Name: DefaultName, Include: []string{"x"}}}); err == nil {
		t.Error("a user topic reusing the built-in name was accepted")
	}
	if _, err := NewClassifier([]Def{{Name: "ok", Include: []string{"x"}}, {Name: "Bad"}}); err == nil || !strings.Contains(err.Error(), "topics[1]") {
		t.Errorf("bad def error = %v; want it to name topics[1]", err)
	}
}

func TestResultSlicesAreNeverNil(t *testing.T) {
	tp, err := New(Def{Name: "x", Include: []string{"zzz"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, top := range []*Topic{Default(), tp} {
		r := top.Classify("", "")
		if r.Subtopics == nil || r.Reasons == nil {
			t.Errorf("%s: nil slices in %+v; JSON output wants []", top.Name(), r)
		}
	}
}
