package story

import "testing"

// An item about an event past the Fresh period starts a new story but names
// the older one it would have joined, so the bot can post it as a reply.
func TestMatchFollows(t *testing.T) {
	first := ClusterItem{Outlet: "A", Title: "Syria and Turkey agree to reopen border crossing near Aleppo", Text: "Officials from Damascus and Ankara agreed to reopen the crossing for trade.", Published: at(1)}
	tests := []struct {
		name        string
		item        ClusterItem
		wantJoined  bool
		wantFollows bool
	}{
		{
			name:       "same event within the fresh period joins",
			item:       ClusterItem{Outlet: "B", Title: "Syria, Turkey agree to reopen Aleppo border crossing for trade", Text: "Damascus and Ankara officials agreed to reopen the border crossing near Aleppo.", Published: at(3)},
			wantJoined: true,
		},
		{
			name:        "development a day and a half on follows the older story",
			item:        ClusterItem{Outlet: "B", Title: "Syria, Turkey reopen Aleppo border crossing for trade", Text: "The crossing between Syria and Turkey reopened to trucks on Thursday.", Published: at(1 + 40)},
			wantFollows: true,
		},
		{
			name: "unrelated report a day and a half on follows nothing",
			item: ClusterItem{Outlet: "B", Title: "Kuwait names new prime minister", Text: "Kuwait's emir appointed a former finance minister as prime minister on Tuesday.", Published: at(1 + 40)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewClusterer(Options{})
			items := withBackground(first)
			var firstStory int64
			for i, it := range items {
				it.ID = int64(i + 1)
				firstStory = c.Assign(it).Story
			}
			tt.item.ID = int64(len(items) + 1)
			d := c.Match(tt.item)
			if d.Joined != tt.wantJoined {
				t.Fatalf("Joined = %v, want %v (%s)", d.Joined, tt.wantJoined, d.Reason)
			}
			var want int64
			if tt.wantFollows {
				want = firstStory
			}
			if d.Follows != want {
				t.Errorf("Follows = %d, want %d (%s)", d.Follows, want, d.Reason)
			}
			if d.Joined && d.Story != firstStory {
				t.Errorf("joined story %d, want %d", d.Story, firstStory)
			}
		})
	}
}
