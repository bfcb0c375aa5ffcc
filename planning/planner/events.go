package planner

import (
	"context"
	"strings"
	"time"

	"github.com/hangzhou-hitech/landquota/planning"
)

// EventKind is one recorded step of the idle-land procedure (闲置土地处置,
// Order No. 53) on a parcel.
type EventKind string

const (
	EventDetermination EventKind = "idle_determination" // 闲置土地认定书: suspected idle land becomes determined
	EventDisposal      EventKind = "disposal_decision"  // 闲置土地处置决定书
	EventExtension     EventKind = "extension_granted"  // 延长动工开发期限
	EventFee           EventKind = "fee_levied"         // 征缴土地闲置费
	EventRecovery      EventKind = "land_recovered"     // 收回国有建设用地使用权
)

// EventKinds names the kinds in both languages, in procedure order.
var EventKinds = []struct {
	Code   EventKind `json:"code"`
	NameZh string    `json:"name_zh"`
	NameEn string    `json:"name_en"`
}{
	{EventDetermination, "闲置土地认定书", "Idle-land determination"},
	{EventDisposal, "闲置土地处置决定书", "Disposal decision"},
	{EventExtension, "延长动工开发期限", "Extension of the start granted"},
	{EventFee, "征缴土地闲置费", "Idle-land fee levied"},
	{EventRecovery, "收回土地使用权", "Land recovered"},
}

// IdleCause is whose delay made land idle (Order 53 第八条).
type IdleCause string

const (
	CauseEnterprise IdleCause = "enterprise" // 企业原因
	CauseGovernment IdleCause = "government" // 政府原因 or force majeure
)

// ParcelEvent is one recorded step. Dates are calendar days.
type ParcelEvent struct {
	ID         int64      `json:"id"`
	ParcelID   int64      `json:"parcel_id"`
	ParcelCode string     `json:"parcel_code"`
	Kind       EventKind  `json:"kind"`
	On         time.Time  `json:"-"`
	Document   string     `json:"document"`             // 文号
	Cause      IdleCause  `json:"cause,omitempty"`      // determinations (and optionally decisions)
	ExtendedTo *time.Time `json:"-"`                    // extensions: the new start date
	AmountWan  *float64   `json:"amount_wan,omitempty"` // fees: 万元
	Note       string     `json:"note"`
	RecordedBy string     `json:"recorded_by"`
	RecordedAt time.Time  `json:"recorded_at"`
	EventOn    string     `json:"event_on"`              // On as YYYY-MM-DD
	Extended   string     `json:"extended_to,omitempty"` // ExtendedTo as YYYY-MM-DD
}

// EventInput is an event as an admin or a file gives it, unchecked.
type EventInput struct {
	Kind       string   `json:"kind"`
	EventOn    string   `json:"event_on"`
	Document   string   `json:"document"`
	Cause      string   `json:"cause"`
	ExtendedTo string   `json:"extended_to"`
	AmountWan  *float64 `json:"amount_wan"`
	Note       string   `json:"note"`
}

func eventDay(field, s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil || t.Year() < 1990 || t.Year() > 2100 {
		return t, planning.Errorf(planning.ErrInvalid, "%s: %q is not a day between 1990 and 2100 (YYYY-MM-DD)", field, s).WithDetail("field", field)
	}
	return t, nil
}

// Check turns the input into an event, naming the first field that is
// wrong. The store adds the parcel and who recorded it, and checks the
// order of the procedure (no decision, fee or recovery before a
// determination).
func (in EventInput) Check() (ParcelEvent, error) {
	var e ParcelEvent
	e.Kind = EventKind(strings.TrimSpace(in.Kind))
	known := false
	var codes []string
	for _, k := range EventKinds {
		known = known || k.Code == e.Kind
		codes = append(codes, string(k.Code))
	}
	if !known {
		return e, planning.FieldError("kind", "unknown event kind %q (one of %s)", in.Kind, strings.Join(codes, ", "))
	}
	var err error
	if e.On, err = eventDay("event_on", in.EventOn); err != nil {
		return e, err
	}
	e.EventOn = e.On.Format(time.DateOnly)
	if e.Document = strings.TrimSpace(in.Document); e.Document == "" {
		return e, planning.FieldError("document", "the document number (文号) is required")
	}
	for _, part := range []func(EventInput, *ParcelEvent) error{EventInput.checkCause, EventInput.checkExtension, EventInput.checkFee} {
		if err := part(in, &e); err != nil {
			return e, err
		}
	}
	e.Note = strings.TrimSpace(in.Note)
	return e, nil
}

// checkCause: a determination says whose delay it was; only it and a
// disposal decision name a cause.
func (in EventInput) checkCause(e *ParcelEvent) error {
	switch c := IdleCause(strings.TrimSpace(in.Cause)); {
	case c == "" && e.Kind == EventDetermination:
		return planning.FieldError("cause", "a determination says whose delay it was: enterprise (企业原因) or government (政府原因)")
	case c != "" && c != CauseEnterprise && c != CauseGovernment:
		return planning.FieldError("cause", "unknown cause %q (enterprise or government)", in.Cause)
	case c != "" && e.Kind != EventDetermination && e.Kind != EventDisposal:
		return planning.FieldError("cause", "only a determination or a disposal decision names a cause")
	default:
		e.Cause = c
	}
	return nil
}

// checkExtension: an extension, and only it, has a new start after its day.
func (in EventInput) checkExtension(e *ParcelEvent) error {
	if e.Kind != EventExtension {
		if strings.TrimSpace(in.ExtendedTo) != "" {
			return planning.FieldError("extended_to", "only an extension has a new start date")
		}
		return nil
	}
	d, err := eventDay("extended_to", in.ExtendedTo)
	if err != nil {
		return err
	}
	if !d.After(e.On) {
		return planning.FieldError("extended_to", "the new start %s must be after the event day %s", d.Format(time.DateOnly), e.EventOn)
	}
	e.ExtendedTo, e.Extended = &d, d.Format(time.DateOnly)
	return nil
}

// checkFee: a levied fee, and only it, has an amount in 万元.
func (in EventInput) checkFee(e *ParcelEvent) error {
	if e.Kind != EventFee {
		if in.AmountWan != nil {
			return planning.FieldError("amount_wan", "only a levied fee has an amount")
		}
		return nil
	}
	if in.AmountWan == nil || *in.AmountWan < 0 || *in.AmountWan > 1e12 {
		return planning.FieldError("amount_wan", "a levied fee needs its amount in 万元 (0 or more)")
	}
	e.AmountWan = in.AmountWan
	return nil
}

// EventStore keeps the parcels' idle-land history.
type EventStore interface {
	// AddParcelEvent appends one checked event to a parcel (by id, or by
	// code when id is 0) and returns it as stored.
	AddParcelEvent(ctx context.Context, parcelID int64, parcelCode string, e ParcelEvent, by string) (ParcelEvent, error)
	// AddParcelEvents appends many events in one transaction: all or none.
	AddParcelEvents(ctx context.Context, codes []string, es []ParcelEvent, by string) (int, error)
	// ParcelEvents lists a parcel's events in date order.
	ParcelEvents(ctx context.Context, parcelID int64) ([]ParcelEvent, error)
}
