package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/hangzhou-hitech/landquota/web"
)

func hsts(t *testing.T, c *http.Client, url string, headers ...string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", url+"/healthz", nil)
	res, _ := do(t, c, req, headers...)
	return res.Header.Get("Strict-Transport-Security")
}

// HSTS goes out over TLS, or behind a trusted proxy that says it ended
// TLS; a forged X-Forwarded-Proto from anyone else does not get it.
func TestHSTSOnlyOverTLS(t *testing.T) {
	store := openStore(t)
	log := quietLog()
	tlsSrv := httptest.NewTLSServer(web.New(web.Config{Version: "test"}, store, log))
	t.Cleanup(tlsSrv.Close)
	if h := hsts(t, tlsSrv.Client(), tlsSrv.URL); h == "" {
		t.Error("no HSTS over TLS")
	}
	plain := httptest.NewServer(web.New(web.Config{Version: "test"}, store, log))
	t.Cleanup(plain.Close)
	if h := hsts(t, http.DefaultClient, plain.URL, "X-Forwarded-Proto", "https"); h != "" {
		t.Errorf("HSTS on plain HTTP from an untrusted peer: %q", h)
	}
	proxied := httptest.NewServer(web.New(web.Config{Version: "test", TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}, store, log))
	t.Cleanup(proxied.Close)
	if h := hsts(t, http.DefaultClient, proxied.URL, "X-Forwarded-Proto", "https"); h == "" {
		t.Error("no HSTS behind a trusted TLS proxy")
	}
	if h := hsts(t, http.DefaultClient, proxied.URL); h != "" {
		t.Errorf("HSTS behind a trusted proxy speaking plain HTTP: %q", h)
	}
}

// With Config.MetricsElsewhere, /metrics is not on the application's
// address; its own handler serves it.
func TestMetricsOnTheirOwnAddress(t *testing.T) {
	app, metrics := web.NewWithMetrics(web.Config{Version: "test", MetricsElsewhere: true}, openStore(t), quietLog())
	a, m := httptest.NewServer(app), httptest.NewServer(metrics)
	t.Cleanup(a.Close)
	t.Cleanup(m.Close)
	for _, c := range []struct {
		url  string
		want int
	}{{a.URL + "/metrics", 404}, {m.URL + "/metrics", 200}} {
		res, err := http.Get(c.url)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != c.want {
			t.Errorf("GET %s: %d, want %d", c.url, res.StatusCode, c.want)
		}
	}
}

// A killed import's upload (its process gone) is removed when a server
// starts; a running server's upload is kept.
func TestStaleUploadsAreSweptAtStart(t *testing.T) {
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(os.TempDir(), "landquota-upload-"+strconv.Itoa(gone.Process.Pid)+"-test")
	live := filepath.Join(os.TempDir(), "landquota-upload-"+strconv.Itoa(os.Getpid())+"-test")
	for _, d := range []string{stale, live} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "parcels.geojson"), []byte("{}"), 0o600); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(d) })
	}
	web.New(web.Config{Version: "test"}, openStore(t), quietLog())
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("the upload of a dead process is still there: %v", err)
	}
	if _, err := os.Stat(live); err != nil {
		t.Errorf("the upload of a running process was removed: %v", err)
	}
}
