package main

import (
	"fmt"
	"strings"
)

// burstHeadline is the i-th of a stream of distinct, on-topic diplomacy
// headlines with a line of body text, for load tests that need many
// stories: each pairs a diplomacy subject with people and places named
// only in it (made-up names built from i), so the story clusterer sees no
// two as the same event.
func burstHeadline(i int) (title, description string) {
	subjects := []string{"ceasefire talks", "nuclear talks", "sanctions relief talks", "prisoner exchange talks",
		"truce negotiations", "mediation talks", "IAEA inspection talks", "hostage negotiations"}
	hosts := []string{"Iran", "Oman", "Qatar", "Egypt", "Iraq", "Saudi Arabia", "Turkey", "Jordan"}
	name := func(k int) string {
		syl := []string{"ka", "lor", "vem", "tis", "dun", "rah", "zel", "mio", "qua", "bex", "nor", "fil", "gar", "sot", "wen", "yub"}
		var b strings.Builder
		for n := i*3 + k + 1; n > 0; n /= len(syl) {
			b.WriteString(syl[n%len(syl)])
		}
		s := b.String()
		return strings.ToUpper(s[:1]) + s[1:]
	}
	subject, host := subjects[i%len(subjects)], hosts[(i/len(subjects))%len(hosts)]
	title = fmt.Sprintf("Envoy %s opens %s with %s in %s, %s says", name(0), subject, name(1), name(2), host)
	description = fmt.Sprintf("%s and %s met at %s for %s hosted by %s.", name(0), name(1), name(2), subject, host)
	return title, description
}
