// Package metrics declares briefbot's Prometheus metrics in one place, on
// a registry of their own (never the global one, so tests can build many).
package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// AllSources is the source label every poll carries when sources are
// counted as one (SourcesAsOne).
const AllSources = "_all"

// Metrics holds every collector briefbot exports.
type Metrics struct {
	Registry *prometheus.Registry
	// SourcesAsOne counts every source's polls under the one source label
	// AllSources: a series per source stays in memory for the process's
	// life, which at thousands of sources is tens of MiB.
	SourcesAsOne bool

	Polls          *prometheus.CounterVec // source, result: ok|not_modified|error
	ItemsFetched   *prometheus.CounterVec // source
	ItemsNew       *prometheus.CounterVec // source
	SourceFailures *prometheus.CounterVec // source
	ItemsProcessed prometheus.Counter
	ItemsRelevant  prometheus.Counter
	// PipelineLeader is 1 on the instance that holds the pipeline lease.
	PipelineLeader prometheus.Gauge

	Posted         *prometheus.CounterVec   // kind: story|digest
	PostLatency    prometheus.Histogram     // story first seen → message posted
	PostRetries    *prometheus.CounterVec   // cause
	PostFailures   *prometheus.CounterVec   // cause
	CommandLatency *prometheus.HistogramVec // command, outcome
	LLMSummaries   *prometheus.CounterVec   // outcome: used, timeout, ungrounded, ...
	// FullText counts article pages read, by result: article, or why the
	// teaser was used (robots, fetch, paywall, consent, ...).
	FullText *prometheus.CounterVec
}

// New registers every collector, plus the Go and process collectors.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		Registry: reg,
		Polls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "briefbot_source_polls_total", Help: "Feed polls by source and result (ok, not_modified, error).",
		}, []string{"source", "result"}),
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
	m.PipelineLeader = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "briefbot_pipeline_leader", Help: "1 while this instance holds the pipeline lease and processes items (one instance at a time).",
	})
	m.Posted = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "briefbot_posts_total", Help: "Discord messages posted, by kind (story, digest).",
	}, []string{"kind"})
	m.PostLatency = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "briefbot_post_latency_seconds", Help: "From a story first seen (or a digest slot) to its message posted.",
		Buckets: []float64{1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600},
	})
	m.PostRetries = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "briefbot_post_retries_total", Help: "Sends put off to later, by cause.",
	}, []string{"cause"})
	m.PostFailures = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "briefbot_post_failures_total", Help: "Deliveries given up for good, by cause.",
	}, []string{"cause"})
	m.CommandLatency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "briefbot_command_seconds", Help: "Time from receiving a slash command to its first response, by command and outcome.",
		Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 10),
	}, []string{"command", "outcome"})
	m.LLMSummaries = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "briefbot_llm_summaries_total", Help: "Model summary attempts by outcome; anything but \"used\" fell back to the extractive summary.",
	}, []string{"outcome"})
	m.FullText = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "briefbot_full_text_total", Help: "Article pages read for summaries, by result: article, or why the teaser was used (robots, fetch, no_text, paywall, consent, javascript, home_page, mismatch, language).",
	}, []string{"result"})
	reg.MustRegister(
		m.LLMSummaries, m.FullText,
		m.Posted, m.PostLatency, m.PostRetries, m.PostFailures, m.CommandLatency,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.Polls, m.ItemsFetched, m.ItemsNew, m.SourceFailures,
		m.ItemsProcessed, m.ItemsRelevant, m.PipelineLeader,
	)
	return m
}

// Source is the source label src's polls are counted under.
func (m *Metrics) Source(src string) string {
	if m.SourcesAsOne {
		return AllSources
	}
	return src
}
