package main

import (
	"fmt"
	"strings"
)

// burstHeadline is the i-th of a stream of distinct, on-topic diplomacy
// headlines with a line of body text, for load tests that need many
// stories: each pairs a diplomacy subject and host country with five
// people and places named only in it (made-up names built from i), so the
// story clusterer sees no two as the same event.
//
// The names must outweigh what headlines share. An earlier template
// ("Envoy X opens <subject> with Y in Z, <host> says", the subject and host
// repeated in the lead) gave two items with the same subject and host 8 of
// 11 title words in common: cosine 0.30-0.40, at the clusterer's 0.30
// threshold, so 2-9% of a burst merged, more or fewer with the order the
// items arrived in (IDF is taken over the window so far). Here the shared
// words are the subject, the host and "open ... in ... says", against five
// names of the item's own: no two items of 400 merge in any of 30 orders
// (TestBurstHeadlinesAreDistinctStories).
func burstHeadline(i int) (title, description string) {
	subjects := []string{"ceasefire talks", "nuclear talks", "sanctions relief talks", "prisoner exchange talks",
		"truce negotiations", "mediation talks", "IAEA inspection talks", "hostage negotiations"}
	hosts := []string{"Iran", "Oman", "Qatar", "Egypt", "Iraq", "Saudi Arabia", "Turkey", "Jordan"}
	name := func(k int) string {
		syl := []string{"ka", "lor", "vem", "tis", "dun", "rah", "zel", "mio", "qua", "bex", "nor", "fil", "gar", "sot", "wen", "yub"}
		var b strings.Builder
		for n := i*5 + k + 1; n > 0; n /= len(syl) {
			b.WriteString(syl[n%len(syl)])
		}
		s := b.String()
		return strings.ToUpper(s[:1]) + s[1:]
	}
	subject, host := subjects[i%len(subjects)], hosts[(i/len(subjects))%len(hosts)]
	title = fmt.Sprintf("%s and %s open %s in %s, %s's %s says", name(0), name(1), subject, name(2), host, name(3))
	description = fmt.Sprintf("%s met %s at %s; %s attended.", name(0), name(1), name(2), name(4))
	return title, description
}
