// Command rrproxy is a tiny round-robin HTTP proxy on loopback, standing in
// for a load balancer in front of several landquota servers
// (scripts/replica-test.sh): each request goes to the next server in turn,
// so a client's write and its next read usually meet different servers.
// It keeps no affinity and adds no headers of its own.
//
//	rrproxy --listen 127.0.0.1:18300 --to http://127.0.0.1:18180,http://127.0.0.1:18181
//
// It counts the requests each server got and prints them on SIGTERM.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:18300", "address to listen on (loopback only)")
	to := flag.String("to", "", "comma-separated server URLs (loopback only)")
	flag.Parse()
	if h, _, err := net.SplitHostPort(*listen); err != nil || !net.ParseIP(h).IsLoopback() {
		log.Fatalf("rrproxy: --listen %q must be a loopback host:port", *listen)
	}
	var backends []*url.URL
	for _, s := range strings.Split(*to, ",") {
		u, err := url.Parse(strings.TrimSpace(s))
		if err != nil || u.Scheme != "http" || !net.ParseIP(u.Hostname()).IsLoopback() {
			log.Fatalf("rrproxy: --to %q: each server must be an http:// loopback URL", s)
		}
		backends = append(backends, u)
	}
	if len(backends) < 2 {
		log.Fatal("rrproxy: --to needs at least two servers")
	}
	counts := make([]atomic.Int64, len(backends))
	var next atomic.Uint64
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			i := int((next.Add(1) - 1) % uint64(len(backends)))
			counts[i].Add(1)
			r.SetURL(backends[i])
			r.Out.Host = r.In.Host
		},
		Transport:     &http.Transport{MaxIdleConnsPerHost: 256, IdleConnTimeout: 30 * time.Second},
		FlushInterval: -1,
	}
	srv := &http.Server{Addr: *listen, Handler: proxy, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		log.Fatalf("rrproxy: %v", err)
	}
	for i, b := range backends {
		fmt.Printf("rrproxy: %s got %d requests\n", b, counts[i].Load())
	}
}
