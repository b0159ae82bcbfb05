package metrics

import (
	"fmt"
	"runtime"
	"testing"
)

func TestSourceLabel(t *testing.T) {
	t.Parallel()
	tests := []struct {
		asOne bool
		want  string
	}{
		{false, "reuters"},
		{true, AllSources},
	}
	for _, tt := range tests {
		m := New()
		m.SourcesAsOne = tt.asOne
		if got := m.Source("reuters"); got != tt.want {
			t.Errorf("SourcesAsOne=%v: Source(reuters) = %q, want %q", tt.asOne, got, tt.want)
		}
	}
}

// Counted as one, a thousand sources' polls make one series, not a
// thousand.
func TestSourcesAsOneKeepsOneSeries(t *testing.T) {
	t.Parallel()
	for _, asOne := range []bool{false, true} {
		m := New()
		m.SourcesAsOne = asOne
		for i := range 1000 {
			m.Polls.WithLabelValues(m.Source(fmt.Sprint("feed-", i)), "ok").Inc()
		}
		want := 1000
		if asOne {
			want = 1
		}
		series := polls(t, m)
		if len(series) != want {
			t.Errorf("SourcesAsOne=%v: %d poll series, want %d", asOne, len(series), want)
		}
		if asOne && series[AllSources] != 1000 {
			t.Errorf("the one series counts %v polls, want 1000", series[AllSources])
		}
	}
}

// polls reads briefbot_source_polls_total's series from m's registry,
// by source label.
func polls(t *testing.T, m *Metrics) map[string]float64 {
	t.Helper()
	fams, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range fams {
		if f.GetName() != "briefbot_source_polls_total" {
			continue
		}
		for _, s := range f.GetMetric() {
			for _, l := range s.GetLabel() {
				if l.GetName() == "source" {
					out[l.GetValue()] += s.GetCounter().GetValue()
				}
			}
		}
	}
	return out
}

// BenchmarkPerSourceSeries reports the live heap the four per-source
// series of 10,000 sources hold (bytes/source), per source and counted
// as one, measured in the same run.
func BenchmarkPerSourceSeries(b *testing.B) {
	const sources = 10000
	for _, asOne := range []bool{false, true} {
		b.Run(fmt.Sprintf("as_one=%v", asOne), func(b *testing.B) {
			for range b.N {
				before := liveHeap()
				m := New()
				m.SourcesAsOne = asOne
				for i := range sources {
					l := m.Source(fmt.Sprint("source-", i))
					m.Polls.WithLabelValues(l, "ok").Inc()
					m.Polls.WithLabelValues(l, "not_modified").Inc()
					m.ItemsFetched.WithLabelValues(l).Inc()
					m.ItemsNew.WithLabelValues(l).Inc()
				}
				b.ReportMetric(float64(liveHeap()-before)/sources, "bytes/source")
				runtime.KeepAlive(m)
			}
		})
	}
}

func liveHeap() int64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}
