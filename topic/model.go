package topic

import (
	"math"
	"sort"
	"strings"
)

// The built-in topic's verdict is a logistic regression over interpretable
// features of who acts, what they do and where (LABELS.md v2: "on" needs a
// state actor or an international body acting or speaking about the
// region). The features are read off the gazetteer hits; the weights are
// fitted to the labelled development data by `briefbot eval topics --fit`
// and committed in weights.go. Evaluation refits them without the news day
// being scored (see CrossValidate), so the reported figures are honest.

// actClass groups the diplomacy and statement entries of the gazetteer into
// the acts the model tells apart. Every diploSpecs and statementSpecs label
// must appear here (TestActClassesCoverGazetteer).
var actClass = map[string]string{
	// talks and the settings where they happen
	"talks": "talks", "negotiations": "talks", "mediation": "talks", "diplomacy": "talks",
	"envoy": "talks", "ambassador": "talks", "foreign minister": "talks", "summit": "talks",
	"meeting": "talks", "discussion": "talks", "counterpart": "talks", "conference": "talks",
	"broker": "talks", "engagement": "talks", "proposal": "talks",
	// deals: ceasefires, agreements, releases and their terms
	"ceasefire": "deal", "humanitarian pause": "deal", "agreement": "deal", "deal": "deal",
	"accord": "deal", "peace process": "deal", "peace": "deal", "normalisation": "deal",
	"recognition": "deal", "prisoner exchange": "deal", "release": "deal",
	"withdrawal": "deal", "signing": "deal", "joint statement": "deal", "violations": "deal",
	"deadline": "deal", "plan": "deal", "repatriation": "deal", "pledge": "deal",
	// visits
	"visit": "visit", "tour": "visit", "invitation": "visit",
	// calls and messages between leaders
	"phone call": "call", "call": "call", "messages": "call",
	// sanctions and other coercive diplomatic steps
	"sanctions": "sanction", "severing ties": "sanction", "summons": "sanction", "arms sales": "sanction", "weapons programmes": "sanction",
	// the UN system and the nuclear file
	"UN Security Council": "un", "resolution": "un", "IAEA": "un", "nuclear talks": "un", "peacekeepers": "un",
	// relations between states
	"bilateral ties": "ties", "row": "ties", "pressure": "ties",
	// Allies, alliances and partners say who sides with whom, mostly in war
	// ("Israel and allies foiled the attack"): about a quarter of the
	// development items naming them are on. No act.
	"ally": "",
	// "government" names an actor as often in domestic news as in
	// diplomacy; it is no act.
	"government": "",
	// Embassies and consulates are places where things happen (see
	// diploSpecs), no act.
	"diplomatic premises": "",
	// official statements, condemnations and appeals
	"condemnation": "statement", "rebuke": "statement", "appeal": "statement", "regret": "statement",
	"welcome": "statement", "statement": "statement", "restraint": "statement", "solidarity": "statement",
	// threats and warnings
	"warning": "threat",
}

// actNames are the act classes in feature order.
var actNames = []string{"talks", "deal", "visit", "call", "sanction", "un", "ties", "statement", "threat", "legal", "speech"}

// negNames are the negSpecs classes in feature order.
var negNames = []string{"violence", "humanitarian", "reaction", "protest", "crime", "domestic", "business", "occupation", "sport", "culture", "media", "disaster", "religion", "commentary"}

// bodyGroups are the foreign parties that are international bodies rather
// than states.
var bodyGroups = map[string]bool{"UN": true, "EU": true, "ICC": true, "IAEA": true, "IFI": true}

// featNames names the model's inputs; feature i is featNames[i]. Per-zone
// features come in pairs: "T:" is the headline, "D:" the description (or
// lead of full text; body mentions count a third).
var featNames, featIndex = buildFeatNames()

