package web

import (
	"context"
	"net/http"

	"github.com/hangzhou-hitech/landquota/planning"
)

// The kept lists, one a row: the store part that keeps it (a store without
// it answers 503 with the sentence given), its name in the GET's JSON
// object, the part's methods that list and add, and how an admin's input
// becomes an item. localClasses serves GET /api/land-use-classes/local (the
// classes a province or city added to the 2023 guide, with the codes files
// use) and POST /api/land-use-classes; enclaves GET and POST /api/enclaves
// (the science enclaves, 科创飞地).
var (
	localClasses = keptList[classStore, classInput, planning.LandUseClass]{planning.Textf("local land-use classes are not available on this server"), "classes", classStore.LocalLandUseClasses, classStore.AddLandUseClass, classInput.class}
	enclaves     = keptList[enclaveStore, enclaveInput, planning.Enclave]{planning.Textf("enclaves are not available on this server"), "enclaves", enclaveStore.Enclaves, enclaveStore.InsertEnclave, enclaveInput.enclave}
)

// classStore is what the local land-use classes need from storage.
type classStore interface {
	AddLandUseClass(ctx context.Context, c planning.LandUseClass) (planning.LandUseClass, error)
	LocalLandUseClasses(ctx context.Context) ([]planning.LandUseClass, error)
}

// enclaveStore is what the enclaves need from storage.
type enclaveStore interface {
	InsertEnclave(ctx context.Context, e planning.Enclave) (planning.Enclave, error)
	Enclaves(ctx context.Context) ([]planning.Enclave, error)
}

// keptList is a list that an admin adds to one item at a time and anyone
// reads whole (the local land-use classes, the enclaves), kept by the store
// part P: one adapter serves the GET and the POST of every such list.
type keptList[P, In, T any] struct {
	unavailable planning.Text                          // the 503 of a store without P
	key         string                                 // the list's name in the GET's JSON object
	list        func(P, context.Context) ([]T, error)  // every item, in the store's order
	add         func(P, context.Context, T) (T, error) // stores one item and returns it as stored
	of          func(In) (T, error)                    // an admin's input as an item, checked
}

// get serves the whole list: 200 {"<key>": [...]}.
func (k keptList[P, In, T]) get(s *Server) handlerFunc {
	return withPart(s, k.unavailable, func(p P, w http.ResponseWriter, r *http.Request) error {
		items, err := k.list(p, r.Context())
		return respond(w, http.StatusOK, map[string]any{k.key: items}, err)
	})
}

// post reads one item strictly, checks it and stores it: 201 with the item
// as stored.
func (k keptList[P, In, T]) post(s *Server) handlerFunc {
	return withPart(s, k.unavailable, func(p P, w http.ResponseWriter, r *http.Request) error {
		var in In
		if err := decodeStrictJSON(r, &in); err != nil {
			return err
		}
		item, err := k.of(in)
		if err != nil {
			return err
		}
		out, err := k.add(p, r.Context(), item)
		return respond(w, http.StatusCreated, out, err)
	})
}
