// Package metrics declares briefbot's Prometheus metrics in one place, on
// a registry of their own (never the global one, so tests can build many).
package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics holds every collector briefbot exports.
type Metrics struct {
	Registry *prometheus.Registry

	Polls          *prometheus.CounterVec   // source, result: ok|not_modified|error
	PollDuration   *prometheus.HistogramVec // source
	ItemsFetched   *prometheus.CounterVec   // source
	ItemsNew       *prometheus.CounterVec   // source
	SourceFailures *prometheus.CounterVec   // source
	ItemsProcessed prometheus.Counter
	ItemsRelevant  prometheus.Counter
}

// New registers every collector, plus the Go and process collectors.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		Registry: reg,
		Polls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "briefbot_source_polls_total", Help: "Feed polls by source and result (ok, not_modified, error).",
		}, []string{"source", "result"}),
		PollDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "briefbot_source_poll_seconds", Help: "Time to fetch and parse a feed.",
			Buckets: prometheus.ExponentialBuckets(0.05, 2, 10),
		}, []string{"source"}),
		ItemsFetched: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "briefbot_items_fetched_total", Help: "Items parsed from feeds, seen before or not.",
		}, []string{"source"}),
		ItemsNew: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "briefbot_items_new_total", Help: "Items recorded for the first time.",
		}, []string{"source"}),
		SourceFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "briefbot_source_failures_total", Help: "Failed polls by source.",
		}, []string{"source"}),
		ItemsProcessed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "briefbot_items_processed_total", Help: "Items classified by the pipeline.",
		}),
		ItemsRelevant: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "briefbot_items_relevant_total", Help: "Items found relevant to at least one topic.",
		}),
	}
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.Polls, m.PollDuration, m.ItemsFetched, m.ItemsNew, m.SourceFailures,
		m.ItemsProcessed, m.ItemsRelevant,
	)
	return m
}