func buildFeatNames() ([]string, map[string]int) {
	var names []string
	for _, z := range []string{"T:", "D:"} {
		names = append(names, z+"region", z+"region2", z+"foreign", z+"body", z+"official", z+"nonstate", z+"armed", z+"elsewhere")
		for _, a := range actNames {
			names = append(names, z+"act:"+a)
		}
		for _, n := range negNames {
			names = append(names, z+"not:"+n)
		}
	}
	names = append(names,
		"X:region×act(T)",       // the region is involved and the headline names a diplomatic act
		"X:region×act(D)",       // ... and only the description names one (the region may be in the headline alone)
		"X:state×speech(T)",     // a state, official or body speaks or threatens in the headline
		"X:state×speech(D)",     // ... in the description
		"X:armed×speech(T)",     // an armed group speaks or threatens in the headline (not a state act)
		"X:clean-act(T)",        // a diplomatic act in a headline with no non-diplomacy and no non-state actor
		"X:sides(T)",            // two or more states or bodies in the headline
		"X:not-only(T)",         // the headline speaks of non-diplomacy only, and no state speaks
		"X:nonstate×act",        // a non-state actor does the diplomatic act
		"X:elsewhere-no-region", // a theatre outside the region with no regional party in the headline
		"X:deal×violence(T)",    // a deal and the fighting in one headline: a ceasefire breaking or holding
		"X:official×act(T)",     // an official role and a diplomatic act in the headline
		"X:domestic×act(T)",     // domestic politics in a headline with a diplomatic act: politics around a deal
		"X:world(T)",            // the world's governments as one actor in the headline ("World reacts to ...")
		"X:question(T)",         // the headline asks a question: an explainer or analysis
		"X:question×act(T)",     // ... about a diplomatic act (will the ceasefire hold?)
		"X:speaker→other(T)",    // the headline's subject is a state, official or body, it speaks, and another state is named: a statement aimed at another state
		"X:speaker×violence(T)", // ... about a strike or an attack: a state's reaction to military action
	)
	idx := make(map[string]int, len(names))
	for i, n := range names {
		idx[n] = i
	}
	return names, idx
}

// bodyShare is how much a mention deep in full text counts against one in
// the description: passing mentions in a long article should not decide it.
const bodyShare = 1.0 / 3

// analysis is what the model reads off one document: its feature vector
// and the names behind it, for the reasons.
type analysis struct {
	x         []float64
	hasRegion bool // a Middle East party is named somewhere
	// vagueTitle is set when the headline names no party, act or subject
	// the gazetteer knows ("What we know so far").
	vagueTitle bool
	actor      string
	acts       []string
	about      []string
	// why holds every hit's reason text with the feature it fed, so the
	// reasons can be ordered by what each contributed to the verdict.
	why     []featReason
	d       *doc // the analysed document, to render the reasons from
	parties map[string]float64
	cues    map[string]bool
}

// featReason is a reason not yet rendered: most are never shown, so the
// words behind them are looked up only for the few that are.
type featReason struct {
	prefix, label, suffix string
	h                     hit
	name                  bool // render the found words as a name
	feat                  int  // the feature it fed, or -1
}

func (r featReason) text(d *doc) string {
	if r.h.n == 0 {
		return r.prefix + r.label + r.suffix
	}
	return r.prefix + withSurface(r.label, d, r.h, r.name) + r.suffix
}

