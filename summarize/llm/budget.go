package llm

import (
	"sync"
	"time"
)

// budget allows at most n events in any window: it remembers the times of
// the last n allowed events and allows another only once the oldest of
// them is a window old. Unlike a token bucket, whose refill lets up to
// twice its size through in one window, this is a hard cap, which is what
// a spending budget needs. A nil budget allows everything.
type budget struct {
	mu     sync.Mutex
	n      int
	window time.Duration
	times  []time.Time // ring of the last n allowed events
	next   int         // the oldest, once the ring is full
}

func newBudget(n int, window time.Duration) *budget {
	return &budget{n: n, window: window, times: make([]time.Time, 0, n)}
}

// allow reports whether an event at now fits the budget, and records it
// if so.
func (b *budget) allow(now time.Time) bool {
	if b == nil {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.times) < b.n {
		b.times = append(b.times, now)
		return true
	}
	if now.Sub(b.times[b.next]) < b.window {
		return false
	}
	b.times[b.next] = now
	b.next = (b.next + 1) % b.n
	return true
}
