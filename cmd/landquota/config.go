package main

import (
	"context"
	"flag"
	"fmt"
	"github.com/hangzhou-hitech/landquota/planning/pgstore"
	"math"
	"net"
	"net/netip"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/web"
)

// dbConfig is the database part of every command's configuration.
type dbConfig struct {
	URL              string
	StatementTimeout time.Duration
}

// open opens a small pool for a command and checks that the database
// answers with the current schema.
func (c dbConfig) open(ctx context.Context) (*pgstore.Store, error) {
	store, err := pgstore.Open(ctx, c.URL, pgstore.Options{MaxConns: 2, StatementTimeout: c.StatementTimeout})
	if err != nil {
		return nil, err
	}
	if err := store.Ready(ctx); err != nil {
		store.Close()
		return nil, err
	}
	return store, nil
}

func (c *dbConfig) register(fs *flag.FlagSet, env environ) {
	fs.StringVar(&c.URL, "database-url", env.getenv("DATABASE_URL"), "PostgreSQL URL (env DATABASE_URL)")
	fs.DurationVar(&c.StatementTimeout, "statement-timeout", 30*time.Second, "longest a single query may run")
}

func (c *dbConfig) validate() error {
	if c.URL == "" {
		return fmt.Errorf("DATABASE_URL is not set: use `make run`, which starts a local database, or set DATABASE_URL=postgres://user@host:port/dbname")
	}
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return fmt.Errorf("DATABASE_URL %q is not a postgres:// URL", redact(c.URL))
	}
	if c.StatementTimeout < 0 {
		return fmt.Errorf("--statement-timeout must not be negative")
	}
	return nil
}

// redact hides a password in a URL before it is printed.
func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// serveConfig configures `landquota serve`.
type serveConfig struct {
	DB            dbConfig
	Addr          string
	ShutdownGrace time.Duration
	MaxConns      int
	DebugAddr     string
	TileCacheMB   int
	SlowQuery     time.Duration
	SessionTTL    time.Duration
	SessionIdle   time.Duration
	ReadTimeout   time.Duration
	// TrustedProxies may set X-Forwarded-For and X-Forwarded-Proto.
	TrustedProxies []netip.Prefix
	TLSCert        string
	TLSKey         string
	MetricsAddr    string
	Basemaps       []web.Basemap // --basemap, repeatable
	BasemapFile    string        // --basemap-file: a local MBTiles package
	BasemapKind    string        // --basemap-file-kind
	ReplicaURL     string        // --replica-url: a streaming standby for reads
	ReplicaMaxLag  time.Duration // --replica-max-lag
	// --replica-max-lag-bytes: WAL the replica may be behind; 0: no bound
	ReplicaMaxLagBytes uint64
}

// basemapFlags collects the repeatable --basemap.
type basemapFlags []string

func (b *basemapFlags) String() string     { return strings.Join(*b, " ") }
func (b *basemapFlags) Set(v string) error { *b = append(*b, v); return nil }