func (g *gazModel) analyze(d *doc) *analysis {
	hits := g.hits(d)
	a := &analysis{x: make([]float64, len(featNames)), parties: map[string]float64{}, cues: map[string]bool{}, d: d}
	set := func(name string, z zone) int {
		i, ok := featIndex[name]
		if !ok {
			panic("topic: no feature " + name)
		}
		v := 1.0
		if z == zoneBody {
			v = bodyShare
		}
		if v > a.x[i] {
			a.x[i] = v
		}
		return i
	}
	pre := func(z zone) string {
		if z == zoneTitle {
			return "T:"
		}
		return "D:"
	}
	regionT, regionD := map[string]bool{}, map[string]bool{}
	sidesT := map[string]bool{}
	var actorPos = -1
	var actorKind string
	var actor featReason // the actor's term, rendered once at the end
	actsT, actsD := map[string]bool{}, map[string]bool{}
	addWhy := func(prefix string, t gterm, h hit, name bool, suffix string, feat int) {
		a.why = append(a.why, featReason{prefix: prefix, label: t.label, suffix: suffix, h: h, name: name, feat: feat})
	}
	// attributed reports a speaker named on the short side of a headline
	// colon ("Iran: ..." or "...: Iran's foreign minister").
	attributed := func(h hit) bool {
		c := d.titleColon
		if h.zone != zoneTitle || c <= 0 {
			return false
		}
		n := d.zoneLen[zoneTitle]
		switch {
		case h.pos < c:
			return c <= 4
		default:
			return n-c <= 5
		}
	}
	attrib := false
	noteActor := func(h hit, kind string, t gterm, name bool) {
		if attributed(h) {
			attrib = true
		}
		if h.zone == zoneTitle && (actorPos < 0 || h.pos < actorPos) {
			actorPos, actorKind, actor = h.pos, kind, featReason{label: t.label, h: h, name: name}
		}
	}
	titleKnown := false
	// armedAt marks where an armed group is named, so the party named there
	// is not taken for a government.
	armedAt := map[int]bool{}
	for _, h := range hits {
		if g.terms[h.ref].cat == catArmed {
			armedAt[h.pos] = true
		}
	}
	titleGroups := map[string]bool{} // foreign parties named in the headline
	govT := false                    // a state (not an armed group) is named in the headline
	var partyOrder []string          // regional parties in order of first mention
	// A term repeated deep in a full text adds nothing after its first
	// mention there (features are presence, not counts), so it is skipped
	// before its reason is rendered.
	bodySeen := map[int]bool{}
	for _, h := range hits {
		if h.zone == zoneBody {
			if bodySeen[h.ref] {
				continue
			}
			bodySeen[h.ref] = true
		}
		t := g.terms[h.ref]
		p := pre(h.zone)
		if h.zone == zoneTitle && t.cat != catCue && t.cat != catSpeech && (t.cat != catNeg || t.group != "commentary") {
			titleKnown = true
		}
		switch t.cat {
		case catRegion:
			if h.zone == zoneTitle && !armedAt[h.pos] {
				govT = true
			}
			if h.zone == zoneTitle {
				regionT[t.group] = true
				sidesT[t.group] = true
			} else {
				regionD[t.group] = true
			}
			if _, seen := a.parties[t.group]; !seen {
				partyOrder = append(partyOrder, t.group)
				a.parties[t.group] = 0
			}
			if h.zone != zoneBody || a.parties[t.group] == 0 {
				a.parties[t.group] = math.Max(a.parties[t.group], t.weight*posZone[h.zone])
			}
			a.hasRegion = true
			f := set(p+"region", h.zone)
			addWhy("region: ", t, h, true, "", f)
			kind := "government"
			if t.group == "ME" {
				kind = "regional body"
			}
			noteActor(h, kind, t, true)
		case catForeign:
			if h.zone == zoneTitle {
				titleGroups[t.group] = true
			}
			kind := "government"
			if bodyGroups[t.group] {
				kind = "international body"
				set(p+"body", h.zone)
			}
			f := set(p+"foreign", h.zone)
			if h.zone == zoneTitle {
				sidesT[t.group] = true
				govT = true
			}
			addWhy("party: ", t, h, true, " ("+kind+")", f)
			noteActor(h, kind, t, true)
		case catActor:
			if attributed(h) {
				attrib = true
			}
			f := set(p+"official", h.zone)
			addWhy("actor: ", t, h, false, "", f)
		case catNonState:
			f := set(p+"nonstate", h.zone)
			addWhy("non-state actor: ", t, h, false, "", f)
			noteActor(h, "non-state", t, false)
		case catArmed:
			f := set(p+"armed", h.zone)
			addWhy("armed group: ", t, h, true, "", f)
			if h.zone == zoneTitle && (actorPos < 0 || h.pos <= actorPos) {
				actorPos, actorKind, actor = h.pos, "armed group", featReason{label: t.label, h: h, name: true}
			}
		case catDiplo, catStatement, catSpeech, catLegal:
			act := actClass[t.label]
			if act == "" && t.cat == catDiplo {
				continue
			}
			prefix := "diplomacy: "
			switch t.cat {
			case catSpeech:
				act, prefix = "speech", "speaks: "
			case catLegal:
				act = "legal"
			case catStatement:
				prefix = "statement: "
			}
			f := set(p+"act:"+act, h.zone)
			if h.zone == zoneTitle {
				actsT[act] = true
			} else if h.zone == zoneLead {
				actsD[act] = true
			}
			addWhy(prefix, t, h, false, "", f)
			if t.cat == catDiplo && t.group != "" {
				a.cues[t.group] = true
			}
		case catNeg:
			f := set(p+"not:"+t.group, h.zone)
			addWhy("not diplomacy: ", t, h, false, "", f)
		case catElsewhere:
			f := set(p+"elsewhere", h.zone)
			addWhy("elsewhere: ", t, h, true, "", f)
		case catExclude:
			addWhy("excluded: ", t, h, true, "", -1)
		case catCue:
			a.cues[t.group] = true
		}
	}
	if attrib {
		f := set("T:act:speech", zoneTitle)
		a.why = append(a.why, featReason{prefix: "speaks: ", label: "attributed (headline colon)", feat: f})
		actsT["speech"] = true
	}
	if len(regionT) >= 2 {
		a.x[featIndex["T:region2"]] = 1
	}
	if len(regionD)+len(regionT) >= 2 && a.x[featIndex["D:region"]] > 0 {
		a.x[featIndex["D:region2"]] = 1
	}
	anyAct := func(z string) bool {
		for _, n := range actNames {
			if n != "speech" && a.x[featIndex[z+"act:"+n]] > 0 {
				return true
			}
		}
		return false
	}
	anyNot := func(z string) bool {
		for _, n := range negNames {
			if a.x[featIndex[z+"not:"+n]] > 0 {
				return true
			}
		}
		return false
	}
	x := func(name string) float64 { return a.x[featIndex[name]] }
	// With sanctions, trade, companies and oil are what the sanctions
	// target, not business news of their own: they count as no business.
	if math.Max(x("T:act:sanction"), x("D:act:sanction")) > 0 {
		a.x[featIndex["T:not:business"]], a.x[featIndex["D:not:business"]] = 0, 0
	}
	region := math.Max(x("T:region"), x("D:region"))
	actT, actD := anyAct("T:"), anyAct("D:")
	if actT {
		a.x[featIndex["X:region×act(T)"]] = region
	} else if actD {
		// region anywhere: an act the description names while the
		// headline alone names the region counts too
		a.x[featIndex["X:region×act(D)"]] = region
	}
	speakT := math.Max(math.Max(x("T:act:speech"), x("T:act:statement")), x("T:act:threat"))
	if govT || x("T:official") > 0 {
		a.x[featIndex["X:state×speech(T)"]] = speakT * region
	} else if x("T:armed") > 0 {
		a.x[featIndex["X:armed×speech(T)"]] = speakT
	}
	if actT && !anyNot("T:") && x("T:nonstate") == 0 {
		a.x[featIndex["X:clean-act(T)"]] = region
	}
	stateD := math.Max(math.Max(x("D:region"), x("D:foreign")), x("D:official"))
	speakD := math.Max(math.Max(x("D:act:speech"), x("D:act:statement")), x("D:act:threat"))
	a.x[featIndex["X:state×speech(D)"]] = stateD * speakD * region
	if len(sidesT) >= 2 {
		a.x[featIndex["X:sides(T)"]] = 1
	}
	if anyNot("T:") && !actT && a.x[featIndex["X:state×speech(T)"]] == 0 {
		a.x[featIndex["X:not-only(T)"]] = 1
	}
	if x("T:nonstate") > 0 && (actT || actD) {
		a.x[featIndex["X:nonstate×act"]] = 1
	}
	if math.Max(x("T:elsewhere"), x("D:elsewhere")) > 0 && x("T:region") == 0 {
		a.x[featIndex["X:elsewhere-no-region"]] = 1
	}
	if x("T:act:deal") > 0 && x("T:not:violence") > 0 {
		a.x[featIndex["X:deal×violence(T)"]] = 1
	}
	if actT && x("T:not:domestic") > 0 {
		a.x[featIndex["X:domestic×act(T)"]] = 1
	}
	if x("T:official") > 0 && actT {
		a.x[featIndex["X:official×act(T)"]] = region
	}
	if titleGroups["WORLD"] {
		a.x[featIndex["X:world(T)"]] = 1
	}
	if d.titleQuestion {
		a.x[featIndex["X:question(T)"]] = 1
		if actT {
			a.x[featIndex["X:question×act(T)"]] = 1
		}
	}
	// "World reacts to ...", "Global outrage as ...": the world's
	// governments speak about a regional party, as a third state's
	// reaction does (the gazetteer term holds the verb of saying).
	if speakerAddresses(g, d, hits, armedAt, zoneTitle) || (titleGroups["WORLD"] && x("T:region") > 0) {
		a.x[featIndex["X:speaker→other(T)"]] = 1
		a.x[featIndex["X:speaker×violence(T)"]] = x("T:not:violence")
	}

	a.vagueTitle = !titleKnown
	// The names behind the verdict, for its first reason.
	if actorPos >= 0 {
		a.actor = actor.text(d) + " (" + actorKind + ")"
	}
	acts := actsT
	if len(acts) == 0 {
		acts = actsD
	}
	for _, n := range actNames {
		if acts[n] {
			a.acts = append(a.acts, n)
		}
	}
	for _, grp := range partyOrder {
		if a.parties[grp] >= 0.3 {
			a.about = append(a.about, regionLabel[grp])
		}
	}
	return a
}

