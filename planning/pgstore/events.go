package pgstore

import (
	"context"
	"errors"
	"sort"
	"time"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/planner"
	"github.com/jackc/pgx/v5"
)

// needsDetermination are the steps Order No. 53 takes only after the land
// was determined idle (认定).
var needsDetermination = map[planner.EventKind]bool{
	planner.EventDisposal: true, planner.EventFee: true, planner.EventRecovery: true,
}

// addEvent appends e to the parcel in tx. The parcel row is locked so two
// admins recording steps of one parcel see each other's.
func addEvent(ctx context.Context, tx pgx.Tx, parcelID int64, code string, e planner.ParcelEvent, by string) (planner.ParcelEvent, error) {
	err := tx.QueryRow(ctx, `SELECT id, code FROM parcels WHERE ($1::bigint > 0 AND id = $1) OR ($1::bigint = 0 AND code = $2) FOR UPDATE`,
		parcelID, code).Scan(&e.ParcelID, &e.ParcelCode)
	if isNoRows(err) {
		if parcelID > 0 {
			return e, planning.Errorf(planning.ErrNotFound, "parcel %d does not exist", parcelID)
		}
		return e, planning.Errorf(planning.ErrInvalid, "parcel_code: no parcel has the code %q", code).WithDetail("field", "parcel_code")
	}
	if err != nil {
		return e, domainError(err)
	}
	if needsDetermination[e.Kind] {
		var determined bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM parcel_events WHERE parcel_id = $1 AND kind = 'idle_determination' AND event_on <= $2)`,
			e.ParcelID, e.On).Scan(&determined); err != nil {
			return e, domainError(err)
		}
		if !determined {
			return e, planning.Errorf(planning.ErrInvalid, "kind: parcel %s has no idle-land determination (认定书) on or before %s; record it first",
				e.ParcelCode, e.EventOn).WithDetail("field", "kind")
		}
	}
	var cause *string
	if e.Cause != "" {
		c := string(e.Cause)
		cause = &c
	}
	e.RecordedBy = by
	err = tx.QueryRow(ctx, `INSERT INTO parcel_events (parcel_id, kind, event_on, document, cause, extended_to, amount_wan, note, recorded_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id, recorded_at`,
		e.ParcelID, string(e.Kind), e.On, e.Document, cause, e.ExtendedTo, e.AmountWan, e.Note, by).Scan(&e.ID, &e.RecordedAt)
	return e, domainError(err)
}

// AddParcelEvent implements planner.EventStore.
func (s *LandStore) AddParcelEvent(ctx context.Context, parcelID int64, code string, e planner.ParcelEvent, by string) (planner.ParcelEvent, error) {
	var out planner.ParcelEvent
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		out, err = addEvent(ctx, tx, parcelID, code, e, by)
		return err
	})
	return out, err
}

// AddParcelEvents implements planner.EventStore: in date order, so a file
// may list a determination and its decision in any order; one transaction.
func (s *LandStore) AddParcelEvents(ctx context.Context, codes []string, es []planner.ParcelEvent, by string) (int, error) {
	if len(codes) != len(es) {
		return 0, planning.Errorf(planning.ErrInvalid, "%d parcel codes for %d events", len(codes), len(es))
	}
	order := make([]int, len(es))
	for i := range order {
		order[i] = i
	}
	// By day, a determination first on its day.
	sort.SliceStable(order, func(a, b int) bool {
		x, y := es[order[a]], es[order[b]]
		if !x.On.Equal(y.On) {
			return x.On.Before(y.On)
		}
		return x.Kind == planner.EventDetermination && y.Kind != planner.EventDetermination
	})
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		for _, i := range order {
			if _, err := addEvent(ctx, tx, 0, codes[i], es[i], by); err != nil {
				var pe *planning.Error
				if errors.As(err, &pe) {
					at := planning.Errorf(pe.Code, "event %d: %s", i+1, pe).WithCause(pe.Err)
					at.Details = pe.Details
					return at.WithDetail("row", i+1)
				}
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(es), nil
}

// ParcelEvents implements planner.EventStore.
func (s *LandStore) ParcelEvents(ctx context.Context, parcelID int64) ([]planner.ParcelEvent, error) {
	var exists bool
	if err := s.pool.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM parcels WHERE id = $1)", parcelID).Scan(&exists); err != nil {
		return nil, domainError(err)
	}
	if !exists {
		return nil, planning.Errorf(planning.ErrNotFound, "parcel %d does not exist", parcelID)
	}
	rows, err := s.pool.Query(ctx, `SELECT e.id, e.parcel_id, p.code, e.kind, e.event_on, e.document, coalesce(e.cause, ''),
		e.extended_to, e.amount_wan::float8, e.note, e.recorded_by, e.recorded_at
		FROM parcel_events e JOIN parcels p ON p.id = e.parcel_id WHERE e.parcel_id = $1 ORDER BY e.event_on, e.id`, parcelID)
	if err != nil {
		return nil, domainError(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (planner.ParcelEvent, error) {
		var e planner.ParcelEvent
		err := r.Scan(&e.ID, &e.ParcelID, &e.ParcelCode, &e.Kind, &e.On, &e.Document, &e.Cause,
			&e.ExtendedTo, &e.AmountWan, &e.Note, &e.RecordedBy, &e.RecordedAt)
		e.EventOn = e.On.Format(time.DateOnly)
		if e.ExtendedTo != nil {
			e.Extended = e.ExtendedTo.Format(time.DateOnly)
		}
		return e, err
	})
	return out, domainError(err)
}