func parseServe(env environ, args []string) (serveConfig, error) {
	var c serveConfig
	var err error
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	c.DB.register(fs, env)
	addr := env.getenv("LANDQUOTA_ADDR")
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	fs.StringVar(&c.Addr, "addr", addr, "listen address host:port (env LANDQUOTA_ADDR)")
	fs.DurationVar(&c.ShutdownGrace, "shutdown-grace", 10*time.Second, "how long in-flight requests may finish on SIGTERM")
	fs.IntVar(&c.MaxConns, "max-conns", defaultMaxConns(), "database connections in the pool (default: twice the CPUs, at least 4)")
	fs.DurationVar(&c.SlowQuery, "slow-query", 500*time.Millisecond, "log database statements slower than this (0: off)")
	fs.IntVar(&c.TileCacheMB, "tile-cache-mb", 256, "memory for cached vector tiles, in MiB")
	fs.DurationVar(&c.SessionTTL, "session-ttl", 12*time.Hour, "how long a login lasts")
	fs.DurationVar(&c.SessionIdle, "session-idle", 30*time.Minute, "how long a login may go unused before it ends (at most --session-ttl)")
	fs.StringVar(&c.DebugAddr, "debug-addr", "", "if set, serve Go profiles (net/http/pprof) on this loopback address, e.g. 127.0.0.1:6060")
	fs.DurationVar(&c.ReadTimeout, "read-timeout", time.Minute, "longest a client may take to send a request body (uploads to /api/imports get longer)")
	proxies := fs.String("trusted-proxies", env.getenv("LANDQUOTA_TRUSTED_PROXIES"), "comma-separated addresses or CIDRs of reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed (env LANDQUOTA_TRUSTED_PROXIES)")
	fs.StringVar(&c.TLSCert, "tls-cert", "", "serve HTTPS with this certificate file (PEM; with --tls-key)")
	fs.StringVar(&c.TLSKey, "tls-key", "", "the private key of --tls-cert (PEM)")
	fs.StringVar(&c.MetricsAddr, "metrics-addr", "", "if set, serve /metrics only on this host:port instead of on --addr")
	fs.StringVar(&c.ReplicaURL, "replica-url", env.getenv("LANDQUOTA_REPLICA_URL"), "PostgreSQL URL of a streaming standby of the database: read-only requests go to it while it keeps up (env LANDQUOTA_REPLICA_URL)")
	replicaLag := fs.String("replica-max-lag", env.getenv("LANDQUOTA_REPLICA_MAX_LAG"), "with --replica-url: reads go to the primary while the replica is further behind than this (default 5s; env LANDQUOTA_REPLICA_MAX_LAG)")
	replicaLagBytes := fs.String("replica-max-lag-bytes", env.getenv("LANDQUOTA_REPLICA_MAX_LAG_BYTES"), "with --replica-url: reads go to the primary while the replica is more than this much WAL behind, e.g. 64MB (kB, MB, GB, TB: powers of 1024 as in PostgreSQL; default 0: no bound in bytes; env LANDQUOTA_REPLICA_MAX_LAG_BYTES)")
	var basemaps basemapFlags
	fs.Var(&basemaps, "basemap", "a background tile layer (repeatable): tianditu, tianditu-cgcs2000, or a JSON object {\"kind\":\"vector|imagery|annotation\",\"url\":\"https://.../{z}/{x}/{y}.png\",\"attribution\":\"...\",\"subdomains\":[...],\"min_zoom\":0,\"max_zoom\":18}")
	tk := fs.String("tianditu-key", env.getenv("LANDQUOTA_TIANDITU_KEY"), "天地图 key (tk) for --basemap tianditu (env LANDQUOTA_TIANDITU_KEY)")
	fs.StringVar(&c.BasemapFile, "basemap-file", "", "a local basemap package (MBTiles, raster or vector) served at /basemap/{z}/{x}/{y}, for offices without the internet")
	fs.StringVar(&c.BasemapKind, "basemap-file-kind", "", "what --basemap-file shows: vector or imagery (default: imagery for JPEG/WebP tiles, else vector)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if err := c.parseBasemaps(basemaps, *tk); err != nil {
		return c, err
	}
	if err := c.DB.validate(); err != nil {
		return c, err
	}
	if c.TrustedProxies, err = parseProxies(*proxies); err != nil {
		return c, err
	}
	if err := c.parseReplica(*replicaLag, *replicaLagBytes); err != nil {
		return c, err
	}
	if err := c.checkListeners(); err != nil {
		return c, err
	}
	if c.TileCacheMB < 0 || c.TileCacheMB > 64<<10 {
		return c, fmt.Errorf("--tile-cache-mb %d must be between 0 and 65536", c.TileCacheMB)
	}
	idleSet := false
	fs.Visit(func(f *flag.Flag) { idleSet = idleSet || f.Name == "session-idle" })
	if err := c.checkSessions(idleSet); err != nil {
		return c, err
	}
	if c.MaxConns < 1 || c.MaxConns > 1000 {
		return c, fmt.Errorf("--max-conns %d must be between 1 and 1000", c.MaxConns)
	}
	return c, nil
}

// parseBasemaps reads the repeatable --basemap (tianditu ones with the key
// tk) and checks --basemap-file-kind.
func (c *serveConfig) parseBasemaps(specs basemapFlags, tk string) error {
	for _, spec := range specs {
		b, err := web.ParseBasemap(spec, tk)
		if err != nil {
			return err
		}
		c.Basemaps = append(c.Basemaps, b...)
	}
	if c.BasemapKind != "" && c.BasemapKind != "vector" && c.BasemapKind != "imagery" {
		return fmt.Errorf("--basemap-file-kind %q must be vector or imagery", c.BasemapKind)
	}
	return nil
}

// checkListeners checks how the server listens: TLS, the body timeout and
// the three addresses (the API, metrics, and profiles on loopback only).
func (c *serveConfig) checkListeners() error {
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return fmt.Errorf("--tls-cert and --tls-key go together: give both or neither")
	}
	if c.ReadTimeout < time.Second {
		return fmt.Errorf("--read-timeout %s must be at least 1s", c.ReadTimeout)
	}
	if c.MetricsAddr != "" {
		if _, p, err := net.SplitHostPort(c.MetricsAddr); err != nil || p == "" {
			return fmt.Errorf("--metrics-addr %q is not host:port (for example 127.0.0.1:9090)", c.MetricsAddr)
		}
	}
	host, port, err := net.SplitHostPort(c.Addr)
	if err != nil || port == "" || strings.ContainsAny(host, "/ ") {
		return fmt.Errorf("--addr %q is not host:port (for example 127.0.0.1:8080 or :8080)", c.Addr)
	}
	if c.DebugAddr != "" {
		if h, _, err := net.SplitHostPort(c.DebugAddr); err != nil || (h != "127.0.0.1" && h != "localhost" && h != "::1") {
			return fmt.Errorf("--debug-addr %q must be a loopback host:port: profiles are not for the network", c.DebugAddr)
		}
	}
	return nil
}