// regionLabel names each regional party group for the reasons.
var regionLabel = func() map[string]string {
	m := map[string]string{}
	for _, s := range regionSpecs {
		if _, ok := m[s.group]; !ok {
			m[s.group] = s.label
		}
	}
	return m
}()

// linModel is a logistic regression: P(on) = σ(bias + w·x).
type linModel struct {
	w    []float64
	bias float64
}

func (m *linModel) logit(x []float64) float64 {
	z := m.bias
	for i, v := range x {
		if v != 0 {
			z += m.w[i] * v
		}
	}
	return z
}

func sigmoid(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

// ridge is the L2 penalty of the fit. It was set before looking at the
// cross-validated figures (one penalty per unit-scale feature, the usual
// default) and is not tuned.
const ridge = 1.0

// fitLogistic fits a logistic regression with an L2 penalty on the weights
// (not the bias) by Newton's method; the problem is convex and small (tens
// of features, about a thousand items), so this converges in a few steps
// and gives the same weights on every run.
func fitLogistic(xs [][]float64, ys []bool) linModel {
	k := len(featNames)
	n := k + 1 // weights, then bias
	beta := make([]float64, n)
	for range 30 {
		grad := make([]float64, n)
		hess := make([][]float64, n)
		for i := range hess {
			hess[i] = make([]float64, n)
		}
		for r, x := range xs {
			z := beta[k]
			for i, v := range x {
				z += beta[i] * v
			}
			p := sigmoid(z)
			y := 0.0
			if ys[r] {
				y = 1
			}
			g, h := p-y, p*(1-p)
			for i, vi := range x {
				if vi == 0 {
					continue
				}
				grad[i] += g * vi
				for j, vj := range x {
					if vj != 0 {
						hess[i][j] += h * vi * vj
					}
				}
				hess[i][k] += h * vi
				hess[k][i] += h * vi
			}
			grad[k] += g
			hess[k][k] += h
		}
		for i := range k {
			grad[i] += ridge * beta[i]
			hess[i][i] += ridge
		}
		hess[k][k] += 1e-6
		step := solve(hess, grad)
		maxStep := 0.0
		for i := range beta {
			beta[i] -= step[i]
			maxStep = math.Max(maxStep, math.Abs(step[i]))
		}
		if maxStep < 1e-7 {
			break
		}
	}
	return linModel{w: beta[:k], bias: beta[k]}
}

// solve returns x with a·x = b by Gaussian elimination with partial
// pivoting; a is symmetric positive definite here, so it is well posed.
func solve(a [][]float64, b []float64) []float64 {
	n := len(b)
	m := make([][]float64, n)
	for i := range a {
		m[i] = append(append([]float64(nil), a[i]...), b[i])
	}
	for c := range n {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(m[r][c]) > math.Abs(m[p][c]) {
				p = r
			}
		}
		m[c], m[p] = m[p], m[c]
		if m[c][c] == 0 {
			continue
		}
		for r := c + 1; r < n; r++ {
			f := m[r][c] / m[c][c]
			if f == 0 {
				continue
			}
			for j := c; j <= n; j++ {
				m[r][j] -= f * m[c][j]
			}
		}
	}
	x := make([]float64, n)
	for r := n - 1; r >= 0; r-- {
		s := m[r][n]
		for j := r + 1; j < n; j++ {
			s -= m[r][j] * x[j]
		}
		if m[r][r] != 0 {
			x[r] = s / m[r][r]
		}
	}
	return x
}

