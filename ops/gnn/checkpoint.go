package gnn

import (
	"encoding/binary"
	"encoding/gob"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unsafe"
)

// checkpointMagic identifies ngs GNN checkpoints; bump the version when the
// layout changes. Version 3 stores Ŵ as raw bytes (WBits); Load still reads
// version 2 (Ŵ in W).
const (
	checkpointMagic    = "ngs-gnn-checkpoint"
	checkpointVersion  = 3
	oldestCheckpoint   = 2
	firstRawWeightsVer = 3
)

// checkpoint is the on-disk form of a Model (encoding/gob).
type checkpoint struct {
	Magic    string
	Version  int
	Spec     ModelSpec
	Phi, Psi []float32
	Omega    []float32
	W, A     []float32 // W: Ŵ in version 2 only
	// WBits is Ŵ as little-endian float32 bytes (version 3): gob writes a
	// byte slice as one block, where it encodes a float32 slice value by
	// value (at N = 8000, 64 million weights: seconds instead of tens).
	WBits        []byte
	XNorm        float64
	Epochs       int
	Losses       []float64
	FreezeEpochs int
	Track        track
	// InputTable is the learned input table (omega.go), nil without one
	// or when the input is given (training rebuilds it from the data).
	InputTable *inputTable
}

// Save writes the model to path (a temporary file renamed into place, so a
// crash never leaves a half-written checkpoint).
func (m *Model) Save(path string) error {
	c := checkpoint{Magic: checkpointMagic, Version: checkpointVersion, Spec: m.spec,
		Phi: m.phi.Params, Psi: m.psi.Params, WBits: float32Bytes(m.w), A: m.a, XNorm: m.xnorm,
		Epochs: m.epochs, Losses: m.losses, FreezeEpochs: m.freezeEpochs, Track: m.track}
	if m.omega != nil {
		c.Omega = m.omega.Params
	}
	if m.etab != nil && !m.etab.Known {
		c.InputTable = m.etab
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".checkpoint-*")
	if err != nil {
		return fmt.Errorf("gnn: save checkpoint: %w", err)
	}
	if err := gob.NewEncoder(tmp).Encode(&c); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("gnn: save checkpoint %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("gnn: save checkpoint %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("gnn: save checkpoint %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("gnn: save checkpoint %s: %w", path, err)
	}
	return nil
}

// Load reads a model written by Save.
func Load(path string) (*Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("gnn: load checkpoint: %w", err)
	}
	defer f.Close()
	var c checkpoint
	if err := gob.NewDecoder(f).Decode(&c); err != nil {
		return nil, fmt.Errorf("gnn: %s is not a readable ngs checkpoint: %w", path, err)
	}
	if c.Magic != checkpointMagic {
		return nil, fmt.Errorf("gnn: %s is not an ngs GNN checkpoint (header %q)", path, c.Magic)
	}
	if c.Version < oldestCheckpoint || c.Version > checkpointVersion {
		return nil, fmt.Errorf("gnn: %s has checkpoint version %d, this build reads versions %d to %d", path, c.Version, oldestCheckpoint, checkpointVersion)
	}
	m, err := NewModel(c.Spec, 0)
	if err != nil {
		return nil, fmt.Errorf("gnn: checkpoint %s: %w", path, err)
	}
	type part struct {
		name     string
		dst, src []float32
	}
	parts := []part{{"phi", m.phi.Params, c.Phi}, {"psi", m.psi.Params, c.Psi}, {"embeddings", m.a, c.A}}
	if c.Version >= firstRawWeightsVer {
		// Ŵ straight from its bytes into the model (no second N² copy).
		if err := decodeFloat32(m.w, c.WBits); err != nil {
			return nil, fmt.Errorf("gnn: checkpoint %s: W: %w", path, err)
		}
	} else {
		parts = append(parts, part{"W", m.w, c.W})
	}
	if m.omega != nil {
		parts = append(parts, part{"omega", m.omega.Params, c.Omega})
	}
	for _, p := range parts {
		if len(p.src) != len(p.dst) {
			return nil, fmt.Errorf("gnn: checkpoint %s: %s has %d values, its spec needs %d", path, p.name, len(p.src), len(p.dst))
		}
		copy(p.dst, p.src)
	}
	m.xnorm, m.epochs, m.losses, m.freezeEpochs, m.track = c.XNorm, c.Epochs, c.Losses, c.FreezeEpochs, c.Track
	if t := c.InputTable; t != nil && m.omega != nil {
		if t.Bins < 1 || t.T < 1 || len(t.E) != t.Bins*len(m.spec.Omega.Neurons) {
			return nil, fmt.Errorf("gnn: checkpoint %s: the input table has %d values for %d bins of %d input neurons", path, len(t.E), t.Bins, len(m.spec.Omega.Neurons))
		}
		m.etab = t
	}
	if m.track.LRScale == 0 {
		m.track.LRScale = 1
	}
	return m, nil
}

