package pgstore_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/amount"
	"github.com/hangzhou-hitech/landquota/planning/quota"
)

// A refusal the schema raises itself (a balance too short, LQ409) reads in
// Chinese like any refusal written in Go, with the figures the database put
// in it, and stays as the database wrote it in English.
func TestRaisedMessagesInChinese(t *testing.T) {
	s := planStore(t)
	_, err := s.Book(context.Background(), quota.Booking{Year: 2026, Kind: quota.KindNewConstruction, Entry: quota.EntryAllocate,
		From: "330111", To: "330111/BINFU", AmountM2: 12_345 * amount.PerM2, Reason: "too much", By: "tester", IdempotencyKey: "short-1"})
	var e *planning.Error
	if !errors.As(err, &e) || e.Code != planning.ErrConflict {
		t.Fatalf("booking from an empty account: %v", err)
	}
	en, zh := e.In(planning.LangEn), e.In(planning.LangZh)
	if en != e.Message || !strings.Contains(en, "more would be needed") {
		t.Errorf("English %q, Message %q", en, e.Message)
	}
	if !strings.HasPrefix(zh, "账户 330111 结余 0.00 平方米") || !strings.Contains(zh, "尚缺 12345.00 平方米（1.23 公顷，18.52 亩）") || strings.Contains(zh, "needed") {
		t.Errorf("Chinese %q (from %q)", zh, en)
	}
}
