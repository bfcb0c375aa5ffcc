package pgstore

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// slowQueryLog logs statements that take longer than a threshold: the
// slow-query log an operator reads first when the map feels slow.
type slowQueryLog struct {
	threshold time.Duration
	log       *slog.Logger
}

type queryStartKey struct{}

type queryStart struct {
	at  time.Time
	sql string
}

func (t *slowQueryLog) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	return context.WithValue(ctx, queryStartKey{}, queryStart{time.Now(), data.SQL})
}

func (t *slowQueryLog) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryEndData) {
	st, ok := ctx.Value(queryStartKey{}).(queryStart)
	if !ok {
		return
	}
	if d := time.Since(st.at); d >= t.threshold {
		sql := strings.Join(strings.Fields(st.sql), " ")
		if len(sql) > 300 {
			sql = sql[:300] + "…"
		}
		t.log.Warn("slow query", "duration_ms", d.Milliseconds(), "sql", sql, "rows", data.CommandTag.RowsAffected(), "err", data.Err)
	}
}