// sameShape reports how two specs differ in a way that changes parameter shapes.
func sameShape(have, want ModelSpec) error {
	switch {
	case have.N != want.N:
		return fmt.Errorf("model shape differs: checkpoint has N=%d, expected %d", have.N, want.N)
	case have.EmbeddingDim != want.EmbeddingDim:
		return fmt.Errorf("model shape differs: checkpoint has embedding dim %d, expected %d", have.EmbeddingDim, want.EmbeddingDim)
	case have.Variant != want.Variant:
		return fmt.Errorf("model shape differs: checkpoint has variant %s, expected %s", have.Variant, want.Variant)
	case !slices.Equal(have.PsiArgList(), want.PsiArgList()):
		return fmt.Errorf("model shape differs: checkpoint has psi(%s), expected psi(%s)", strings.Join(have.PsiArgList(), ", "), strings.Join(want.PsiArgList(), ", "))
	case have.Phi != want.Phi:
		return fmt.Errorf("model shape differs: checkpoint has phi %+v, expected %+v", have.Phi, want.Phi)
	case have.Psi != want.Psi:
		return fmt.Errorf("model shape differs: checkpoint has psi %+v, expected %+v", have.Psi, want.Psi)
	case (have.Omega == nil) != (want.Omega == nil):
		return fmt.Errorf("model shape differs: checkpoint omega present=%v, expected %v", have.Omega != nil, want.Omega != nil)
	case have.Omega != nil && (have.Omega.Siren != want.Omega.Siren || len(have.Omega.Neurons) != len(want.Omega.Neurons)):
		return fmt.Errorf("model shape differs: checkpoint omega %+v with %d inputs, expected %+v with %d", have.Omega.Siren, len(have.Omega.Neurons), want.Omega.Siren, len(want.Omega.Neurons))
	}
	return nil
}

// float32Bytes returns x as little-endian bytes: x's own memory on a
// little-endian machine, a converted copy elsewhere.
func float32Bytes(x []float32) []byte {
	if len(x) == 0 {
		return nil
	}
	if littleEndian() {
		return unsafe.Slice((*byte)(unsafe.Pointer(&x[0])), 4*len(x))
	}
	out := make([]byte, 4*len(x))
	for k, v := range x {
		binary.LittleEndian.PutUint32(out[4*k:], math.Float32bits(v))
	}
	return out
}

// decodeFloat32 decodes little-endian float32 bytes (float32Bytes's) into
// dst, which they must fill exactly.
func decodeFloat32(dst []float32, b []byte) error {
	if len(b)%4 != 0 {
		return fmt.Errorf("%d bytes, expected a multiple of 4 (float32 values)", len(b))
	}
	if len(b) != 4*len(dst) {
		return fmt.Errorf("%d values, its spec needs %d", len(b)/4, len(dst))
	}
	for k := range dst {
		dst[k] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*k:]))
	}
	return nil
}

// littleEndian reports whether this machine stores the low byte first.
func littleEndian() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}
