package npy

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// A strict read of a torn file returns a *TruncatedError with the declared
// shape, the whole rows held and the torn bytes after them.
func TestTruncatedErrorFields(t *testing.T) {
	path := filepath.Join(t.TempDir(), "du.npy")
	data := make([]float32, 50*4)
	if err := WriteFloat32(path, data, 50, 4); err != nil {
		t.Fatal(err)
	}
	h, err := ReadHeaderFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, h.DataOffset+17*16+5); err != nil {
		t.Fatal(err)
	}
	_, _, err = ReadFloat32(path)
	var te *TruncatedError
	if !errors.As(err, &te) {
		t.Fatalf("torn file: %v, want a *TruncatedError", err)
	}
	if te.Path != path || te.WholeRows != 17 || te.TornBytes != 5 || te.Need != 800 || te.Have != 17*16+5 || len(te.Shape) != 2 || te.Shape[0] != 50 {
		t.Fatalf("TruncatedError %+v", *te)
	}
	// Torn reading keeps the 17 whole rows.
	a, err := Options{Torn: true}.Read(path)
	if err != nil || a.Shape[0] != 17 || a.Note == "" {
		t.Fatalf("torn read: %v, shape %v, note %q", err, a.Shape, a.Note)
	}
}