// checkSessions checks the login lifetimes; idleSet says whether
// --session-idle was given (a default idle limit longer than a short
// --session-ttl shrinks to it instead of failing).
func (c *serveConfig) checkSessions(idleSet bool) error {
	if c.SessionTTL < time.Minute || c.SessionTTL > 30*24*time.Hour {
		return fmt.Errorf("--session-ttl %s must be between 1m and 720h", c.SessionTTL)
	}
	switch {
	case !idleSet && c.SessionIdle > c.SessionTTL:
		c.SessionIdle = c.SessionTTL // a short --session-ttl alone: the login simply ends first
	case c.SessionIdle < planning.MinSessionIdle:
		return fmt.Errorf("--session-idle %s must be at least %s: use is noted once a minute, so a shorter limit could log out someone at work", c.SessionIdle, planning.MinSessionIdle)
	case c.SessionIdle > c.SessionTTL:
		return fmt.Errorf("--session-idle %s must not be longer than --session-ttl %s", c.SessionIdle, c.SessionTTL)
	}
	return nil
}

// defaultMaxConns is twice this machine's CPUs, at least 4. PostgreSQL
// answers fastest with about two statements running per core: measured on
// 2 cores with 8 clients, the drawn-polygon search's p95 was 54 ms with 16
// connections, 44 ms with 4 and 33 ms with 2, at the same throughput; the
// requests beyond that wait their turn in the pool instead of in the
// kernel's run queue. A land office runs the database on the same server;
// with a bigger database host, raise --max-conns to twice its cores.
func defaultMaxConns() int {
	return max(4, 2*runtime.NumCPU())
}

// parseProxies reads --trusted-proxies: addresses or CIDRs, comma-separated.
func parseProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			a, aerr := netip.ParseAddr(f)
			if aerr != nil {
				return nil, fmt.Errorf("--trusted-proxies: %q is not an IP address or CIDR (e.g. 10.0.0.5 or 10.0.0.0/24)", f)
			}
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// parseReplica checks the replica flags: --replica-url, and the two bounds
// of its lag (the environment's values under their flags' names, since a
// flag given overrides them).
func (c *serveConfig) parseReplica(lag, lagBytes string) error {
	if c.ReplicaURL != "" {
		u, err := url.Parse(c.ReplicaURL)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			return planning.Errorf(planning.ErrInvalid, "--replica-url %q is not a postgres:// URL", redact(c.ReplicaURL))
		}
	}
	c.ReplicaMaxLag = pgstore.DefaultReplicaMaxLag
	if lag = strings.TrimSpace(lag); lag != "" {
		d, err := time.ParseDuration(lag)
		if err != nil {
			return planning.Errorf(planning.ErrInvalid, "--replica-max-lag %q is not a duration (for example 5s or 500ms)", lag)
		}
		c.ReplicaMaxLag = d
	}
	if c.ReplicaMaxLag < 100*time.Millisecond || c.ReplicaMaxLag > time.Hour {
		return planning.Errorf(planning.ErrInvalid, "--replica-max-lag %s must be between 100ms (the replica's position is read every 50 ms) and 1h", c.ReplicaMaxLag)
	}
	n, err := parseBytes(lagBytes)
	if err != nil {
		return planning.Errorf(planning.ErrInvalid, "--replica-max-lag-bytes %q is not a size in bytes (for example 64MB, 1GB or 0 for no bound)", lagBytes)
	}
	if n != 0 && (n < minReplicaLagBytes || n > maxReplicaLagBytes) {
		return planning.Errorf(planning.ErrInvalid, "--replica-max-lag-bytes %s must be 0 (no bound) or between 1MB and 1TB: a smaller bound drops the replica at every burst of writes", lagBytes)
	}
	c.ReplicaMaxLagBytes = n
	return nil
}

// The range of --replica-max-lag-bytes: below 1 MB, a burst of grants
// between two polls (50 ms) would drop the replica; above 1 TB it is no
// bound at all.
const (
	minReplicaLagBytes = 1 << 20
	maxReplicaLagBytes = 1 << 40
)

// parseBytes reads a size: a whole number of bytes, or with PostgreSQL's
// units kB, MB, GB, TB (powers of 1024; KiB, MiB, GiB, TiB and B are read
// too); "" is 0. Negative numbers, fractions and overflows are errors.
func parseBytes(s string) (uint64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 || i > 19 {
		return 0, fmt.Errorf("not a size: %q", s)
	}
	n, err := strconv.ParseUint(s[:i], 10, 64)
	if err != nil {
		return 0, err
	}
	unit := strings.TrimSpace(s[i:])
	shift := map[string]uint{"": 0, "B": 0, "kB": 10, "KB": 10, "KiB": 10, "MB": 20, "MiB": 20, "GB": 30, "GiB": 30, "TB": 40, "TiB": 40}
	sh, ok := shift[unit]
	if !ok {
		return 0, fmt.Errorf("unknown unit %q", unit)
	}
	if n > math.MaxUint64>>sh {
		return 0, fmt.Errorf("too large: %q", s)
	}
	return n << sh, nil
}
