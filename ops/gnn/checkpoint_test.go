package gnn

import (
	"encoding/gob"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Ŵ round-trips bit for bit through the raw bytes of version 3, a version-2
// checkpoint (Ŵ as a float32 slice) still loads, and raw bytes that are not
// whole float32 values are refused with the file named.
func TestCheckpointWeightsVersions(t *testing.T) {
	dir := t.TempDir()
	m, err := NewModel(ModelSpec{N: 9}, 3)
	if err != nil {
		t.Fatal(err)
	}
	m.w[1], m.w[2], m.w[3] = -0.0, 1e-40, -3.25 // a signed zero and a subnormal survive
	path := filepath.Join(dir, "v3.gob")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	l, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(bitsOf(l.W()), bitsOf(m.W())) {
		t.Fatalf("Ŵ differs after a version-3 round trip")
	}

	write := func(name string, c checkpoint) string {
		p := filepath.Join(dir, name)
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := gob.NewEncoder(f).Encode(&c); err != nil {
			t.Fatal(err)
		}
		return p
	}
	old := checkpoint{Magic: checkpointMagic, Version: 2, Spec: m.spec, Phi: m.phi.Params, Psi: m.psi.Params,
		W: m.w, A: m.a, XNorm: 2, Track: m.track}
	l, err = Load(write("v2.gob", old))
	if err != nil {
		t.Fatalf("version 2: %v", err)
	}
	if !slices.Equal(bitsOf(l.W()), bitsOf(m.W())) || l.XNorm() != 2 {
		t.Fatalf("a version-2 checkpoint loads a different model")
	}

	bad := old
	bad.Version, bad.W, bad.WBits = 3, nil, float32Bytes(m.w)[:4*len(m.w)-1]
	p := write("cut.gob", bad)
	if _, err := Load(p); err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "multiple of 4") {
		t.Fatalf("raw Ŵ cut short: error %v, want one naming the file and the byte count", err)
	}
	bad.Version = 9
	if _, err := Load(write("future.gob", bad)); err == nil || !strings.Contains(err.Error(), "versions 2 to 3") {
		t.Fatalf("version 9: error %v, want the versions this build reads", err)
	}
}

// bitsOf returns the bit patterns of x (so that -0 and NaN compare exactly).
func bitsOf(x []float32) []uint32 {
	out := make([]uint32, len(x))
	for k, v := range x {
		out[k] = math.Float32bits(v)
	}
	return out
}
