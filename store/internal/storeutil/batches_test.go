package storeutil

import (
	"context"
	"errors"
	"testing"
)

func TestInBatches(t *testing.T) {
	sizes := []int64{10, 10, 3, 10}
	calls := 0
	err := InBatches(context.Background(), 10, func() (int64, error) {
		calls++
		return sizes[calls-1], nil
	})
	if err != nil || calls != 3 {
		t.Errorf("InBatches = %v after %d calls, want nil after 3 (the first short batch ends it)", err, calls)
	}
	boom := errors.New("boom")
	if err := InBatches(context.Background(), 10, func() (int64, error) { return 0, boom }); !errors.Is(err, boom) {
		t.Errorf("err = %v, want the batch's error", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	calls = 0
	err = InBatches(ctx, 10, func() (int64, error) {
		calls++
		cancel()
		return 10, nil
	})
	if !errors.Is(err, context.Canceled) || calls != 1 {
		t.Errorf("after cancel: %v after %d calls, want context.Canceled after 1", err, calls)
	}
}
