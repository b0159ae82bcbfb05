package lease_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/briefbot/briefbot/lease"
	"github.com/briefbot/briefbot/store/sqlite"
)

const ttl = 300 * time.Millisecond

// worker records when its Work ran, and checks that no other worker of
// the same world ran at the same time.
type worker struct {
	name    string
	running *atomic.Int32 // shared by all workers of one test
	mu      sync.Mutex
	spans   [][2]time.Time
	overlap atomic.Bool
}

func (w *worker) work(ctx context.Context, _ string) error {
	if w.running.Add(1) != 1 {
		w.overlap.Store(true)
	}
	start := time.Now()
	<-ctx.Done()
	w.running.Add(-1)
	w.mu.Lock()
	w.spans = append(w.spans, [2]time.Time{start, time.Now()})
	w.mu.Unlock()
	return nil
}

func (w *worker) ran() [][2]time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([][2]time.Time(nil), w.spans...)
}

// failing makes one instance's database calls fail, like an instance cut
// off from the database (or frozen) while the others carry on.
type failing struct {
	lease.Store
	fail atomic.Bool
}

func (f *failing) Lease(ctx context.Context, name, owner string, now, until time.Time) (bool, time.Time, error) {
	if f.fail.Load() {
		return false, time.Time{}, errors.New("connection refused")
	}
	return f.Store.Lease(ctx, name, owner, now, until)
}

// counting counts the leases refused to its instance.
type counting struct {
	lease.Store
	refused atomic.Int32
}

func (c *counting) Lease(ctx context.Context, name, owner string, now, until time.Time) (bool, time.Time, error) {
	held, heldUntil, err := c.Store.Lease(ctx, name, owner, now, until)
	if err == nil && !held {
		c.refused.Add(1)
	}
	return held, heldUntil, err
}

