package planning

import "time"

// PoolStats describes a store's database connection pool, for metrics.
type PoolStats struct {
	Total, Idle, Acquired, Max int32
	Acquires, EmptyAcquires    int64
	AcquireWait                time.Duration
}
