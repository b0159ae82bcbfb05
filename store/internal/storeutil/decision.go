package storeutil

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/briefbot/briefbot/store"
)

// decisionJSON is the stored form of store.Decision. It has its own field
// names so renaming a Go field cannot silently orphan stored data.
type decisionJSON struct {
	Relevant  bool      `json:"relevant"`
	Score     float64   `json:"score"`
	Topics    []string  `json:"topics,omitempty"`
	Subtopics []string  `json:"subtopics,omitempty"`
	Reasons   []string  `json:"reasons,omitempty"`
	Summary   string    `json:"summary,omitempty"`
	At        time.Time `json:"at"`
}

// EncodeDecision returns d as the JSON text both stores keep.
func EncodeDecision(d store.Decision) (string, error) {
	b, err := json.Marshal(decisionJSON{
		Relevant:  d.Relevant,
		Score:     d.Score,
		Topics:    d.Topics,
		Subtopics: d.Subtopics,
		Reasons:   d.Reasons,
		Summary:   d.Summary,
		At:        d.At.UTC(),
	})
	if err != nil {
		return "", fmt.Errorf("encode decision: %w", err)
	}
	return string(b), nil
}

// DecodeDecision reads what EncodeDecision wrote.
func DecodeDecision(b []byte) (store.Decision, error) {
	var j decisionJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return store.Decision{}, fmt.Errorf("decode stored decision: %w", err)
	}
	return store.Decision{
		Relevant:  j.Relevant,
		Score:     j.Score,
		Topics:    j.Topics,
		Subtopics: j.Subtopics,
		Reasons:   j.Reasons,
		Summary:   j.Summary,
		At:        UTC(j.At),
	}, nil
}
