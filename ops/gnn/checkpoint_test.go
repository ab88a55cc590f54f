package gnn

import (
	"encoding/binary"
	"encoding/gob"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Ŵ and the best epoch's Ŵ round-trip bit for bit through the raw values
// of version 4, a file cut inside them is refused with the file and the
// values that are there, versions 3 (Ŵ as bytes) and 2 (Ŵ as a float32
// slice) still load, and raw bytes that are not whole float32 values are
// refused with the file named.
func TestCheckpointWeightsVersions(t *testing.T) {
	dir := t.TempDir()
	m, err := NewModel(ModelSpec{N: 9}, 3)
	if err != nil {
		t.Fatal(err)
	}
	m.w[1], m.w[2], m.w[3] = -0.0, 1e-40, -3.25 // a signed zero and a subnormal survive
	m.track.Best = m.snapshot()
	m.track.Best.W[4] = 7.5 // the best epoch's Ŵ differs from the current one
	path := filepath.Join(dir, "v4.gob")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	l, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(bitsOf(l.W()), bitsOf(m.W())) {
		t.Fatalf("Ŵ differs after a version-4 round trip")
	}
	if l.track.Best == nil || !slices.Equal(bitsOf(l.track.Best.W), bitsOf(m.track.Best.W)) {
		t.Fatalf("the best epoch's Ŵ differs after a version-4 round trip")
	}
	if m.track.Best.W == nil {
		t.Fatalf("Save cleared the model's own best Ŵ")
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(dir, "cut4.gob")
	if err := os.WriteFile(cut, raw[:len(raw)-10], 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(cut); err == nil || !strings.Contains(err.Error(), cut) || !strings.Contains(err.Error(), "ends after 78 of 81 values") {
		t.Fatalf("version 4 cut in the best Ŵ: error %v, want one naming the file and the values there", err)
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

	v3 := old
	v3.Version, v3.W, v3.WBits = 3, nil, float32Bytes(m.w)
	l, err = Load(write("v3.gob", v3))
	if err != nil {
		t.Fatalf("version 3: %v", err)
	}
	if !slices.Equal(bitsOf(l.W()), bitsOf(m.W())) {
		t.Fatalf("a version-3 checkpoint loads a different Ŵ")
	}

	bad := v3
	bad.WBits = bad.WBits[:4*len(m.w)-1]
	p := write("cut.gob", bad)
	if _, err := Load(p); err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "multiple of 4") {
		t.Fatalf("raw Ŵ cut short: error %v, want one naming the file and the byte count", err)
	}
	bad.Version = 9
	if _, err := Load(write("future.gob", bad)); err == nil || !strings.Contains(err.Error(), "versions 2 to 4") {
		t.Fatalf("version 9: error %v, want the versions this build reads", err)
	}
}

// float32Bytes returns x as little-endian bytes (version 3's WBits).
func float32Bytes(x []float32) []byte {
	out := make([]byte, 4*len(x))
	for k, v := range x {
		binary.LittleEndian.PutUint32(out[4*k:], math.Float32bits(v))
	}
	return out
}

// bitsOf returns the bit patterns of x (so that -0 and NaN compare exactly).
func bitsOf(x []float32) []uint32 {
	out := make([]uint32, len(x))
	for k, v := range x {
		out[k] = math.Float32bits(v)
	}
	return out
}

// saveAndLoad saves m to a checkpoint in a temporary folder and loads it
// back, failing the test on either error.
func saveAndLoad(t *testing.T, m *Model) *Model {
	t.Helper()
	path := filepath.Join(t.TempDir(), "m.gob")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	l, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return l
}
