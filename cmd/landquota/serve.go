package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/hangzhou-hitech/landquota/planning"
	"github.com/hangzhou-hitech/landquota/planning/pgstore"
	"github.com/hangzhou-hitech/landquota/web"
	"github.com/hangzhou-hitech/landquota/web/tilecache"
)

func runServe(ctx context.Context, env environ, args []string) error {
	cfg, err := parseServe(env, args)
	if err != nil {
		return err
	}
	log := newLogger(env)
	store, err := pgstore.Open(ctx, cfg.DB.URL, pgstore.Options{MaxConns: int32(cfg.MaxConns), StatementTimeout: cfg.DB.StatementTimeout, SlowQuery: cfg.SlowQuery, Log: log, Warm: true,
		ReplicaURL: cfg.ReplicaURL, ReplicaMaxLag: cfg.ReplicaMaxLag, ReplicaMaxLagBytes: cfg.ReplicaMaxLagBytes})
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.Ready(ctx); err != nil {
		// Serve anyway: /readyz reports it, and the database may come back.
		log.Warn("database not ready at start", "err", message(err, planning.LangEn))
	}
	var basemapFile *web.MBTiles
	if cfg.BasemapFile != "" {
		if basemapFile, err = web.OpenMBTiles(cfg.BasemapFile, cfg.BasemapKind); err != nil {
			return err
		}
		defer basemapFile.Close()
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w (is another server running? choose another with --addr or LANDQUOTA_ADDR)", cfg.Addr, err)
	}
	// The tile cache drops what the database says changed (migration 003);
	// the listener stops before the store closes. It listens on the
	// primary (a standby delivers no notifications); with a replica, the
	// store first learns of the change, so that the tiles dropped are
	// rendered again only where the change is replayed.
	tiles := tilecache.New(tilecache.Options{MaxBytes: int64(cfg.TileCacheMB) << 20})
	defer listenChanges(ctx, store, tiles, log)()
	// /readyz checks on a connection of its own, so that user queries
	// filling the pool do not make the service look dead.
	readyStore, err := pgstore.Open(ctx, cfg.DB.URL, pgstore.Options{MaxConns: 1, StatementTimeout: 2 * time.Second})
	if err != nil {
		return err
	}
	defer readyStore.Close()
	wcfg := web.Config{Version: version, Tiles: tiles, WarmTiles: true, Users: store, SessionTTL: cfg.SessionTTL, SessionIdle: cfg.SessionIdle,
		TrustedProxies: cfg.TrustedProxies, RequestTimeout: requestTimeout(cfg.DB.StatementTimeout), HeavySlots: max(1, cfg.MaxConns/2),
		Ready: readyStore.Ready, MetricsElsewhere: cfg.MetricsAddr != "", Basemaps: cfg.Basemaps, BasemapFile: basemapFile}
	if cfg.ReplicaURL != "" {
		wcfg.Replica, wcfg.ReplicaMaxLag = store, cfg.ReplicaMaxLag
	}
	app, metrics := web.NewWithMetrics(wcfg, store, log)
	// A client must send its headers within 10 s and its body within
	// --read-timeout (an admin's upload gets longer, see web/imports.go);
	// an idle keep-alive connection is closed after 2 minutes. Writes are
	// bounded per write in the handler (web/limits.go), since answers
	// stream for as long as they make progress.
	srv := &http.Server{
		Handler:           app,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       cfg.ReadTimeout,
		IdleTimeout:       2 * time.Minute,
	}
	closeSide, err := serveSide(cfg, metrics, log)
	if err != nil {
		return err
	}
	defer closeSide()
	scheme := "http"
	if cfg.TLSCert != "" {
		scheme = "https"
	}
	fmt.Fprintf(env.stdout, "landquota %s serving the map on %s://%s/\n", version, scheme, displayAddr(ln.Addr()))
	errc := make(chan error, 1)
	go func() {
		if cfg.TLSCert != "" {
			errc <- srv.ServeTLS(ln, cfg.TLSCert, cfg.TLSKey)
			return
		}
		errc <- srv.Serve(ln)
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	return shutdown(srv, cfg.ShutdownGrace, log)
}

// shutdown lets the requests in flight finish within grace, then cuts
// the connections still open (a slow reader), so that their handlers end
// and the process exits.
func shutdown(srv *http.Server, grace time.Duration, log *slog.Logger) error {
	log.Info("shutting down", "grace", grace)
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		if !errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		log.Warn("grace period over; closing the connections left", "grace", grace)
		srv.Close()
	}
	log.Info("stopped")
	return nil
}

// listenChanges has the tile cache drop what the database says changed
// (migration 003), and tells the store of each change first; the returned
// stop ends the listener and waits for it. It listens on the primary (a
// standby delivers no notifications); with a replica, the store first
// learns of the change, so that the tiles dropped are rendered again only
// where the change is replayed.
func listenChanges(ctx context.Context, store *pgstore.Store, tiles *tilecache.Cache, log *slog.Logger) (stop func()) {
	lctx, stopListening := context.WithCancel(ctx)
	listening := make(chan struct{})
	go func() {
		defer close(listening)
		store.ListenChangesWith(lctx, pgstore.ListenOptions{OnError: func(err error, retry time.Duration) {
			log.Warn("change listener lost its connection; the tile cache is cleared when it is back", "err", err, "retry_in", retry)
		}}, func(ch planning.Change) {
			store.NoteChange()
			tiles.Invalidate(ch)
		})
	}()
	return func() { stopListening(); <-listening }
}

// serveSide starts the servers beside the map: /metrics on --metrics-addr
// and the Go profiles on --debug-addr, each when asked for; closeSide
// stops the metrics server.
func serveSide(cfg serveConfig, metrics http.Handler, log *slog.Logger) (closeSide func(), err error) {
	closeSide = func() {}
	if cfg.MetricsAddr != "" {
		mln, err := net.Listen("tcp", cfg.MetricsAddr)
		if err != nil {
			return nil, fmt.Errorf("cannot listen on --metrics-addr %s: %w", cfg.MetricsAddr, err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", metrics)
		msrv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second}
		go msrv.Serve(mln)
		closeSide = func() { msrv.Close() }
	}
	if cfg.DebugAddr != "" {
		go func() {
			mux := http.NewServeMux()
			mux.HandleFunc("/debug/pprof/", pprof.Index)
			mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
			log.Warn("debug profiles served", "addr", cfg.DebugAddr, "err", http.ListenAndServe(cfg.DebugAddr, mux))
		}()
	}
	return closeSide, nil
}

// requestTimeout is a request's deadline: the statement timeout plus a
// margin for the rest of its work (0: no statement timeout, web's default).
func requestTimeout(statement time.Duration) time.Duration {
	if statement <= 0 {
		return 0
	}
	return statement + 5*time.Second
}

// displayAddr turns a wildcard listen address into one a browser can open.
func displayAddr(a net.Addr) string {
	t, ok := a.(*net.TCPAddr)
	if !ok {
		return a.String()
	}
	if t.IP.IsUnspecified() {
		return fmt.Sprintf("127.0.0.1:%d", t.Port)
	}
	return t.String()
}
