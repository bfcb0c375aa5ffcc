package main

// The database fault test (issue 8): PostgreSQL restarts while the server is
// under load. Run by scripts/fault-test.sh on a cluster of its own (the
// shared test cluster must never be restarted), so it is skipped unless
// LANDQUOTA_FAULT_DATABASE_URL and LANDQUOTA_FAULT_RESTART (a shell command
// that restarts that cluster, leaving it down for a moment) are set.
//
// Every grant request ends in one of three outcomes, as its client saw it:
//
//   - acknowledged: 201 with an entry id. The entry must be in the ledger,
//     exactly once, with that id.
//   - refused: any 4xx, or a 503 that says nothing was saved. The key must
//     not be in the ledger.
//   - unknown: the client got no answer (transport error, timeout), or a 503
//     whose details say outcome "unknown": the connection to the database
//     died after the change was sent, so even the server cannot know whether
//     the COMMIT happened. The idempotency key is what makes this safe: the
//     client retries with the same key once the service is back and gets
//     either the entry booked the first time or a new one, never two. After
//     those retries every such key is in the ledger exactly once.
//
// Besides, during the outage requests get a 503 whose JSON message says the
// database is unavailable (never a 500), /readyz turns 503, nothing takes
// longer than the statement timeout and a margin, the server recovers by
// itself when the database is back, and every account's cached balance is
// still the sum of its ledger entries.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hangzhou-hitech/landquota/planning/pgstore/pgtest"
	"github.com/jackc/pgx/v5"
)

const (
	faultStatementTimeout = 5 * time.Second
	faultMaxLatency       = faultStatementTimeout + 10*time.Second // the bound on any one request
	faultClients          = 8
	faultLoad             = 10 * time.Second // how long the clients run
	faultRestartAfter     = 3 * time.Second  // into the load
	faultRecovery         = 20 * time.Second // the service must be back this soon after the database
)

type faultOutcome string

const (
	faultAcked     faultOutcome = "acknowledged"
	faultRefused   faultOutcome = "refused"
	faultUnknown   faultOutcome = "unknown"
	faultOK        faultOutcome = "ok"        // a read that answered in full
	faultTruncated faultOutcome = "truncated" // a read whose 200 body broke off
)

// faultResult is one request as its client saw it.
type faultResult struct {
	what       string // grant, layer, tile
	key        string // grants: the idempotency key
	body       []byte // grants: the request, for a retry
	status     int
	entryID    int64
	code       string
	message    string
	outcome    faultOutcome
	retryAfter string
	err        error
	start, end time.Time
}