// noRegionCap is the most an item that names no Middle East party can
// score: the topic's definition requires one, so this is a rule, not a fit.
const noRegionCap = 0.05

// learned scores documents with a fitted linModel over the gazetteer's
// analysis.
type learned struct {
	g *gazModel
	m linModel
}

func (l *learned) score(d *doc) (float64, []string, []string) {
	return l.verdict(l.g.analyzeDoc(d))
}

// analyzeDoc analyses d; when its headline is vague, the lead stands in for
// it, as a reader would take the first sentence for the headline. This is a
// rule, not fitted to data.
func (g *gazModel) analyzeDoc(d *doc) *analysis {
	a := g.analyze(d)
	if !a.vagueTitle || d.zoneLen[zoneLead] == 0 {
		return a
	}
	p := &doc{toks: make([]token, 0, len(d.toks)), zoneLen: d.zoneLen}
	for _, t := range d.toks {
		switch t.zone {
		case zoneTitle:
			continue
		case zoneLead:
			t.zone = zoneTitle
		}
		p.toks = append(p.toks, t)
	}
	p.zoneLen[zoneTitle], p.zoneLen[zoneLead] = d.zoneLen[zoneLead], 0
	return g.analyze(p)
}

func (l *learned) verdict(a *analysis) (float64, []string, []string) {
	return l.prob(a), defaultSubtopicsFor(a.parties, a.cues), l.reasons(a)
}

