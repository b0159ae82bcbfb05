// Package lease runs work that only one of several briefbot instances
// sharing a database may do at a time (the pipeline, which writes stories
// through one in-memory story clusterer; a gateway shard), with another
// instance taking over within the lease's time when the holder dies.
package lease

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"time"
)

// Store is the part of store.Store a Singleton uses.
type Store interface {
	Lease(ctx context.Context, name, owner string, now, until time.Time) (held bool, heldUntil time.Time, err error)
	ReleaseLease(ctx context.Context, name, owner string) error
}

// Singleton runs Work on one instance at a time: the one holding the
// named lease. Given several names, it holds one of them, whichever is
// free, so N instances share N pieces of work (gateway shards).
type Singleton struct {
	Store Store
	// Names are the leases, e.g. "pipeline"; Work runs under one of them.
	Names []string
	Owner string // this instance
	// TTL is how long the lease lasts without renewal, so how long
	// another instance waits for a dead holder. It is renewed every TTL/3.
	// Default 15s.
	TTL time.Duration
	// Work runs while the lease name is held. Its context ends when the lease
	// is lost (not renewed in time) or Run's context ends; it must then
	// return promptly. Returning before that, with or without an error,
	// ends Run with an error.
	Work func(ctx context.Context, name string) error
	// OnChange, when set, is told when this instance starts and stops
	// holding the lease (for a metric).
	OnChange func(held bool)
	Log      *slog.Logger
	Now      func() time.Time
}

// DefaultTTL is Singleton.TTL's default.
const DefaultTTL = 15 * time.Second

// writeTimeout bounds the release at shutdown.
const writeTimeout = 5 * time.Second

// Run takes the lease whenever it is free, runs Work while it holds it,
// and gives it back when ctx ends, so another instance takes over at once.
// It returns nil when ctx ends, or an error when Work returns early.
//
// Leases compare the instances' clocks: a holder cut off from the
// database stops TTL/6 before its lease ends, so clocks must agree within
// that (NTP keeps them within milliseconds).
func (s *Singleton) Run(ctx context.Context) error {
	if s.Store == nil || len(s.Names) == 0 || slices.Contains(s.Names, "") || s.Owner == "" || s.Work == nil {
		return errors.New("lease: Singleton needs Store, Names, Owner and Work")
	}
	ttl := s.ttl()
	for {
		name, until, err := s.take(ctx)
		if ctx.Err() != nil {
			if name != "" { // taken just as shutdown began: give it straight back
				s.release(ctx, name, s.log().With(slog.String("lease", name)))
			}
			return nil
		}
		if name != "" {
			if err := s.hold(ctx, name, until); err != nil {
				return err
			}
			if ctx.Err() != nil {
				return nil
			}
			continue // lost it: try again at once, then as anyone else
		}
		wait := ttl / 3
		if err != nil {
			s.log().Warn("lease: taking the lease failed; will retry", slog.Any("leases", s.Names),
				slog.Duration("retry_in", wait), slog.Any("err", err))
		} else {
			// Come back when the holder's lease would end unless renewed,
			// but at least every TTL/3 in case it was given back.
			wait = min(max(until.Sub(s.now()), 0), wait)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait + jitter(ttl/10)):
		}
	}
}

// take asks for each lease in turn, from a random one on so that
// instances starting together do not all ask for the same one first, for
// one TTL. It returns the name it holds, or "" and the earliest time one of
// them may be free.
func (s *Singleton) take(ctx context.Context) (name string, until time.Time, err error) {
	first := rand.N(len(s.Names))
	for i := range s.Names {
		name := s.Names[(first+i)%len(s.Names)]
		now := s.now()
		held, heldUntil, err := s.Store.Lease(ctx, name, s.Owner, now, now.Add(s.ttl()))
		switch {
		case err != nil:
			return "", time.Time{}, err
		case held:
			return name, heldUntil, nil
		case until.IsZero() || heldUntil.Before(until):
			until = heldUntil
		}
	}
	return "", until, nil
}

// hold runs Work while renewing the lease name, until the lease is lost,
// ctx ends or Work returns. until is when the lease just taken ends.
func (s *Singleton) hold(ctx context.Context, name string, until time.Time) error {
	ttl := s.ttl()
	log := s.log().With(slog.String("lease", name), slog.String("owner", s.Owner))
	log.Info("lease: taken; this instance now does the work")
	s.changed(true)
	defer s.changed(false)

	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- s.Work(wctx, name) }()

	renew := time.NewTicker(ttl / 3)
	defer renew.Stop()
	for {
		// Stop before the lease can lapse, so two instances never work at
		// once: a renewal that has not succeeded by a sixth of the TTL
		// before the end gives the work up.
		expiry := time.NewTimer(max(until.Sub(s.now())-ttl/6, 0))
		select {
		case err := <-done:
			expiry.Stop()
			s.release(ctx, name, log)
			switch {
			case err != nil:
				return fmt.Errorf("lease %s: %w", name, err)
			case ctx.Err() == nil:
				// Taking the lease again at once would spin.
				return fmt.Errorf("lease %s: the work stopped on its own, without an error", name)
			}
			return nil
		case <-expiry.C:
			log.Error("lease: could not renew the lease in time; stopping the work so another instance can take it")
			cancel()
			return s.wait(name, done)
		case <-renew.C:
			expiry.Stop()
			now := s.now()
			// A renewal stuck on a slow database must not outlive the lease.
			rctx, rcancel := context.WithTimeout(ctx, ttl/6)
			held, _, err := s.Store.Lease(rctx, name, s.Owner, now, now.Add(ttl))
			rcancel()
			switch {
			case ctx.Err() != nil:
				// Shutting down: the next loop sees done or ctx.
			case err != nil:
				log.Warn("lease: renewing the lease failed; will retry", slog.Any("err", err))
			case !held:
				log.Error("lease: another instance took the lease; stopping the work")
				cancel()
				return s.wait(name, done)
			default:
				until = now.Add(ttl)
			}
		}
	}
}

// wait waits for Work to stop after its context was cancelled.
func (s *Singleton) wait(name string, done <-chan error) error {
	if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("lease %s: %w", name, err)
	}
	return nil
}

// release gives the lease back so another instance need not wait for it
// to expire; it is called when Work ends, usually at shutdown.
func (s *Singleton) release(ctx context.Context, name string, log *slog.Logger) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), writeTimeout)
	defer cancel()
	if err := s.Store.ReleaseLease(rctx, name, s.Owner); err != nil {
		log.Warn("lease: giving the lease back failed; another instance takes it when it expires", slog.Any("err", err))
		return
	}
	log.Info("lease: given back")
}

func (s *Singleton) changed(held bool) {
	if s.OnChange != nil {
		s.OnChange(held)
	}
}

func (s *Singleton) ttl() time.Duration {
	if s.TTL > 0 {
		return s.TTL
	}
	return DefaultTTL
}

func (s *Singleton) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Singleton) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.New(slog.DiscardHandler)
}

func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return rand.N(d)
}
