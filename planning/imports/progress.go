package imports

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Progress is how far an import has come. The pipeline updates it; a
// progress bar or an HTTP status reads it at any time.
type Progress struct {
	Features      atomic.Int64 // read from the file
	Bytes         atomic.Int64 // of the file read
	TotalBytes    atomic.Int64 // the file's size, 0 unknown
	TotalFeatures atomic.Int64 // estimated (GDAL's count), 0 unknown
	phase         atomic.Pointer[string]
	start         time.Time
	phaseStart    atomic.Int64 // unix nanoseconds
}

// NewProgress starts the clock.
func NewProgress() *Progress {
	p := &Progress{start: time.Now()}
	p.SetPhase("queued")
	return p
}

// SetPhase names the current step: reading, checking, writing, done.
func (p *Progress) SetPhase(s string) {
	p.phase.Store(&s)
	p.phaseStart.Store(time.Now().UnixNano())
}

// ProgressSnapshot is Progress at one moment.
type ProgressSnapshot struct {
	Phase         string  `json:"phase"`
	Features      int64   `json:"features"`
	TotalFeatures int64   `json:"total_features,omitempty"`
	Bytes         int64   `json:"bytes"`
	TotalBytes    int64   `json:"total_bytes,omitempty"`
	Percent       float64 `json:"percent"`
	Rate          float64 `json:"features_per_second"`
	ElapsedMS     int64   `json:"elapsed_ms"`
}

// Snapshot reads the progress.
func (p *Progress) Snapshot() ProgressSnapshot {
	s := ProgressSnapshot{Phase: *p.phase.Load(), Features: p.Features.Load(), TotalFeatures: p.TotalFeatures.Load(),
		Bytes: p.Bytes.Load(), TotalBytes: p.TotalBytes.Load()}
	el := time.Since(p.start)
	s.ElapsedMS = el.Milliseconds()
	if el > 0 {
		s.Rate = float64(s.Features) / el.Seconds()
	}
	switch {
	case s.Phase == "done":
		s.Percent = 100
	case s.TotalBytes > 0 && s.Bytes > 0:
		s.Percent = min(100, 100*float64(s.Bytes)/float64(s.TotalBytes))
	case s.TotalFeatures > 0:
		s.Percent = min(100, 100*float64(s.Features)/float64(s.TotalFeatures))
	}
	return s
}

// Line renders the progress on one line (for a terminal or a log).
func (p *Progress) Line(width int) string {
	s := p.Snapshot()
	el := time.Duration(s.ElapsedMS) * time.Millisecond
	var b strings.Builder
	switch s.Phase {
	case "reading", "queued":
		fmt.Fprintf(&b, "reading  %s", thousands(s.Features))
		if s.TotalFeatures > 0 {
			fmt.Fprintf(&b, " / %s", thousands(s.TotalFeatures))
		}
		fmt.Fprintf(&b, " features  %s/s", thousands(int64(s.Rate)))
		if s.Percent > 0 && width > 0 {
			filled := int(s.Percent / 100 * float64(width))
			fmt.Fprintf(&b, "  [%s%s] %3.0f%%", strings.Repeat("=", filled), strings.Repeat(" ", width-filled), s.Percent)
		}
	default:
		since := time.Since(time.Unix(0, p.phaseStart.Load())).Round(time.Second)
		fmt.Fprintf(&b, "%-8s %s features (%s in this step)", s.Phase, thousands(s.Features), since)
	}
	fmt.Fprintf(&b, "  %s", clock(el))
	return b.String()
}

func clock(d time.Duration) string {
	d = d.Round(time.Second)
	return fmt.Sprintf("%d:%02d", int(d.Minutes()), int(d.Seconds())%60)
}

// thousands writes 1234567 as 1,234,567.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// ShowProgress draws p on w until stop is called: a bar redrawn in place
// five times a second on a terminal, else a line every interval (0: none).
func ShowProgress(w io.Writer, p *Progress, terminal bool, interval time.Duration) (stop func()) {
	if !terminal && interval <= 0 {
		return func() {}
	}
	every := interval
	if terminal {
		every = 200 * time.Millisecond
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				if terminal {
					fmt.Fprintf(w, "\r\x1b[K%s\n", p.Line(30))
				}
				return
			case <-t.C:
				if terminal {
					fmt.Fprintf(w, "\r\x1b[K%s", p.Line(30))
				} else {
					fmt.Fprintln(w, p.Line(0))
				}
			}
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { close(done); wg.Wait() }) }
}
