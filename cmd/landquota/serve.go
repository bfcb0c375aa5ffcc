package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

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
	store, err := pgstore.Open(ctx, cfg.DB.URL, pgstore.Options{MaxConns: int32(cfg.MaxConns), StatementTimeout: cfg.DB.StatementTimeout, SlowQuery: cfg.SlowQuery, Log: log, Warm: true})
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.Ready(ctx); err != nil {
		// Serve anyway: /readyz reports it, and the database may come back.
		log.Warn("database not ready at start", "err", message(err))
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
	// the listener stops before the store closes.
	tiles := tilecache.New(tilecache.Options{MaxBytes: int64(cfg.TileCacheMB) << 20})
	lctx, stopListening := context.WithCancel(ctx)
	listening := make(chan struct{})
	go func() {
		defer close(listening)
		store.ListenChangesWith(lctx, pgstore.ListenOptions{OnError: func(err error, retry time.Duration) {
			log.Warn("change listener lost its connection; the tile cache is cleared when it is back", "err", err, "retry_in", retry)
		}}, tiles.Invalidate)
	}()
	defer func() { stopListening(); <-listening }()
	srv := &http.Server{
		Handler: web.New(web.Config{Version: version, Tiles: tiles, Users: store, SessionTTL: cfg.SessionTTL, SessionIdle: cfg.SessionIdle,
			Basemaps: cfg.Basemaps, BasemapFile: basemapFile}, store, log),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	if cfg.DebugAddr != "" {
		go func() {
			mux := http.NewServeMux()
			mux.HandleFunc("/debug/pprof/", pprof.Index)
			mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
			log.Warn("debug profiles served", "addr", cfg.DebugAddr, "err", http.ListenAndServe(cfg.DebugAddr, mux))
		}()
	}
	fmt.Fprintf(env.stdout, "landquota %s serving the map on http://%s/\n", version, displayAddr(ln.Addr()))
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down", "grace", cfg.ShutdownGrace)
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	log.Info("stopped")
	return nil
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