// prob is the verdict's probability alone.
func (l *learned) prob(a *analysis) float64 {
	p := sigmoid(l.m.logit(a.x))
	if !a.hasRegion {
		p = math.Min(p, noRegionCap)
	}
	return p
}

// reasons names the actor, the act and the region first, then each
// matched term in the order of how much its feature moved the verdict
// (the prefix says which way: "not diplomacy:", "elsewhere:" take away).
func (l *learned) reasons(a *analysis) []string {
	var head []string
	if a.actor != "" {
		head = append(head, "actor: "+a.actor)
	}
	if len(a.acts) > 0 {
		head = append(head, "act: "+strings.Join(a.acts, ", "))
	}
	if len(a.about) > 0 {
		head = append(head, "about: "+strings.Join(a.about, ", "))
	} else {
		head = append(head, "about: no Middle East party named")
	}
	out := []string{strings.Join(head, " · ")}
	type c struct {
		r featReason
		w float64
	}
	cs := make([]c, 0, len(a.why))
	for _, r := range a.why {
		w := 0.0
		if r.feat >= 0 {
			if a.x[r.feat] == 0 {
				continue // a feature set aside (business as the object of sanctions)
			}
			w = l.m.w[r.feat] * a.x[r.feat]
		}
		cs = append(cs, c{r, w})
	}
	sort.SliceStable(cs, func(i, j int) bool { return math.Abs(cs[i].w) > math.Abs(cs[j].w) })
	// The strongest reason of each kind ("region:", "diplomacy:", ...) is
	// kept first, so many terms of one kind cannot push another kind's
	// evidence out of the list; the rest fill the free places by weight.
	texts := make([]string, len(cs))
	keep := make([]bool, len(cs))
	seen := make(map[string]bool, len(cs))
	kinds := make(map[string]bool)
	free := maxReasons - len(out)
	for i, x := range cs {
		texts[i] = x.r.text(a.d)
		kind, _, _ := strings.Cut(texts[i], ":")
		if free > 0 && !seen[texts[i]] && !kinds[kind] {
			kinds[kind], seen[texts[i]], keep[i] = true, true, true
			free--
		}
	}
	for i := range cs {
		if free > 0 && !seen[texts[i]] {
			seen[texts[i]], keep[i] = true, true
			free--
		}
	}
	for i, k := range keep {
		if k {
			out = append(out, texts[i])
		}
	}
	return out
}

