package gnn

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// checkpointMagic identifies ngs GNN checkpoints; bump the version when the
// layout changes. Version 4 writes Ŵ and the best epoch's Ŵ after the gob
// message as raw float32 values (RawW, RawBestW); Load still reads version
// 3 (Ŵ as bytes in WBits, the best Ŵ inside the gob message) and version 2
// (Ŵ in W).
const (
	checkpointMagic    = "ngs-gnn-checkpoint"
	checkpointVersion  = 4
	oldestCheckpoint   = 2
	firstRawWeightsVer = 3
	firstStreamedVer   = 4
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
	WBits []byte
	// RawW and RawBestW (version 4) count the float32 values of Ŵ and of
	// the best epoch's Ŵ (Track.Best.W, left out of the gob message) that
	// follow the message, little-endian: written straight from the slices,
	// with no N²-sized encoding buffer.
	RawW, RawBestW int
	XNorm          float64
	Epochs         int
	Losses         []float64
	FreezeEpochs   int
	GroupedPsi     bool // Model.psiGrouped
	Track          track
	// InputTable is the learned input table (omega.go), nil without one
	// or when the input is given (training rebuilds it from the data).
	InputTable *inputTable
	// PsiCurve, PsiCurveLo and PsiCurveHi are the joint steps' ψ*
	// (psistep.go), nil without one; older checkpoints have none.
	PsiCurve               []float32
	PsiCurveLo, PsiCurveHi float32
	// PsiGroups are the grouped steps' curves (groupcurves.go); older
	// checkpoints have none.
	PsiGroups []GroupPsi
	// Bias is the receivers' constant terms (Model.bias); older
	// checkpoints and models without one have none.
	Bias []float32
}

