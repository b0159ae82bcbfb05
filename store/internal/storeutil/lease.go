package storeutil

import (
	"errors"
	"fmt"
	"time"
)

// CheckLease validates the arguments of store.Store.Lease, the same way in
// both stores.
func CheckLease(name, owner string, now, until time.Time) error {
	switch {
	case name == "":
		return errors.New("lease: empty name")
	case owner == "":
		return fmt.Errorf("lease %q: empty owner", name)
	case now.IsZero():
		return fmt.Errorf("lease %q: now is zero", name)
	case !until.After(now):
		return fmt.Errorf("lease %q: until %s is not after now %s", name, until.Format(time.RFC3339Nano), now.Format(time.RFC3339Nano))
	}
	return nil
}
