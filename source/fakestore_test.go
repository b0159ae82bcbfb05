package source

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/briefbot/briefbot/store"
	"github.com/briefbot/briefbot/story"
)

// fakeStore is an in-memory Store that follows store.Store's contract for
// the methods the poller uses: an item is new unless its key, or its link
// within the same source, is already known.
type fakeStore struct {
	mu      sync.Mutex
	sources map[string]*store.SourceState
	items   map[string][]storedItem // by source
	nextID  int64
	polls   []store.Poll // every RecordPoll, for assertions
	leases  map[string]fakeLease
}

type storedItem struct {
	story.Item
	pending bool
}

func newFakeStore() *fakeStore {
	return &fakeStore{sources: map[string]*store.SourceState{}, items: map[string][]storedItem{}}
}

func (s *fakeStore) EnsureSource(_ context.Context, name, url string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.sources[name]; ok {
		st.URL = url
		return nil
	}
	s.sources[name] = &store.SourceState{Name: name, URL: url}
	return nil
}

func (s *fakeStore) Source(_ context.Context, name string) (store.SourceState, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.sources[name]
	if !ok {
		return store.SourceState{}, store.ErrNotFound
	}
	return *st, nil
}

func (s *fakeStore) RecordPoll(_ context.Context, source string, p store.Poll) ([]story.Item, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.sources[source]
	if !ok {
		return nil, store.ErrNotFound
	}
	s.polls = append(s.polls, p)
	if p.Keep.Name != "" {
		s.leaseLocked(p.Keep.Name, p.Keep.Owner, p.At, p.Keep.Until)
	}
	st.LastPoll, st.LastSuccess = p.At, p.At
	st.Failures, st.LastError = 0, ""
	if p.NotModified {
		return nil, nil
	}
	st.ETag, st.LastModified, st.Primed = p.ETag, p.LastModified, true
	var pending, seen []story.Item
	for _, ni := range p.Items {
		if s.knownLocked(source, ni.Item) {
			continue
		}
		s.nextID++
		it := ni.Item
		it.ID = s.nextID
		isPending := ni.Pending && (p.MaxPending <= 0 || len(pending) < p.MaxPending)
		s.items[source] = append(s.items[source], storedItem{Item: it, pending: isPending})
		if isPending {
			pending = append(pending, it)
		} else {
			seen = append(seen, it)
		}
	}
	st.ItemsSeen += int64(len(pending) + len(seen))
	return append(pending, seen...), nil
}

func (s *fakeStore) knownLocked(source string, it story.Item) bool {
	for _, old := range s.items[source] {
		if old.Key == it.Key || (it.Link != "" && old.Link == it.Link) {
			return true
		}
	}
	return false
}

func (s *fakeStore) RecordFailure(_ context.Context, source string, at time.Time, reason string) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.sources[source]
	if !ok {
		return 0, store.ErrNotFound
	}
	st.LastPoll, st.LastErrorAt, st.LastError = at, at, reason
	st.Failures++
	return st.Failures, nil
}

func (s *fakeStore) SetSourceWarning(_ context.Context, source, warning string, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.sources[source]
	if !ok {
		return store.ErrNotFound
	}
	if warning == "" {
		at = time.Time{}
	}
	st.Warning, st.WarningAt = warning, at
	return nil
}

// pendingItems is what the pipeline would read with PendingItems.
func (s *fakeStore) pendingItems() []story.Item {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []story.Item
	for _, items := range s.items {
		for _, it := range items {
			if it.pending {
				out = append(out, it.Item)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func (s *fakeStore) count(source string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.items[source])
}

func (s *fakeStore) state(source string) store.SourceState {
	s.mu.Lock()
	defer s.mu.Unlock()
	return *s.sources[source]
}

type fakeLease struct {
	owner   string
	expires time.Time
}

// Lease follows store.Store.Lease: a lease is free once it expires, and
// its holder may extend it.
func (s *fakeStore) Lease(_ context.Context, name, owner string, now, until time.Time) (bool, time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	held, until := s.leaseLocked(name, owner, now, until)
	return held, until, nil
}

func (s *fakeStore) leaseLocked(name, owner string, now, until time.Time) (bool, time.Time) {
	if s.leases == nil {
		s.leases = map[string]fakeLease{}
	}
	l, ok := s.leases[name]
	if ok && l.owner != owner && l.expires.After(now) {
		return false, l.expires
	}
	s.leases[name] = fakeLease{owner, until}
	return true, until
}
