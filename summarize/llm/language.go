package llm

import (
	"strings"
	"unicode"
)

// stopwords are frequent English function words. Their share of a text is
// a cheap, dependable sign of English: other languages in Latin script
// share few of them, and other scripts none.
var stopwords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`the a an of in on at to and or but for with from by as is are was were be been
		has have had will would could should can may said says that this these those it its he she they his her their
		them who which what when after before over about into than not no also while during against between
		amid under there here we our you i`) {
		m[w] = true
	}
	return m
}()

// foreign are frequent function words of the other languages written in
// Latin script that the region's outlets use (French, Spanish, German,
// Italian, Portuguese, Dutch, Turkish), none of them English words.
var foreign = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`de la le les et des du que est une un pour dans sur avec par au aux qui ne pas
		el los las y en del por con para una se lo su es al
		der das und ist nicht mit dem ein eine zu von auf für sich im
		il di che della gli per non sono
		os da do dos em um uma não
		het een ook niet
		ve bir bu ile için da olarak`) {
		if !stopwords[w] {
			m[w] = true
		}
	}
	return m
}()

// englishStats measures text: its share of letters that are ASCII, its
// share of words that are English stopwords less the share that are other
// languages' function words, and its word count.
func englishStats(text string, maxWords int) (ascii, stop float64, words int) {
	var letters, asciiLetters, stops int
	for _, f := range strings.Fields(text) {
		if maxWords > 0 && words == maxWords {
			break
		}
		hasLetter := false
		for _, r := range f {
			if unicode.IsLetter(r) {
				hasLetter = true
				letters++
				if r < 0x80 {
					asciiLetters++
				}
			}
		}
		if !hasLetter {
			continue
		}
		words++
		switch w := strings.ToLower(strings.Trim(f, `.,;:!?"'“”‘’()[]`)); {
		case stopwords[w]:
			stops++
		case foreign[w]:
			stops--
		}
	}
	if letters == 0 || words == 0 {
		return 0, 0, words
	}
	return float64(asciiLetters) / float64(letters), float64(stops) / float64(words), words
}

// isEnglish is the check on a model's answer: nearly all letters ASCII
// (names with diacritics pass) and, beyond a few words, more English
// function words than other languages' ones. English prose has a quarter
// to a third; a twentieth leaves room for terse, headline-like style.
func isEnglish(s string) bool {
	ascii, stop, words := englishStats(s, 0)
	switch {
	case words == 0 || ascii < 0.9:
		return false
	case words < 4:
		return true
	case words < 8:
		return stop > 0
	}
	return stop >= 0.05
}

// looksNonEnglish guesses, from its first few hundred words, that an
// article of unknown language is not in English: mostly another script, or
// Latin script with too few English function words.
func looksNonEnglish(text string) bool {
	ascii, stop, words := englishStats(text, 300)
	switch {
	case words == 0:
		return false
	case ascii < 0.5:
		return true
	case words >= 20:
		return stop < 0.08
	}
	return false
}

// isEnglishTag reports a BCP 47 tag for English ("en", "en-GB").
func isEnglishTag(tag string) bool {
	tag = strings.ToLower(tag)
	return tag == "en" || strings.HasPrefix(tag, "en-") || strings.HasPrefix(tag, "en_")
}

// languageNames names the languages of the region's outlets in the
// prompt; a model does better with "Persian" than with "fa".
var languageNames = map[string]string{
	"fa": "Persian", "ar": "Arabic", "he": "Hebrew", "tr": "Turkish", "ku": "Kurdish", "ur": "Urdu",
	"fr": "French", "de": "German", "es": "Spanish", "ru": "Russian", "zh": "Chinese", "it": "Italian",
	"pt": "Portuguese", "ps": "Pashto", "az": "Azerbaijani", "hy": "Armenian", "el": "Greek", "nl": "Dutch",
}

// languageName returns the English name of a tag's language, or "" when
// the tag is empty or unknown.
func languageName(tag string) string {
	base, _, _ := strings.Cut(strings.ToLower(tag), "-")
	return languageNames[base]
}