func TestDatabaseRestartUnderLoad(t *testing.T) {
	db, restart := os.Getenv("LANDQUOTA_FAULT_DATABASE_URL"), os.Getenv("LANDQUOTA_FAULT_RESTART")
	if db == "" || restart == "" {
		t.Skip("LANDQUOTA_FAULT_DATABASE_URL and LANDQUOTA_FAULT_RESTART not set: run scripts/fault-test.sh")
	}
	ctx := context.Background()
	faultRecreateDatabase(t, db)
	must(t, db, "migrate")
	must(t, db, "seed", "--parcels", "1500", "--seed", "8", "--projects-per-area", "8")
	token := adminToken(t, db, "faulty", "fault test password")

	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	projects, tiles, bboxes := faultTargets(t, conn)
	var funding [][2]string // parent, child: districts before parks
	rows, err := conn.Query(ctx, `SELECT p.code, a.code FROM quota_accounts a JOIN quota_accounts p ON p.id = a.parent_id
		WHERE a.kind IN ('district', 'park') ORDER BY a.kind = 'park', a.code`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var f [2]string
		if err := rows.Scan(&f[0], &f[1]); err != nil {
			t.Fatal(err)
		}
		funding = append(funding, f)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	// Flush the seed now, so the restart's shutdown checkpoint is short.
	if _, err := conn.Exec(ctx, "CHECKPOINT"); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)

	base, logs := serveBase(t, db, "--statement-timeout", faultStatementTimeout.String(), "--max-conns", "8")
	client := &http.Client{Timeout: 2 * faultMaxLatency, Transport: &http.Transport{MaxIdleConnsPerHost: 2 * faultClients}}
	grant := func(key string, project int64, amount float64) faultResult {
		body, _ := json.Marshal(map[string]any{"year": 2026, "project_id": project, "action": "grant", "amount_m2": amount,
			"reason": "故障演练 fault test", "idempotency_key": key})
		return faultPost(client, base+"/api/grants", token, key, body)
	}
	// Enough quota in every district and park earmark for all the grants.
	for _, a := range funding {
		body, _ := json.Marshal(map[string]any{"entry": "allocate", "from": a[0], "to": a[1], "amount_m2": 50000,
			"reason": "故障演练备付 fault test funding", "idempotency_key": "fund-" + a[1]})
		if r := faultPost(client, base+"/api/plans/2026/ledger", token, "", body); r.outcome != faultAcked {
			t.Fatalf("funding %s from %s: %d %s", a[1], a[0], r.status, r.message)
		}
	}
	// Grants outside the load (warm-up, recovery probes), for the ledger check.
	var extra []faultResult
	if r := grant("fault-warmup", projects[0], 1); r.outcome != faultAcked {
		t.Fatalf("a grant before the fault: %+v\nserver log:\n%s", r, logs.String())
	} else {
		extra = append(extra, r)
	}
	if s, _ := faultReady(client, base); s != 200 {
		t.Fatalf("/readyz before the fault: %d", s)
	}

	// The load, the restart in its middle, and /readyz watched throughout.
	var (
		mu      sync.Mutex
		results []faultResult
		wg      sync.WaitGroup
	)
	record := func(r faultResult) {
		mu.Lock()
		results = append(results, r)
		mu.Unlock()
		if r.status == http.StatusServiceUnavailable || r.err != nil {
			time.Sleep(50 * time.Millisecond) // as a client should, if less than Retry-After
		}
	}
	loadStart := time.Now()
	stopAt := loadStart.Add(faultLoad)
	for c := 0; c < faultClients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for n := 0; time.Now().Before(stopAt); n++ {
				switch {
				case n%4 != 3:
					key := fmt.Sprintf("fault-%d-%d", c, n)
					record(grant(key, projects[(c*7+n)%len(projects)], float64(1+n%9)))
				case n%8 == 3:
					b := bboxes[(c+n)%len(bboxes)]
					record(faultGet(client, fmt.Sprintf("%s/api/layers/parcels?limit=200&bbox=%.6f,%.6f,%.6f,%.6f", base, b[0], b[1], b[2], b[3]), "layer"))
				default:
					z := tiles[(c+n)%len(tiles)]
					record(faultGet(client, fmt.Sprintf("%s/tiles/parcels/%d/%d/%d.mvt", base, z[0], z[1], z[2]), "tile"))
				}
			}
		}(c)
	}
	type readiness struct {
		at      time.Time
		status  int
		message string
	}
	var ready []readiness
	watchDone := make(chan struct{})
	stopWatch := make(chan struct{})
	go func() {
		defer close(watchDone)
		for {
			s, msg := faultReady(client, base)
			ready = append(ready, readiness{time.Now(), s, msg})
			select {
			case <-stopWatch:
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()
	time.Sleep(time.Until(loadStart.Add(faultRestartAfter)))
	downAt := time.Now()
	rs := exec.Command("sh", "-c", restart)
	restartOut, err := rs.CombinedOutput()
	upAt := time.Now()
	if err != nil {
		close(stopWatch)
		wg.Wait()
		t.Fatalf("restart command %q: %v\n%s", restart, err, restartOut)
	}
	t.Logf("restart command took %s: %s", upAt.Sub(downAt).Round(time.Millisecond), strings.TrimSpace(string(restartOut)))
	wg.Wait()

	// Recovery by itself: the same server, no restart, books again soon.
	var recovered time.Time
	for i := 0; time.Since(upAt) < faultRecovery; i++ {
		r := grant(fmt.Sprintf("fault-recover-%d", i), projects[0], 1)
		extra = append(extra, r)
		if r.outcome == faultAcked {
			if s, _ := faultReady(client, base); s == 200 {
				recovered = time.Now()
				break
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	close(stopWatch)
	<-watchDone
	if recovered.IsZero() {
		t.Fatalf("the service did not recover within %s of the database coming back\nserver log:\n%s", faultRecovery, faultTail(logs.String(), 60))
	}

	// Tally, and the promises made while the database was away.
	count := map[string]map[faultOutcome]int{}
	var maxLatency time.Duration
	var slowest faultResult
	var unavailable503, bad5xx []faultResult
	var loadEnd, first503, last503, backAt time.Time
	for _, r := range results {
		if r.end.After(loadEnd) {
			loadEnd = r.end
		}
		if count[r.what] == nil {
			count[r.what] = map[faultOutcome]int{}
		}
		count[r.what][r.outcome]++
		if d := r.end.Sub(r.start); d > maxLatency {
			maxLatency, slowest = d, r
		}
		if r.status == 503 && r.code == "unavailable" && strings.Contains(r.message, "database is unavailable") {
			unavailable503 = append(unavailable503, r)
			if first503.IsZero() || r.start.Before(first503) {
				first503 = r.start
			}
			if r.end.After(last503) {
				last503 = r.end
			}
			if r.retryAfter == "" {
				t.Errorf("a 503 without Retry-After: %s %q", r.what, r.message)
			}
		} else if r.status >= 500 {
			bad5xx = append(bad5xx, r)
		}
	}
	for _, r := range results { // the first grant booked after the last 503
		if r.outcome == faultAcked && r.start.After(last503) && (backAt.IsZero() || r.end.Before(backAt)) {
			backAt = r.end
		}
	}
	var firstNotReady, lastNotReady time.Time
	for _, s := range ready {
		if s.status != 200 {
			if firstNotReady.IsZero() {
				firstNotReady = s.at
			}
			lastNotReady = s.at
			if s.status != 503 || !strings.Contains(s.message, "database") {
				t.Errorf("/readyz during the outage: %d %q, want 503 saying the database is unavailable", s.status, s.message)
			}
		}
	}
	t.Logf("%d requests by %d clients over %s: %v", len(results), faultClients, loadEnd.Sub(loadStart).Round(time.Millisecond), count)
	t.Logf("restart command from +%s to +%s; 503s from +%s to +%s; /readyz 503 from +%s to +%s; first grant booked again at +%s",
		faultSince(loadStart, downAt), faultSince(loadStart, upAt), faultSince(loadStart, first503), faultSince(loadStart, last503),
		faultSince(loadStart, firstNotReady), faultSince(loadStart, lastNotReady), faultSince(loadStart, backAt))
	t.Logf("slowest request %s (%s, %d %s %v); %d answered 503 'database is unavailable'",
		maxLatency.Round(time.Millisecond), slowest.what, slowest.status, slowest.code, slowest.err, len(unavailable503))
	if len(unavailable503) == 0 {
		t.Errorf("no request got a 503 saying the database is unavailable during the outage")
	}
	for i, r := range bad5xx {
		if i < 10 {
			t.Errorf("%s answered %d %s %q during the fault; want 503 unavailable", r.what, r.status, r.code, r.message)
		}
	}
	if firstNotReady.IsZero() {
		t.Errorf("/readyz never answered 503 while the database was down")
	}
	if maxLatency > faultMaxLatency {
		t.Errorf("a request took %s, more than the statement timeout %s and a margin (%s): %+v", maxLatency, faultStatementTimeout, faultMaxLatency, slowest)
	}

	conn, err = pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)

	// The unknown outcomes: see which got booked before anyone retried (the
	// COMMIT went through, its answer was lost), then retry each with its key
	// until it is answered: the booked ones must come back as they are.
	var unknown []*faultResult
	var unknownKeys []string
	for i := range results {
		if results[i].what == "grant" && results[i].outcome == faultUnknown {
			unknown = append(unknown, &results[i])
			unknownKeys = append(unknownKeys, results[i].key)
		}
	}
	before := map[string]int64{}
	rows, err = conn.Query(ctx, "SELECT idempotency_key, id FROM ledger_entries WHERE idempotency_key = ANY($1)", unknownKeys)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k string
		var id int64
		if err := rows.Scan(&k, &id); err != nil {
			t.Fatal(err)
		}
		before[k] = id
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for _, r := range unknown {
		var again faultResult
		for deadline := time.Now().Add(faultRecovery); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
			if again = faultPost(client, base+"/api/grants", token, r.key, r.body); again.outcome != faultUnknown && again.status != 503 {
				break
			}
		}
		if again.outcome != faultAcked {
			t.Errorf("retrying %s after an unknown outcome: %d %s %q %v", r.key, again.status, again.code, again.message, again.err)
			continue
		}
		if id, ok := before[r.key]; ok && again.entryID != id {
			t.Errorf("%s was booked as entry %d before the retry, which answered entry %d", r.key, id, again.entryID)
		}
		r.entryID = again.entryID
	}

	// The ledger: acknowledged exactly once, refused never, unknown at most
	// once (and, after the retry, exactly once); balances are the ledger's sums.
	type row struct {
		n  int
		id int64
	}
	ledger := map[string]row{}
	rows, err = conn.Query(ctx, "SELECT idempotency_key, count(*), min(id) FROM ledger_entries WHERE idempotency_key LIKE 'fault-%' GROUP BY 1")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k string
		var r row
		if err := rows.Scan(&k, &r.n, &r.id); err != nil {
			t.Fatal(err)
		}
		ledger[k] = r
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	booked, unsettled := 0, 0
	for _, r := range append(results, extra...) {
		if r.what != "grant" {
			continue
		}
		got := ledger[r.key]
		switch r.outcome {
		case faultAcked, faultUnknown:
			if r.entryID == 0 {
				unsettled++ // a failed retry, reported above
				continue
			}
			if got.n != 1 || got.id != r.entryID {
				t.Errorf("%s key %s (entry %d): %d ledger entries (first %d), want exactly that one", r.outcome, r.key, r.entryID, got.n, got.id)
			}
			booked++
		case faultRefused:
			if got.n != 0 {
				t.Errorf("refused key %s (%d %s %q) is in the ledger %d times (entry %d)", r.key, r.status, r.code, r.message, got.n, got.id)
			}
		}
	}
	for k, r := range ledger {
		if r.n != 1 {
			t.Errorf("key %s booked %d times", k, r.n)
		}
	}
	if len(ledger) > booked+unsettled {
		t.Errorf("the ledger holds %d fault-test keys; only %d were acknowledged or settled by a retry", len(ledger), booked)
	}
	var wrong []string
	rows, err = conn.Query(ctx, `SELECT a.code, a.held::float8, (coalesce(i.s, 0) - coalesce(o.s, 0))::float8
		FROM quota_accounts a
		LEFT JOIN (SELECT to_account, sum(amount_m2) s FROM ledger_entries GROUP BY 1) i ON i.to_account = a.id
		LEFT JOIN (SELECT from_account, sum(amount_m2) s FROM ledger_entries GROUP BY 1) o ON o.from_account = a.id
		WHERE a.held <> coalesce(i.s, 0) - coalesce(o.s, 0)`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var code string
		var held, sum float64
		if err := rows.Scan(&code, &held, &sum); err != nil {
			t.Fatal(err)
		}
		wrong = append(wrong, fmt.Sprintf("%s holds %.2f, its ledger sums to %.2f", code, held, sum))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(wrong) > 0 {
		t.Errorf("balances that are not the sums of their ledger entries:\n%s", strings.Join(wrong, "\n"))
	}
	t.Logf("ledger: %d fault-test keys, each once: %d acknowledged during the load, %d unknown then settled by a retry (%d of them booked before it), %d warm-up and recovery grants; %d refused, none booked",
		len(ledger), count["grant"][faultAcked], len(unknown), len(before), booked-count["grant"][faultAcked]-len(unknown), count["grant"][faultRefused])
	if t.Failed() {
		t.Logf("server log (tail):\n%s", faultTail(logs.String(), 40))
	}
	if f := os.Getenv("LANDQUOTA_FAULT_LOG"); f != "" {
		if err := os.WriteFile(f, []byte(logs.String()), 0o644); err != nil {
			t.Error(err)
		}
	}
}

// faultRecreateDatabase drops and recreates the test's database, so every
// run starts empty.
func faultRecreateDatabase(t *testing.T, db string) {
	t.Helper()
	u, err := url.Parse(db)
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	u.Path = "/postgres"
	ctx := context.Background()
	c, err := pgx.Connect(ctx, u.String())
	if err != nil {
		t.Fatalf("the fault test's cluster: %v", err)
	}
	defer c.Close(ctx)
	ident := pgx.Identifier{name}.Sanitize()
	for _, q := range []string{"DROP DATABASE IF EXISTS " + ident + " WITH (FORCE)", "CREATE DATABASE " + ident} {
		if _, err := c.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// faultTargets picks projects to grant to, zoom-14 tiles and small bboxes
// over the seeded parcels.
func faultTargets(t *testing.T, conn *pgx.Conn) (projects []int64, tiles [][3]int, bboxes [][4]float64) {
	t.Helper()
	ctx := context.Background()
	// Projects whose land still needs plenty of new quota: a grant beyond a
	// project's outstanding need is refused, and the load grants ~1,500 m²
	// to each.
	rows, err := conn.Query(ctx, `SELECT p.id FROM projects p JOIN project_parcels pp ON pp.project_id = p.id JOIN parcels t ON t.id = pp.parcel_id
		WHERE lq_parcel_quota_class(t.status, t.construction_land, t.elevation_top, false) = 'new'
		GROUP BY p.id HAVING sum(t.area_m2) > 10000 ORDER BY p.id LIMIT 24`)
	if err != nil {
		t.Fatal(err)
	}
	projects, err = pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil || len(projects) == 0 {
		t.Fatalf("no projects in the seed: %v", err)
	}
	rows, err = conn.Query(ctx, "SELECT ST_X(c), ST_Y(c) FROM (SELECT ST_Centroid(geom) c FROM parcels ORDER BY id LIMIT 40) s")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var lon, lat float64
		if err := rows.Scan(&lon, &lat); err != nil {
			t.Fatal(err)
		}
		const z = 14
		n := math.Exp2(z)
		x := int((lon + 180) / 360 * n)
		y := int((1 - math.Log(math.Tan(lat*math.Pi/180)+1/math.Cos(lat*math.Pi/180))/math.Pi) / 2 * n)
		tiles = append(tiles, [3]int{z, x, y})
		bboxes = append(bboxes, [4]float64{lon - 0.005, lat - 0.005, lon + 0.005, lat + 0.005})
	}
	if err := rows.Err(); err != nil || len(tiles) == 0 {
		t.Fatalf("no parcels in the seed: %v", err)
	}
	return projects, tiles, bboxes
}

// serveBase starts `landquota serve` on db and returns its base URL and
// its log.
func serveBase(t *testing.T, db string, args ...string) (string, *pgtest.Log) {
	t.Helper()
	_, addr, logs := startServe(t, db, args...)
	return "http://" + addr, logs
}

// adminToken adds an admin from the CLI and returns an API token for it.
func adminToken(t *testing.T, db, username, password string) string {
	t.Helper()
	add := exec.Command(binary, "user", "add", "--username", username, "--role", "admin")
	add.Env = append(os.Environ(), "DATABASE_URL="+db, "LANDQUOTA_PASSWORD="+password)
	if out, err := add.CombinedOutput(); err != nil {
		t.Fatalf("user add: %v\n%s", err, out)
	}
	tc := exec.Command(binary, "token", "create", "--username", username, "--name", "test")
	tc.Env = append(os.Environ(), "DATABASE_URL="+db)
	out, err := tc.Output()
	if err != nil {
		t.Fatalf("token create: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// send makes the request and notes when its answer ended, its status and
// its Retry-After. It returns the answer, its body and the error reading
// it; no answer (nil) leaves the outcome unknown.
func (r *faultResult) send(client *http.Client, req *http.Request) (*http.Response, []byte, error) {
	res, err := client.Do(req)
	if err != nil {
		r.end, r.err, r.outcome = time.Now(), err, faultUnknown
		return nil, nil, err
	}
	raw, err := io.ReadAll(res.Body)
	res.Body.Close()
	r.end, r.status, r.retryAfter = time.Now(), res.StatusCode, res.Header.Get("Retry-After")
	return res, raw, err
}

// faultPost sends one grant and classifies its answer.
func faultPost(client *http.Client, u, token, key string, body []byte) faultResult {
	r := faultResult{what: "grant", key: key, body: body, start: time.Now()}
	req, _ := http.NewRequest("POST", u, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	res, raw, err := r.send(client, req)
	if res == nil {
		return r
	}
	if err != nil {
		r.err, r.outcome = err, faultUnknown
		return r
	}
	var m struct {
		ID    int64 `json:"id"`
		Error struct {
			Code    string         `json:"code"`
			Message string         `json:"message"`
			Details map[string]any `json:"details"`
		} `json:"error"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		r.err, r.outcome = fmt.Errorf("%d with a body that is not JSON: %q", res.StatusCode, raw), faultUnknown
		return r
	}
	r.code, r.message = m.Error.Code, m.Error.Message
	switch {
	case res.StatusCode == http.StatusCreated && m.ID > 0:
		r.entryID, r.outcome = m.ID, faultAcked
	case res.StatusCode == http.StatusServiceUnavailable && m.Error.Details["outcome"] == "unknown":
		r.outcome = faultUnknown
	case res.StatusCode >= 400 && res.StatusCode < 500, res.StatusCode == http.StatusServiceUnavailable:
		r.outcome = faultRefused
	default:
		// A 500 or a 2xx without an entry: nothing promised either way.
		r.outcome = faultUnknown
	}
	return r
}

// faultGet reads a layer page or a tile; a 200 must come whole.
func faultGet(client *http.Client, u, what string) faultResult {
	r := faultResult{what: what, start: time.Now()}
	req, _ := http.NewRequest("GET", u, nil)
	res, raw, err := r.send(client, req)
	if res == nil {
		return r
	}
	switch {
	case err != nil:
		r.err, r.outcome = err, faultTruncated
	case res.StatusCode == 200 && what == "layer":
		var fc struct{ Features []json.RawMessage }
		if err := json.Unmarshal(raw, &fc); err != nil {
			r.err, r.outcome = err, faultTruncated
		} else {
			r.outcome = faultOK
		}
	case res.StatusCode == 200 || res.StatusCode == 204 || res.StatusCode == 304:
		r.outcome = faultOK
	default:
		var m struct {
			Error struct{ Code, Message string }
		}
		json.Unmarshal(raw, &m)
		r.code, r.message, r.outcome = m.Error.Code, m.Error.Message, faultRefused
	}
	return r
}

// faultReady asks /readyz, returning its status and error message.
func faultReady(client *http.Client, base string) (int, string) {
	res, err := client.Get(base + "/readyz")
	if err != nil {
		return 0, err.Error()
	}
	defer res.Body.Close()
	var m struct{ Error struct{ Message string } }
	json.NewDecoder(res.Body).Decode(&m)
	return res.StatusCode, m.Error.Message
}

func faultSince(start, t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.Sub(start).Round(time.Millisecond).String()
}

// faultTail is the last n lines of a log, leaving out the access log.
func faultTail(s string, n int) string {
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		if !strings.Contains(l, " msg=http ") {
			lines = append(lines, l)
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
