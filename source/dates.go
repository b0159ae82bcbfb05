package source

import (
	"strings"
	"time"
	"unicode"
)

// gofeed parses the dates of nearly every feed. parseLooseDate handles what
// it leaves behind in real feeds: month and day names in other languages
// ("Seg, 24 Set 2018 19:42:40 -0300") and slash-separated numeric dates
// ("2020/1/10 14:33:00"). Zoneless times are taken as UTC, as gofeed does.

// monthNames maps month names and abbreviations in the languages of feeds
// briefbot is likely to meet to their number. Where languages share a
// token they agree on the month.
var monthNames = func() map[string]time.Month {
	m := map[string]time.Month{}
	add := func(month time.Month, names ...string) {
		for _, n := range names {
			m[n] = month
		}
	}
	add(time.January, "jan", "january", "janeiro", "ene", "enero", "janv", "janvier", "januar", "gen", "gennaio", "januari", "oca", "ocak")
	add(time.February, "feb", "february", "fev", "fevereiro", "febrero", "févr", "fevr", "février", "fevrier", "februar", "febbraio", "februari", "şub", "sub", "şubat", "subat")
	add(time.March, "mar", "march", "março", "marco", "marzo", "mars", "mär", "mrz", "märz", "maerz", "maart", "mrt", "mart")
	add(time.April, "apr", "april", "abr", "abril", "avr", "avril", "aprile", "nis", "nisan")
	add(time.May, "may", "mai", "maio", "mayo", "mag", "maggio", "mei", "mayıs", "mayis")
	add(time.June, "jun", "june", "junho", "junio", "juin", "juni", "giu", "giugno", "haz", "haziran")
	add(time.July, "jul", "july", "julho", "julio", "juil", "juillet", "juli", "lug", "luglio", "tem", "temmuz")
	add(time.August, "aug", "august", "ago", "agosto", "août", "aout", "augustus", "ağu", "agu", "ağustos", "agustos")
	add(time.September, "sep", "sept", "september", "set", "setembro", "septiembre", "septembre", "settembre", "eyl", "eylül", "eylul")
	add(time.October, "oct", "october", "out", "outubro", "octubre", "octobre", "okt", "oktober", "ott", "ottobre", "eki", "ekim")
	add(time.November, "nov", "november", "novembro", "noviembre", "novembre", "kas", "kasım", "kasim")
	add(time.December, "dec", "december", "dez", "dezembro", "dic", "diciembre", "déc", "décembre", "decembre", "dezember", "dicembre", "ara", "aralık", "aralik")
	return m
}()

var looseLayouts = []string{
	"2 Jan 2006 15:04:05 -0700",
	"2 Jan 2006 15:04:05 -07:00",
	"2 Jan 2006 15:04 -0700",
	"2 Jan 2006 15:04:05",
	"2 Jan 2006 15:04",
	"2 Jan 2006",
	"Jan 2 2006 15:04:05 -0700",
	"Jan 2 2006 15:04:05",
	"Jan 2 2006 15:04",
	"Jan 2 2006",
	"2006/1/2 15:04:05",
	"2006/1/2 15:04",
	"2006/1/2",
	"2006-1-2 15:04:05",
	"2006-1-2 15:04",
	"2006-1-2",
	"2006.1.2 15:04:05",
	"2006.1.2 15:04",
	"2006.1.2",
	"2.1.2006 15:04:05",
	"2.1.2006 15:04",
	"2.1.2006",
}

// parseLooseDate parses s with the fallbacks above; ok is false if none fit.
func parseLooseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 64 {
		return time.Time{}, false
	}
	fields := strings.Fields(strings.NewReplacer(",", " ").Replace(strings.ToLower(s)))
	var out []string
	for i, f := range fields {
		word := strings.TrimSuffix(f, ".")
		if isLetters(word) {
			if m, ok := monthNames[word]; ok {
				out = append(out, m.String()[:3])
				continue
			}
			switch word {
			case "gmt", "ut", "utc", "z":
				out = append(out, "+0000")
				continue
			}
			if i == 0 {
				continue // a day name, in whatever language
			}
			return time.Time{}, false
		}
		out = append(out, f)
	}
	norm := strings.Join(out, " ")
	for _, layout := range looseLayouts {
		if t, err := time.ParseInLocation(layout, norm, time.UTC); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

func isLetters(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}