// Save writes the model to path (a temporary file renamed into place, so a
// crash never leaves a half-written checkpoint): the gob message, then Ŵ
// and the best epoch's Ŵ as raw float32 values (version 4).
func (m *Model) Save(path string) error {
	c := checkpoint{Magic: checkpointMagic, Version: checkpointVersion, Spec: m.spec,
		Phi: m.phi.Params, Psi: m.psi.Params, RawW: len(m.w), A: m.a, XNorm: m.xnorm,
		Epochs: m.epochs, Losses: m.losses, FreezeEpochs: m.freezeEpochs, GroupedPsi: m.psiGrouped, Track: m.track}
	var bestW []float32
	if best := m.track.Best; best != nil {
		shallow := *best
		bestW, shallow.W = best.W, nil
		c.Track.Best, c.RawBestW = &shallow, len(bestW)
	}
	if m.omega != nil {
		c.Omega = m.omega.Params
	}
	if m.etab != nil && !m.etab.Known {
		c.InputTable = m.etab
	}
	if pc := m.psiCurve; pc != nil {
		c.PsiCurve, c.PsiCurveLo, c.PsiCurveHi = pc.vals, pc.lo, pc.hi
	}
	c.PsiGroups = m.psiGroups
	c.Bias = m.bias
	tmp, err := os.CreateTemp(filepath.Dir(path), ".checkpoint-*")
	if err != nil {
		return fmt.Errorf("gnn: save checkpoint: %w", err)
	}
	fail := func(err error) error {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("gnn: save checkpoint %s: %w", path, err)
	}
	bw := bufio.NewWriterSize(tmp, 1<<20)
	if err := gob.NewEncoder(bw).Encode(&c); err != nil {
		return fail(err)
	}
	for _, x := range [][]float32{m.w, bestW} {
		if err := writeFloat32s(bw, x); err != nil {
			return fail(err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
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
	// A bufio.Reader is an io.ByteReader, so gob reads exactly its message
	// from it and the raw values after it stay in r.
	r := bufio.NewReaderSize(f, 1<<20)
	var c checkpoint
	if err := gob.NewDecoder(r).Decode(&c); err != nil {
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
	switch {
	case c.Version >= firstStreamedVer:
		if err := readWeights(r, &c, m); err != nil {
			return nil, fmt.Errorf("gnn: checkpoint %s: %w", path, err)
		}
	case c.Version >= firstRawWeightsVer:
		// Ŵ straight from its bytes into the model (no second N² copy).
		if err := decodeFloat32(m.w, c.WBits); err != nil {
			return nil, fmt.Errorf("gnn: checkpoint %s: W: %w", path, err)
		}
	default:
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
	m.psiGrouped = c.GroupedPsi
	if t := c.InputTable; t != nil && m.omega != nil {
		if t.Bins < 1 || t.T < 1 || len(t.E) != t.Bins*len(m.spec.Omega.Neurons) {
			return nil, fmt.Errorf("gnn: checkpoint %s: the input table has %d values for %d bins of %d input neurons", path, len(t.E), t.Bins, len(m.spec.Omega.Neurons))
		}
		m.etab = t
	}
	if m.track.LRScale == 0 {
		m.track.LRScale = 1
	}
	if len(c.PsiCurve) > 0 {
		if len(c.PsiCurve) < 2 || !(c.PsiCurveHi > c.PsiCurveLo) || !m.spec.PsiShared() {
			return nil, fmt.Errorf("gnn: checkpoint %s: ψ*'s curve has %d values over [%g, %g] (want at least 2 over a non-empty range, for a shared ψ*)", path, len(c.PsiCurve), c.PsiCurveLo, c.PsiCurveHi)
		}
		m.psiCurve = &psiCurve{lo: c.PsiCurveLo, hi: c.PsiCurveHi, vals: c.PsiCurve}
	}
	d := m.spec.EmbeddingDim
	for k, g := range c.PsiGroups {
		if len(g.Vals) < 2 || !(g.Hi > g.Lo) || len(g.Send) != d || (g.Recv != nil && len(g.Recv) != d) {
			return nil, fmt.Errorf("gnn: checkpoint %s: ψ*'s group curve %d has %d values over [%g, %g] for embeddings of %d and %d values (want at least 2 values over a non-empty range, embeddings of %d)", path, k, len(g.Vals), g.Lo, g.Hi, len(g.Recv), len(g.Send), d)
		}
	}
	m.psiGroups = c.PsiGroups
	if c.Bias != nil && len(c.Bias) != m.spec.N {
		return nil, fmt.Errorf("gnn: checkpoint %s: the receivers' constant terms have %d values for %d neurons", path, len(c.Bias), m.spec.N)
	}
	m.bias = c.Bias
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

// decodeFloat32 decodes version 3's little-endian float32 bytes into dst,
// which they must fill exactly (readFloat32s does the conversion).
func decodeFloat32(dst []float32, b []byte) error {
	if len(b)%4 != 0 {
		return fmt.Errorf("%d bytes, expected a multiple of 4 (float32 values)", len(b))
	}
	if len(b) != 4*len(dst) {
		return fmt.Errorf("%d values, its spec needs %d", len(b)/4, len(dst))
	}
	return readFloat32s(bytes.NewReader(b), dst)
}

// readWeights reads version 4's raw values after the gob message: Ŵ into
// the model, then the best epoch's Ŵ into c.Track.Best.W.
func readWeights(r io.Reader, c *checkpoint, m *Model) error {
	if c.RawW != len(m.w) {
		return fmt.Errorf("W: %d values, its spec needs %d", c.RawW, len(m.w))
	}
	if err := readFloat32s(r, m.w); err != nil {
		return fmt.Errorf("W: %w", err)
	}
	if c.RawBestW == 0 {
		return nil
	}
	if c.Track.Best == nil || c.RawBestW != len(m.w) {
		return fmt.Errorf("best epoch's W: %d values without a best epoch or not the %d its spec needs", c.RawBestW, len(m.w))
	}
	c.Track.Best.W = make([]float32, c.RawBestW)
	if err := readFloat32s(r, c.Track.Best.W); err != nil {
		return fmt.Errorf("best epoch's W: %w", err)
	}
	return nil
}

// rawChunk is the number of float32 values converted per write or read.
const rawChunk = 1 << 14

// writeFloat32s writes x as little-endian float32 values, a chunk at a
// time (no copy of x as a whole).
func writeFloat32s(w io.Writer, x []float32) error {
	buf := make([]byte, 4*rawChunk)
	for len(x) > 0 {
		k := min(len(x), rawChunk)
		for i, v := range x[:k] {
			binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(v))
		}
		if _, err := w.Write(buf[:4*k]); err != nil {
			return err
		}
		x = x[k:]
	}
	return nil
}

// readFloat32s fills dst with little-endian float32 values from r; a file
// that ends early is an error that says how many values were there.
func readFloat32s(r io.Reader, dst []float32) error {
	buf := make([]byte, 4*rawChunk)
	for done := 0; done < len(dst); {
		k := min(len(dst)-done, rawChunk)
		got, err := io.ReadFull(r, buf[:4*k])
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return fmt.Errorf("the file ends after %d of %d values (truncated)", done+got/4, len(dst))
			}
			return err
		}
		for i := range k {
			dst[done+i] = math.Float32frombits(binary.LittleEndian.Uint32(buf[4*i:]))
		}
		done += k
	}
	return nil
}
