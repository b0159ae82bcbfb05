package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/store"
)

// lease calls st.Lease and fails the test on error.
func lease(t *testing.T, st store.Store, name, owner string, now, until time.Time) (bool, time.Time) {
	t.Helper()
	held, heldUntil, err := st.Lease(t.Context(), name, owner, now, until)
	if err != nil {
		t.Fatalf("Lease(%q, %q): %v", name, owner, err)
	}
	return held, heldUntil
}

func (s *suite) leaseTests() []test {
	return []test{
		{"a lease is exclusive until it expires, then free", func(t *testing.T) {
			st, _ := s.fresh(t)
			steps := []struct {
				what      string
				owner     string
				now       time.Duration
				until     time.Duration
				held      bool
				heldUntil time.Duration
			}{
				{"a free lease is granted", "a", 0, time.Minute, true, time.Minute},
				{"another owner is turned away, told until when", "b", 30 * time.Second, 2 * time.Minute, false, time.Minute},
				{"the holder extends it", "a", 40 * time.Second, 3 * time.Minute, true, 3 * time.Minute},
				{"the other still waits for the new expiry", "b", 2 * time.Minute, 4 * time.Minute, false, 3 * time.Minute},
				{"the holder shortens it", "a", 2 * time.Minute, 2*time.Minute + time.Second, true, 2*time.Minute + time.Second},
				{"1ns before expiry it is still held", "b", 2*time.Minute + time.Second - time.Nanosecond, 5 * time.Minute, false, 2*time.Minute + time.Second},
				{"at expiry another owner takes it over", "b", 2*time.Minute + time.Second, 5 * time.Minute, true, 5 * time.Minute},
				{"and the old holder is now turned away", "a", 3 * time.Minute, 6 * time.Minute, false, 5 * time.Minute},
			}
			for _, step := range steps {
				held, until := lease(t, st, "poll:src", step.owner, at(step.now), at(step.until))
				if held != step.held {
					t.Errorf("%s: held = %v, want %v", step.what, held, step.held)
				}
				s.checkTime(t, step.what+": heldUntil", at(step.heldUntil), until)
			}
		}},
		{"a poll's record keeps its lease in the same write", func(t *testing.T) {
			st, _ := s.fresh(t)
			for _, src := range []string{"mine", "theirs", "free"} {
				if err := st.EnsureSource(t.Context(), src, "https://"+src+".example/feed"); err != nil {
					t.Fatal(err)
				}
			}
			lease(t, st, "poll:mine", "a", t0, at(time.Minute))
			lease(t, st, "poll:theirs", "b", t0, at(time.Minute))
			steps := []struct {
				what, source string
				notModified  bool
				held         bool // for a afterwards
				heldUntil    time.Duration
			}{
				{"an own lease is moved to the next poll", "mine", true, true, 5 * time.Minute},
				{"another owner's lease is left alone, the poll recorded", "theirs", false, false, time.Minute},
				{"a lease nobody held is taken", "free", true, true, 5 * time.Minute},
			}
			for _, step := range steps {
				p := store.Poll{At: at(10 * time.Second), NotModified: step.notModified, ETag: `"e"`,
					Keep: store.LeaseKeep{Name: "poll:" + step.source, Owner: "a", Until: at(5 * time.Minute)}}
				if _, err := st.RecordPoll(t.Context(), step.source, p); err != nil {
					t.Fatalf("%s: RecordPoll: %v", step.what, err)
				}
				src, err := st.Source(t.Context(), step.source)
				if err != nil {
					t.Fatal(err)
				}
				s.checkTime(t, step.what+": last poll", at(10*time.Second), src.LastPoll)
				// Probe with a third owner just after the poll.
				held, until := lease(t, st, "poll:"+step.source, "c", at(20*time.Second), at(30*time.Second))
				if held {
					t.Errorf("%s: a third owner took the lease", step.what)
					continue
				}
				s.checkTime(t, step.what+": heldUntil", at(step.heldUntil), until)
			}
			// A keep that could not be a lease fails the poll, recording nothing.
			bad := store.Poll{At: at(time.Hour), Keep: store.LeaseKeep{Name: "poll:mine", Owner: "a", Until: at(time.Hour)}}
			if _, err := st.RecordPoll(t.Context(), "mine", bad); err == nil {
				t.Error("RecordPoll accepted a keep that ends when it starts")
			}
			if src, err := st.Source(t.Context(), "mine"); err != nil || s.sameTime(at(time.Hour), src.LastPoll) {
				t.Errorf("a RecordPoll with a bad keep was recorded (%v)", err)
			}
		}},
		{"names are independent", func(t *testing.T) {
			st, _ := s.fresh(t)
			if held, _ := lease(t, st, "poll:a", "one", t0, at(time.Minute)); !held {
				t.Fatal("poll:a not granted")
			}
			if held, _ := lease(t, st, "poll:b", "two", t0, at(time.Minute)); !held {
				t.Error("poll:b not granted to another owner while poll:a is held")
			}
			if held, _ := lease(t, st, "pipeline", "two", t0, at(time.Minute)); !held {
				t.Error("pipeline not granted while poll leases are held")
			}
		}},
		{"release frees the owner's lease only", func(t *testing.T) {
			st, _ := s.fresh(t)
			lease(t, st, "pipeline", "a", t0, at(time.Hour))
			if err := st.ReleaseLease(t.Context(), "pipeline", "b"); err != nil {
				t.Fatalf("ReleaseLease by another owner: %v", err)
			}
			if held, _ := lease(t, st, "pipeline", "b", at(time.Second), at(time.Minute)); held {
				t.Fatal("another owner's release freed the lease")
			}
			if err := st.ReleaseLease(t.Context(), "pipeline", "a"); err != nil {
				t.Fatalf("ReleaseLease: %v", err)
			}
			if held, _ := lease(t, st, "pipeline", "b", at(time.Second), at(time.Minute)); !held {
				t.Error("released lease not granted to the next owner before its old expiry")
			}
			if err := st.ReleaseLease(t.Context(), "never-leased", "a"); err != nil {
				t.Errorf("releasing a lease nobody holds: %v; want nil", err)
			}
		}},
		{"bad arguments are errors", func(t *testing.T) {
			st, _ := s.fresh(t)
			for _, tc := range []struct {
				what, name, owner string
				now, until        time.Time
			}{
				{"empty name", "", "a", t0, at(time.Minute)},
				{"empty owner", "x", "", t0, at(time.Minute)},
				{"zero now", "x", "a", time.Time{}, at(time.Minute)},
				{"until not after now", "x", "a", t0, t0},
			} {
				if _, _, err := st.Lease(t.Context(), tc.name, tc.owner, tc.now, tc.until); err == nil {
					t.Errorf("%s: Lease succeeded; want an error", tc.what)
				}
			}
			// Nothing was taken by the failed calls.
			if held, _ := lease(t, st, "x", "b", t0, at(time.Minute)); !held {
				t.Error("a rejected call left the lease held")
			}
		}},
		{"leases are shared by every handle on the database and survive reopening", func(t *testing.T) {
			st, open := s.fresh(t)
			lease(t, st, "poll:src", "a", t0, at(time.Hour))
			if err := st.Close(); err != nil {
				t.Fatal(err)
			}
			other := s.open(t, open)
			if held, until := lease(t, other, "poll:src", "b", at(time.Minute), at(2*time.Minute)); held {
				t.Error("lease lost by reopening the database")
			} else {
				s.checkTime(t, "heldUntil after reopening", at(time.Hour), until)
			}
		}},
		{"racing owners on several handles: exactly one wins each round", func(t *testing.T) {
			_, open := s.fresh(t)
			const handles, perHandle, rounds = 3, 4, 10
			sts := make([]store.Store, handles)
			for i := range sts {
				sts[i] = s.open(t, open)
			}
			for r := range rounds {
				// Each round starts when the previous round's lease has expired.
				now := at(time.Duration(r) * time.Minute)
				var (
					wg      sync.WaitGroup
					mu      sync.Mutex
					winners []string
					errs    []error
				)
				for h, st := range sts {
					for g := range perHandle {
						owner := fmt.Sprintf("h%d-g%d", h, g)
						wg.Go(func() {
							held, _, err := st.Lease(t.Context(), "pipeline", owner, now, now.Add(time.Minute))
							mu.Lock()
							defer mu.Unlock()
							if err != nil {
								errs = append(errs, err)
							} else if held {
								winners = append(winners, owner)
							}
						})
					}
				}
				wg.Wait()
				if len(errs) > 0 {
					t.Fatalf("round %d: %v", r, errs)
				}
				if len(winners) != 1 {
					t.Fatalf("round %d: winners %v; want exactly one", r, winners)
				}
			}
		}},
	}
}
