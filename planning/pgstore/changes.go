package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
)

// ChangesChannel is where migration 003 notifies one {layer, op, bbox}
// payload per statement that writes a geography table.
const ChangesChannel = "landquota_changes"

// ListenOptions tune ListenChangesWith. The zero value is ready to use.
type ListenOptions struct {
	// OnListen, if set, is called each time LISTEN is (re)established, after
	// the whole-layer changes that go with it were handed to onChange.
	OnListen func()
	// OnError, if set, is told why the connection failed or dropped, and how
	// long the listener waits before it tries again.
	OnError func(err error, retryIn time.Duration)
	// MinBackoff and MaxBackoff bound the wait between attempts to
	// reconnect; it doubles after each failure (defaults 250 ms and 30 s).
	MinBackoff, MaxBackoff time.Duration
	// PingEvery is how long the connection may stay silent before it is
	// checked with a ping, so a dead peer is noticed (default 30 s).
	PingEvery time.Duration
}

// ListenChanges hands every change notification to onChange until ctx ends,
// then returns nil. See ListenChangesWith.
func (s *Store) ListenChanges(ctx context.Context, onChange func(planning.Change)) error {
	return s.ListenChangesWith(ctx, ListenOptions{}, onChange)
}

// ListenChangesWith holds one dedicated connection (outside the pool) that
// LISTENs on ChangesChannel and hands each notification to onChange, in
// order, from this goroutine. If the connection fails or drops it reconnects
// with exponential backoff. Notifications sent while nobody listened are
// lost, so each time LISTEN is established (the first time too) onChange
// first gets a whole-layer change (nil BBox) for every layer: a cache
// filled before then must not be trusted. A payload that cannot be read
// is treated the same way. It returns nil when ctx ends.
func (s *Store) ListenChangesWith(ctx context.Context, o ListenOptions, onChange func(planning.Change)) error {
	if o.MinBackoff <= 0 {
		o.MinBackoff = 250 * time.Millisecond
	}
	if o.MaxBackoff < o.MinBackoff {
		o.MaxBackoff = max(30*time.Second, o.MinBackoff)
	}
	if o.PingEvery <= 0 {
		o.PingEvery = 30 * time.Second
	}
	backoff := o.MinBackoff
	for {
		listened, err := s.listen(ctx, o, onChange)
		if ctx.Err() != nil {
			return nil
		}
		if listened {
			backoff = o.MinBackoff // it worked for a while: start over
		}
		if o.OnError != nil {
			o.OnError(err, backoff)
		}
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		backoff = min(2*backoff, o.MaxBackoff)
	}
}

// listen runs one connection until it fails; listened says whether LISTEN
// was established on it.
func (s *Store) listen(ctx context.Context, o ListenOptions, onChange func(planning.Change)) (listened bool, err error) {
	cfg := s.pool.Config().ConnConfig.Copy()
	cfg.RuntimeParams["application_name"] = "landquota-listen"
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return false, fmt.Errorf("listen: connect: %w", err)
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		conn.Close(cctx)
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+ChangesChannel); err != nil {
		return false, fmt.Errorf("listen: %w", err)
	}
	flushAll(onChange)
	if o.OnListen != nil {
		o.OnListen()
	}
	for {
		wctx, cancel := context.WithTimeout(ctx, o.PingEvery)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case err == nil:
			ch, perr := parseChange(n.Payload)
			if perr != nil {
				if o.OnError != nil {
					o.OnError(perr, 0)
				}
				flushAll(onChange)
				continue
			}
			onChange(ch)
		case ctx.Err() != nil:
			return true, ctx.Err()
		case errors.Is(err, context.DeadlineExceeded) || wctx.Err() != nil:
			// Quiet for a while: make sure the server is still there.
			if err := conn.Ping(ctx); err != nil {
				return true, fmt.Errorf("listen: ping: %w", err)
			}
		default:
			return true, fmt.Errorf("listen: %w", err)
		}
	}
}

func flushAll(onChange func(planning.Change)) {
	for _, l := range planning.LayerNames {
		onChange(planning.Change{Layer: l})
	}
}

// parseChange reads a payload of lq_notify_change().
func parseChange(payload string) (planning.Change, error) {
	var p struct {
		Layer string    `json:"layer"`
		BBox  []float64 `json:"bbox"`
	}
	if err := json.Unmarshal([]byte(payload), &p); err != nil || p.Layer == "" || (p.BBox != nil && len(p.BBox) != 4) {
		return planning.Change{}, fmt.Errorf("listen: unreadable notification %q", payload)
	}
	ch := planning.Change{Layer: p.Layer}
	if b := p.BBox; b != nil {
		ch.BBox = &orb.Bound{Min: orb.Point{b[0], b[1]}, Max: orb.Point{b[2], b[3]}}
	}
	return ch, nil
}
