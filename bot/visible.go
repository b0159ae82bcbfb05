package bot

import "github.com/briefbot/briefbot/store"

// VisibleStory is st as a server that may see only the sources visible
// accepts is shown it: the other sources' links are dropped, and when the
// item heading the story is one of them, its headline, link, summary and
// publication time (that item's) give way to the earliest visible item's
// title, link and time, with no summary. A server's own feeds are private to it; a
// story they share with outlets every server sees must not carry them
// elsewhere. When no source is visible, st is returned unchanged with ok
// false, for the caller to decide. A story with no sources recorded is
// returned as it is.
func VisibleStory(st store.Story, visible func(source string) bool) (_ store.Story, ok bool) {
	if visible == nil || len(st.Sources) == 0 {
		return st, true
	}
	kept := make([]store.StorySource, 0, len(st.Sources))
	headShown, headHidden := false, false
	for _, src := range st.Sources {
		if visible(src.Source) {
			kept = append(kept, src)
			headShown = headShown || src.Link == st.Link
		} else {
			headHidden = headHidden || src.Link == st.Link
		}
	}
	if len(kept) == 0 {
		return st, false
	}
	if headHidden && !headShown {
		// Sources are oldest published first: the first kept is the
		// earliest report this server may see.
		st.Headline, st.Link, st.Summary, st.Published = kept[0].Title, kept[0].Link, "", kept[0].Published
	}
	st.Sources = kept
	return st, true
}