// fittedModel builds the committed model from weights.go. A feature with no
// committed weight counts zero; TestWeightsCoverFeatures catches a stale file.
func fittedModel() linModel {
	m := linModel{w: make([]float64, len(featNames)), bias: fittedBias}
	for name, w := range fittedWeights {
		if i, ok := featIndex[name]; ok {
			m.w[i] = w
		}
	}
	return m
}

// speakerAddresses reports whether the headline's subject (the words before
// its first verb of saying, statement or threat) names a state, an official
// or an international body, not an armed group and not a military, and
// whether a party other than the speaker's is named in the headline: the
// shape of an official statement aimed at, or about, another state
// (LABELS.md v2), e.g. "Egypt says Israel strikes ...".
func speakerAddresses(g *gazModel, d *doc, hits []hit, armedAt map[int]bool, z zone) bool {
	speech := -1
	start := 0
	if z == zoneLead {
		start = d.zoneLen[zoneTitle]
	}
	for _, h := range hits {
		if h.zone != z {
			continue
		}
		if c := g.terms[h.ref].cat; c == catSpeech || c == catStatement {
			if speech < 0 || h.pos < speech {
				speech = h.pos
			}
		}
	}
	if speech <= start {
		return false
	}
	speakers := map[string]bool{}
	state, military := false, false
	for _, h := range hits {
		if h.zone != z || h.pos >= speech {
			continue
		}
		t := g.terms[h.ref]
		switch t.cat {
		case catRegion, catForeign:
			if !armedAt[h.pos] {
				speakers[t.group] = true
				state = true
			}
		case catActor:
			state = true
		case catDiplo:
			switch t.label {
			case "foreign minister", "envoy", "ambassador":
				state = true
			}
		case catArmed, catNonState:
			return false
		case catNeg:
			// a military, a health ministry, state media: sources of
			// battlefield and casualty reports, not of statements to states
			military = true
		}
	}
	if !state || military {
		return false
	}
	for _, h := range hits {
		if h.zone != z || h.pos <= speech || armedAt[h.pos] {
			continue
		}
		if t := g.terms[h.ref]; (t.cat == catRegion || t.cat == catForeign) && !speakers[t.group] {
			return true
		}
	}
	return false
}
