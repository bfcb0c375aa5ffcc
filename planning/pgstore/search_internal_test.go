package pgstore

// SetNearestShared lowers nearestShared so that a small world takes the
// broad searches' path; restore puts it back.
func SetNearestShared(n int) (restore func()) {
	old := nearestShared
	nearestShared = n
	return func() { nearestShared = old }
}
