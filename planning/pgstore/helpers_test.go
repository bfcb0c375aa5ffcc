package pgstore_test

import "sync"

// together runs f(0), …, f(n-1) at once, as n users pressing the same
// button, and returns their errors in that order.
func together(n int, f func(i int) error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = f(i)
		}()
	}
	wg.Wait()
	return errs
}
