package story

import "testing"

func TestKindOf(t *testing.T) {
	for _, tt := range []struct {
		title string
		want  Kind
	}{
		{"Israel's cabinet delays vote on Gaza ceasefire deal", KindReport},
		{"Iran launches missiles at Israel", KindReport},
		{"Live: Iran launches missile attack on Israel", KindLive},
		{"Live Updates: Israel Launches Invasion Into Southern Lebanon", KindLive},
		{"Tuesday Briefing: Israel Sends Troops Into Lebanon", KindLive},
		{"Why did Israel break the ceasefire in Gaza?", KindExplainer},
		{"Iran Attacks Israel: What We Know", KindExplainer},
		{"What to expect when Trump and Putin meet in Alaska", KindExplainer},
		{"Video: Fears of war returning as Israel resumes Gaza airstrikes", KindMedia},
		{"WATCH: IAF fighter jets down Iranian drones", KindMedia},
		{"Map: Israel’s Ground Invasion of Southern Lebanon", KindMedia},
		{"Analysis: Israel's march into Lebanon", KindAnalysis},
		{"Arab states condemn deadly church attack in Damascus", KindReaction},
		{"", KindReport},
	} {
		if got := KindOf(tt.title); got != tt.want {
			t.Errorf("KindOf(%q) = %v, want %v", tt.title, got, tt.want)
		}
	}
}