func openStore(t *testing.T) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "lease.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// start runs s until the returned stop is called; stop returns Run's error
// and may be called again.
func start(s *lease.Singleton) (stop func() error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	return sync.OnceValue(func() error { cancel(); return <-done })
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestOneInstanceWorksAndAnotherTakesOverAtShutdown(t *testing.T) {
	st := openStore(t)
	running := &atomic.Int32{}
	a, b := &worker{name: "a", running: running}, &worker{name: "b", running: running}
	held := map[string]*atomic.Bool{"a": {}, "b": {}}
	single := func(w *worker) *lease.Singleton {
		return &lease.Singleton{Store: st, Names: []string{"pipeline"}, Owner: w.name, TTL: ttl, Work: w.work,
			OnChange: func(h bool) { held[w.name].Store(h) }}
	}
	stopA := start(single(a))
	waitUntil(t, "a to take the lease", func() bool { return len(a.ran()) == 0 && held["a"].Load() })
	countB := &counting{Store: st}
	sb := single(b)
	sb.Store = countB
	stopB := start(sb)
	defer stopB()
	// b asks every TTL/3 at most: four refusals span more than a TTL, so
	// a renewed its lease meanwhile.
	waitUntil(t, "b to be turned away four times", func() bool { return countB.refused.Load() >= 4 })
	if held["b"].Load() {
		t.Fatal("b took the lease while a held it")
	}
	if err := stopA(); err != nil {
		t.Fatalf("a: %v", err)
	}
	waitUntil(t, "b to take over", func() bool { return held["b"].Load() })
	if a.overlap.Load() || b.overlap.Load() {
		t.Error("two instances worked at once")
	}
}

// An instance cut off from the database stops its work before its lease
// can expire, and another takes over only after that.
func TestCutOffInstanceStopsBeforeAnotherTakesOver(t *testing.T) {
	// A longer TTL than the other tests: a stops TTL/6 before its lease
	// ends, and that margin must absorb scheduling delays on a busy machine.
	const ttl = 6 * ttl
	st := openStore(t)
	running := &atomic.Int32{}
	a, b := &worker{name: "a", running: running}, &worker{name: "b", running: running}
	cutA := &failing{Store: st}
	stopA := start(&lease.Singleton{Store: cutA, Names: []string{"pipeline"}, Owner: "a", TTL: ttl, Work: a.work})
	defer stopA()
	waitUntil(t, "a to work", func() bool { return running.Load() == 1 })
	stopB := start(&lease.Singleton{Store: st, Names: []string{"pipeline"}, Owner: "b", TTL: ttl, Work: b.work})
	defer stopB()

	cutA.fail.Store(true)
	waitUntil(t, "b to take over", func() bool { return len(a.ran()) == 1 && running.Load() == 1 })
	waitUntil(t, "b's work to start", func() bool { return b.running.Load() == 1 })
	if err := stopB(); err != nil {
		t.Fatal(err)
	}
	aEnd, bStart := a.ran()[0][1], b.ran()[0][0]
	if !aEnd.Before(bStart) {
		t.Errorf("a worked until %v, after b started at %v", aEnd, bStart)
	}
	if a.overlap.Load() || b.overlap.Load() {
		t.Error("two instances worked at once")
	}
}

func TestWorkErrorEndsRun(t *testing.T) {
	st := openStore(t)
	boom := errors.New("store is gone")
	s := &lease.Singleton{Store: st, Names: []string{"pipeline"}, Owner: "a", TTL: ttl,
		Work: func(context.Context, string) error { return boom }}
	if err := s.Run(t.Context()); !errors.Is(err, boom) {
		t.Fatalf("Run = %v; want %v", err, boom)
	}
	// The lease was given back on the way out.
	held, _, err := st.Lease(t.Context(), "pipeline", "b", time.Now(), time.Now().Add(time.Second))
	if err != nil || !held {
		t.Errorf("after Work failed, Lease by another = %v, %v; want it free", held, err)
	}
}

// Work that stops while the lease is held is a bug to report, not a
// reason to take the lease again in a tight loop.
func TestWorkStoppingOnItsOwnEndsRun(t *testing.T) {
	st := openStore(t)
	s := &lease.Singleton{Store: st, Names: []string{"pipeline"}, Owner: "a", TTL: ttl,
		Work: func(context.Context, string) error { return nil }}
	if err := s.Run(t.Context()); err == nil || !strings.Contains(err.Error(), "stopped on its own") {
		t.Fatalf("Run = %v; want an error saying the work stopped on its own", err)
	}
}

// Given several leases, each instance holds one, so N instances share N
// pieces of work; a spare instance takes the piece a stopped one held.
func TestInstancesShareSeveralLeasesOneEach(t *testing.T) {
	st := openStore(t)
	shards := []string{"shard:0", "shard:1"}
	var mu sync.Mutex
	holding := map[string]string{} // owner → shard
	single := func(owner string) *lease.Singleton {
		return &lease.Singleton{Store: st, Names: shards, Owner: owner, TTL: ttl,
			Work: func(ctx context.Context, name string) error {
				mu.Lock()
				holding[owner] = name
				mu.Unlock()
				<-ctx.Done()
				mu.Lock()
				delete(holding, owner)
				mu.Unlock()
				return nil
			}}
	}
	snapshot := func() map[string]string {
		mu.Lock()
		defer mu.Unlock()
		out := map[string]string{}
		for k, v := range holding {
			out[k] = v
		}
		return out
	}
	stopA, stopB := start(single("a")), start(single("b"))
	defer stopB()
	waitUntil(t, "a and b to hold a shard each", func() bool { return len(snapshot()) == 2 })
	if h := snapshot(); h["a"] == h["b"] {
		t.Fatalf("a and b hold the same shard: %v", h)
	}
	spare := &counting{Store: st}
	c := single("c")
	c.Store = spare
	stopC := start(c)
	defer stopC()
	waitUntil(t, "c to be turned away from both shards twice", func() bool { return spare.refused.Load() >= 4 })
	if _, ok := snapshot()["c"]; ok {
		t.Fatal("c took a shard while a and b held both")
	}
	aShard := snapshot()["a"]
	if err := stopA(); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "c to take a's shard", func() bool { return snapshot()["c"] == aShard })
	if h := snapshot(); h["b"] == h["c"] {
		t.Errorf("b and c hold the same shard: %v", h)
	}
}

func TestMissingFieldsAreAnError(t *testing.T) {
	if err := (&lease.Singleton{}).Run(t.Context()); err == nil {
		t.Error("Run with no store, name, owner or work succeeded")
	}
}
