package nn

import (
	"fmt"
	"math"
	"math/rand"
	"strings"

	"github.com/ngs-lab/ngs/internal/par"
	"github.com/ngs-lab/ngs/ops/vec"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// Activation is the nonlinearity applied between the Linear layers of an MLP.
type Activation int

// The supported activations. Sine is sin(ω0·z), the SIREN activation.
const (
	ReLU Activation = iota
	Tanh
	Sine
)

// ParseActivation turns "relu", "tanh" or "sin"/"sine" into an Activation;
// the empty string means ReLU.
func ParseActivation(name string) (Activation, error) {
	switch strings.ToLower(name) {
	case "", "relu":
		return ReLU, nil
	case "tanh":
		return Tanh, nil
	case "sin", "sine", "siren":
		return Sine, nil
	}
	return ReLU, fmt.Errorf("nn: unknown activation %q (expected relu, tanh or sin)", name)
}

// MLPSpec describes a multi-layer perceptron: Layers Linear layers mapping In
// inputs through Hidden-wide layers to Out outputs, with Activation between
// them and none after the last.
type MLPSpec struct {
	In, Hidden, Out, Layers int
	Activation              string  // "relu" (default), "tanh" or "sin"
	Omega0                  float64 // frequency of the "sin" activation (default 30)
}

// Validate reports the first inconsistent field of the spec.
func (s MLPSpec) Validate() error {
	if s.In < 1 || s.Out < 1 {
		return fmt.Errorf("nn: MLP needs In ≥ 1 and Out ≥ 1, found In=%d Out=%d", s.In, s.Out)
	}
	if s.Layers < 1 {
		return fmt.Errorf("nn: MLP needs at least 1 layer, found %d", s.Layers)
	}
	if s.Layers > 1 && s.Hidden < 1 {
		return fmt.Errorf("nn: MLP with %d layers needs Hidden ≥ 1, found %d", s.Layers, s.Hidden)
	}
	_, err := ParseActivation(s.Activation)
	return err
}

// widths returns the layer widths In, Hidden..., Out.
func (s MLPSpec) widths() []int {
	w := []int{s.In}
	for l := 1; l < s.Layers; l++ {
		w = append(w, s.Hidden)
	}
	return append(w, s.Out)
}

// ParamCount is the number of weights and biases of an MLP with this spec.
func (s MLPSpec) ParamCount() int {
	w := s.widths()
	n := 0
	for l := 0; l+1 < len(w); l++ {
		n += w[l]*w[l+1] + w[l+1]
	}
	return n
}

// Dense is one Linear layer y = x·W + b, a view into its MLP's parameter and
// gradient slices. W is In×Out row-major.
type Dense struct {
	In, Out int
	W, B    []float32
	GW, GB  []float32
}

// MLP is a multi-layer perceptron whose parameters live in one flat slice
// (Params) with a matching gradient slice (Grads), so an optimiser and a
// checkpoint can treat it as one vector.
type MLP struct {
	Spec   MLPSpec
	Params []float32
	Grads  []float32
	Layers []Dense
	act    Activation
	omega  float32
}

// NewMLP builds an MLP with zero parameters; see InitPaper and InitSiren.
func NewMLP(spec MLPSpec) (*MLP, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	act, _ := ParseActivation(spec.Activation)
	if spec.Omega0 == 0 {
		spec.Omega0 = 30
	}
	m := &MLP{Spec: spec, act: act, omega: float32(spec.Omega0)}
	m.Params = make([]float32, spec.ParamCount())
	m.Grads = make([]float32, len(m.Params))
	w := spec.widths()
	off := 0
	for l := 0; l+1 < len(w); l++ {
		in, out := w[l], w[l+1]
		d := Dense{In: in, Out: out}
		d.W, d.GW = m.Params[off:off+in*out], m.Grads[off:off+in*out]
		off += in * out
		d.B, d.GB = m.Params[off:off+out], m.Grads[off:off+out]
		off += out
		m.Layers = append(m.Layers, d)
	}
	return m, nil
}

// NewPaperMLP builds an MLP initialised as in the paper's reference: first
// layer weights and biases U(±1/√fan_in); later layers weights N(0, 0.1²),
// biases 0.
func NewPaperMLP(spec MLPSpec, rng *rand.Rand) (*MLP, error) {
	m, err := NewMLP(spec)
	if err != nil {
		return nil, err
	}
	for l, d := range m.Layers {
		if l == 0 {
			bound := 1 / math.Sqrt(float64(d.In))
			fillUniform(d.W, bound, rng)
			fillUniform(d.B, bound, rng)
			continue
		}
		for k := range d.W {
			d.W[k] = float32(0.1 * rng.NormFloat64())
		}
	}
	return m, nil
}

func fillUniform(x []float32, bound float64, rng *rand.Rand) {
	for k := range x {
		x[k] = float32((2*rng.Float64() - 1) * bound)
	}
}

// ZeroGrads clears the accumulated parameter gradients.
func (m *MLP) ZeroGrads() {
	clear(m.Grads)
}

// Clone returns a deep copy of the MLP (parameters and gradients).
func (m *MLP) Clone() *MLP {
	c, _ := NewMLP(m.Spec)
	copy(c.Params, m.Params)
	copy(c.Grads, m.Grads)
	return c
}

// Work holds the activations of one forward pass over up to MaxRows rows, kept
// for the backward pass; reuse it across steps to avoid allocation.
type Work struct {
	MaxRows int
	rows    int
	x       []float32   // the input of the last forward pass (not owned)
	h       [][]float32 // post-activation output of each layer (last: the output)
	z       [][]float32 // ω0·cos(ω0·pre-activation) of each hidden layer (Sine only)
	dA, dB  []float32   // ping-pong buffers for gradients w.r.t. activations
	parts   []float32   // per-worker partial parameter gradients
	wt      []float32   // a transposed weight matrix, or 64-column panels of W or Wᵀ
	panel   []float32   // rows×64 scratch of the 64-column panel kernels
	bias    []float32   // per-worker partial bias gradients
}

// grow returns buf resliced to n values, reallocated when it is too short.
func grow(buf *[]float32, n int) []float32 {
	if len(*buf) < n {
		*buf = make([]float32, n)
	}
	return (*buf)[:n]
}

// NewWork allocates the buffers for forward and backward passes over up to
// maxRows rows.
func (m *MLP) NewWork(maxRows int) *Work {
	w := &Work{MaxRows: maxRows}
	widest := 0
	for l, d := range m.Layers {
		w.h = append(w.h, make([]float32, maxRows*d.Out))
		if m.act == Sine && l+1 < len(m.Layers) {
			w.z = append(w.z, make([]float32, maxRows*d.Out))
		} else {
			w.z = append(w.z, nil)
		}
		widest = max(widest, d.Out, d.In)
	}
	w.dA = make([]float32, maxRows*widest)
	w.dB = make([]float32, maxRows*widest)
	return w
}

// Forward evaluates the MLP on rows×In inputs x (row-major) and returns the
// rows×Out outputs, a view into w valid until the next Forward on w. x must
// stay unchanged until Backward has run.
func (m *MLP) Forward(w *Work, x []float32, rows int) []float32 {
	if rows > w.MaxRows {
		panic(fmt.Sprintf("nn: Forward over %d rows with a Work sized for %d", rows, w.MaxRows))
	}
	w.rows, w.x = rows, x
	in := x
	for l := range m.Layers {
		d := &m.Layers[l]
		out := w.h[l][:rows*d.Out]
		var act func(lo, hi int)
		if l+1 < len(m.Layers) { // the activation, on blocks of rows still in the cache
			z, width := w.z[l], d.Out
			act = func(lo, hi int) { m.activateRange(out, z, lo*width, hi*width) }
		}
		linearForwardThen(d, in, out, rows, w, act)
		in = out
	}
	return in
}

// activateRange applies the activation in place to h[lo:hi], keeping in z
// what the derivative needs (for Sine, ω0·cos(ω0·z) of the pre-activation
// z), on the calling goroutine.
func (m *MLP) activateRange(h, z []float32, lo, hi int) {
	switch m.act {
	case ReLU:
		relu(h[lo:hi])
	case Tanh:
		for k := lo; k < hi; k++ {
			h[k] = float32(math.Tanh(float64(h[k])))
		}
	case Sine:
		sineActivate(h[lo:hi], z[lo:hi], m.omega)
	}
}

// activationGradRange multiplies g[lo:hi] by the activation's derivative
// (from h or z), on the calling goroutine: Backward runs it on blocks of
// rows right after the layer above wrote them.
func (m *MLP) activationGradRange(g, h, z []float32, lo, hi int) {
	switch m.act {
	case ReLU:
		reluGrad(g[lo:hi], h[lo:hi])
	case Tanh:
		for k := lo; k < hi; k++ {
			g[k] *= 1 - h[k]*h[k]
		}
	case Sine:
		gs, zs := g[lo:hi], z[lo:hi]
		zs = zs[:len(gs)]
		for k, v := range zs {
			gs[k] *= v
		}
	}
}

// Backward takes dy (rows×Out, the loss gradient w.r.t. the outputs of the
// last Forward on w), adds the parameter gradients into m.Grads and, when dx
// is not nil, writes the gradient w.r.t. the inputs into dx (rows×In).
func (m *MLP) Backward(w *Work, dy []float32, dx []float32) {
	rows := w.rows
	g := dy
	for l := len(m.Layers) - 1; l >= 0; l-- {
		d := &m.Layers[l]
		// g already holds the gradient w.r.t. layer l's pre-activation: the
		// derivative was applied when the layer above wrote it (post below).
		in := w.x
		if l > 0 {
			in = w.h[l-1]
		}
		linearParamGrad(d, in, g, rows, w)
		if l == 0 && dx == nil {
			break
		}
		var next []float32
		if l == 0 {
			next = dx[:rows*d.In]
		} else if &g[0] == &w.dA[0] {
			next = w.dB[:rows*d.In]
		} else {
			next = w.dA[:rows*d.In]
		}
		var post func(lo, hi int)
		if l > 0 { // layer l-1's activation derivative, on blocks still in the cache
			h, z, width := w.h[l-1], w.z[l-1], d.In
			post = func(lo, hi int) { m.activationGradRange(next, h, z, lo*width, hi*width) }
		}
		linearInputGradThen(d, g, next, rows, w, post)
		g = next
	}
}

// fuseRows is the block of rows on which the 64-column paths run the
// activation (or its derivative) right after the product, while the block
// (fuseRows×64 values) is still in the L1 cache.
const fuseRows = 128

// linearForward computes out = in·W + b over rows.
func linearForward(d *Dense, in, out []float32, rows int, w *Work) {
	linearForwardThen(d, in, out, rows, w, nil)
}

// linearForwardThen is linearForward followed by then(lo, hi) on blocks of
// rows of out covering [0, rows) (nil: nothing), on the goroutine that
// wrote them where the path allows it.
func linearForwardThen(d *Dense, in, out []float32, rows int, w *Work, then func(lo, hi int)) {
	if hasGemm64() && d.Out == 64 { // also the first layers (In ≤ 4) of φ* and ψ*
		ParallelRows(rows, func(lo, hi int) {
			for b0 := lo; b0 < hi; b0 += fuseRows {
				b1 := min(hi, b0+fuseRows)
				for r := b0; r < b1; r++ {
					copy(out[r*64:(r+1)*64], d.B)
				}
				gemm64Kernel(in[b0*d.In:], d.In, d.W, out[b0*64:], b1-b0, d.In, true)
				if then != nil {
					then(b0, b1)
				}
			}
		})
		return
	}
	linearForwardPlain(d, in, out, rows, w)
	if then != nil {
		ParallelRows(rows, then)
	}
}

// linearForwardPlain is linearForward on the paths that do not fuse.
func linearForwardPlain(d *Dense, in, out []float32, rows int, w *Work) {
	switch {
	case hasGemm64() && d.Out%64 == 0 && d.Out > 64:
		panelForward(d, in, out, rows, w)
	case d.In <= 4:
		smallInForward(d, in, out, rows)
	case d.Out == 1: // out = in·w + b: the matrix-vector kernel of ops/vec
		ParallelRows(rows, func(lo, hi int) {
			if err := vec.MatVec(out[lo:hi], in[lo*d.In:hi*d.In], d.In, d.W); err != nil {
				panic("nn: " + err.Error()) // the layer's own shapes: a bug
			}
			b := d.B[0]
			for r := lo; r < hi; r++ {
				out[r] += b
			}
		})
	default:
		ParallelRows(rows, func(lo, hi int) {
			o := out[lo*d.Out : hi*d.Out]
			for r := 0; r < hi-lo; r++ {
				copy(o[r*d.Out:(r+1)*d.Out], d.B)
			}
		})
		gemm(blas.NoTrans, blas.NoTrans, rows, d.Out, d.In, in, d.In, d.W, d.Out, 1, out, d.Out)
	}
}

func smallInForward(d *Dense, in, out []float32, rows int) {
	ParallelRows(rows, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			o := out[r*d.Out : (r+1)*d.Out]
			copy(o, d.B)
			for k := 0; k < d.In; k++ {
				axpy(in[r*d.In+k], d.W[k*d.Out:(k+1)*d.Out], o)
			}
		}
	})
}

// linearParamGrad adds inᵀ·g into GW and the column sums of g into GB.
func linearParamGrad(d *Dense, in, g []float32, rows int, w *Work) {
	if d.Out == 1 {
		columnParamGrad(d, in, g, rows, w)
		return
	}
	biasGrad(d, g, rows, w)
	if hasGemm64() && d.Out == 64 {
		paramGrad64(d, in, g, rows, w)
		return
	}
	if hasGemm64() && d.Out%64 == 0 {
		panelParamGrad(d, in, g, rows, w)
		return
	}
	gemm(blas.Trans, blas.NoTrans, d.In, d.Out, rows, in, d.In, g, d.Out, 1, d.GW, d.Out)
}

// columnParamGrad is linearParamGrad for one output (the last layer of φ*
// and ψ*): GW += inᵀ·g and GB += Σ g. The rows are split over goroutines,
// each forming the partial sums of its block (with the 64-column kernel,
// one row of A, when In is 64), and the partials are added in block order.
func columnParamGrad(d *Dense, in, g []float32, rows int, w *Work) {
	workers := par.Workers(rows, 2*minRowsPerWorker)
	stride := d.In + 1 // GW's partial, then GB's
	if d.In == 64 {
		stride = 64 + 1
	}
	parts := grow(&w.parts, workers*stride)
	par.Split(rows, workers, func(p, lo, hi int) {
		part := parts[p*stride : (p+1)*stride]
		clear(part)
		if hasGemm64() && d.In == 64 {
			gemm64Kernel(g[lo:hi], hi-lo, in[lo*64:hi*64], part[:64], 1, hi-lo, false)
		} else {
			for r := lo; r < hi; r++ {
				axpy(g[r], in[r*d.In:(r+1)*d.In], part[:d.In])
			}
		}
		var sb float32
		for _, v := range g[lo:hi] {
			sb += v
		}
		part[d.In] = sb
	})
	for p := 0; p < workers; p++ {
		part := parts[p*stride : (p+1)*stride]
		axpy(1, part[:d.In], d.GW)
		d.GB[0] += part[d.In]
	}
}

// biasGrad adds the column sums of g into GB, splitting the rows into
// par.Chunks of at least 2·minRowsPerWorker rows (each sums its block into
// w.bias, then the blocks are added in order; one block adds straight into
// GB).
func biasGrad(d *Dense, g []float32, rows int, w *Work) {
	chunk := par.ChunkSize(rows, 2*minRowsPerWorker)
	nchunks := par.NumChunks(rows, chunk)
	if nchunks <= 1 {
		for r := 0; r < rows; r++ {
			axpy(1, g[r*d.Out:(r+1)*d.Out], d.GB)
		}
		return
	}
	sums := grow(&w.bias, nchunks*d.Out)
	clear(sums)
	par.Chunks(rows, chunk, func(c, lo, hi int) {
		s := sums[c*d.Out : (c+1)*d.Out]
		for r := lo; r < hi; r++ {
			axpy(1, g[r*d.Out:(r+1)*d.Out], s)
		}
	})
	for c := 0; c < nchunks; c++ {
		axpy(1, sums[c*d.Out:(c+1)*d.Out], d.GB)
	}
}

// paramGrad64 is GW += inᵀ·g for 64 outputs with the AVX-512 kernel: the
// rows are split into par.Chunks of at least minRowsPerWorker rows, each
// forms the partial product of its block (reading in transposed in place)
// and the partials are added in block order.
func paramGrad64(d *Dense, in, g []float32, rows int, w *Work) {
	chunk := par.ChunkSize(rows, minRowsPerWorker)
	nchunks := par.NumChunks(rows, chunk)
	size := d.In * 64
	parts := grow(&w.parts, nchunks*size)
	par.Chunks(rows, chunk, func(c, lo, hi int) {
		gemm64TransKernel(in[lo*d.In:hi*d.In], d.In, g[lo*64:hi*64], parts[c*size:(c+1)*size], d.In, hi-lo, false)
	})
	for c := 0; c < nchunks; c++ {
		axpy(1, parts[c*size:(c+1)*size], d.GW)
	}
}

// linearInputGrad writes g·Wᵀ into dx.
func linearInputGrad(d *Dense, g, dx []float32, rows int, w *Work) {
	linearInputGradThen(d, g, dx, rows, w, nil)
}

// linearInputGradThen is linearInputGrad followed by then(lo, hi) on blocks
// of rows of dx covering [0, rows) (nil: nothing), on the goroutine that
// wrote them where the path allows it.
func linearInputGradThen(d *Dense, g, dx []float32, rows int, w *Work, then func(lo, hi int)) {
	if d.Out == 1 { // dx_r = g_r · W (W is a column)
		ParallelRows(rows, func(lo, hi int) {
			for b0 := lo; b0 < hi; b0 += fuseRows {
				b1 := min(hi, b0+fuseRows)
				for r := b0; r < b1; r++ {
					gr := g[r]
					row := dx[r*d.In : (r+1)*d.In]
					for k, wk := range d.W[:len(row)] {
						row[k] = gr * wk
					}
				}
				if then != nil {
					then(b0, b1)
				}
			}
		})
		return
	}
	if hasGemm64() && d.In == 64 {
		if len(w.wt) < d.Out*64 {
			w.wt = make([]float32, d.Out*64)
		}
		wt := w.wt[:d.Out*64] // Wᵀ: Out×In
		for k := 0; k < 64; k++ {
			for o := 0; o < d.Out; o++ {
				wt[o*64+k] = d.W[k*d.Out+o]
			}
		}
		ParallelRows(rows, func(lo, hi int) {
			for b0 := lo; b0 < hi; b0 += fuseRows {
				b1 := min(hi, b0+fuseRows)
				gemm64Kernel(g[b0*d.Out:], d.Out, wt, dx[b0*64:], b1-b0, d.Out, false)
				if then != nil {
					then(b0, b1)
				}
			}
		})
		return
	}
	linearInputGradPlain(d, g, dx, rows, w)
	if then != nil {
		ParallelRows(rows, then)
	}
}

// linearInputGradPlain is linearInputGrad on the paths that do not fuse.
func linearInputGradPlain(d *Dense, g, dx []float32, rows int, w *Work) {
	if d.In <= 4 { // dx_r = W·g_r: In dot products of length Out, vec's kernel
		ParallelRows(rows, func(lo, hi int) {
			for r := lo; r < hi; r++ {
				if err := vec.MatVec(dx[r*d.In:(r+1)*d.In], d.W, d.Out, g[r*d.Out:(r+1)*d.Out]); err != nil {
					panic("nn: " + err.Error()) // the layer's own shapes: a bug
				}
			}
		})
		return
	}
	if hasGemm64() && d.In%64 == 0 {
		panelInputGrad(d, g, dx, rows, w)
		return
	}
	gemm(blas.NoTrans, blas.Trans, rows, d.In, d.Out, g, d.Out, d.W, d.Out, 0, dx, d.In)
}

// gemm is C = A·B + beta·C (with the given transposes) on raw row-major
// slices: A is m×k (or k×m transposed), B is k×n (or n×k), C is m×n.
func gemm(ta, tb blas.Transpose, m, n, k int, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	ar, ac := m, k
	if ta == blas.Trans {
		ar, ac = k, m
	}
	br, bc := k, n
	if tb == blas.Trans {
		br, bc = n, k
	}
	blas32.Gemm(ta, tb, 1,
		blas32.General{Rows: ar, Cols: ac, Stride: lda, Data: a[:(ar-1)*lda+ac]},
		blas32.General{Rows: br, Cols: bc, Stride: ldb, Data: b[:(br-1)*ldb+bc]},
		beta,
		blas32.General{Rows: m, Cols: n, Stride: ldc, Data: c[:(m-1)*ldc+n]})
}

// Gemm is C = alpha·op(A)·op(B) + beta·C on row-major slices, op(A) m×k,
// op(B) k×n, C m×n (leading dimensions are the row lengths as stored). With
// the 64-column assembly kernel and at least gemmPanelMinRows rows it runs
// gemmPanels; with at most narrowMaxRows rows of C (A not transposed) and
// a large op(B) the narrow paths (gemmNarrow: op(B) read once, split over
// the cores); otherwise gonum's Sgemm.
func Gemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if useNarrow(transA, m, n, k) {
		gemmNarrow(transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	if m >= gemmPanelMinRows && n > 0 && k > 0 && hasGemm64() {
		gemmPanels(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	gonumGemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// gonumGemm is Gemm through gonum's Sgemm.
func gonumGemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	ta, tb := blas.NoTrans, blas.NoTrans
	ar, ac, br, bc := m, k, k, n
	if transA {
		ta, ar, ac = blas.Trans, k, m
	}
	if transB {
		tb, br, bc = blas.Trans, n, k
	}
	blas32.Gemm(ta, tb, alpha,
		blas32.General{Rows: ar, Cols: ac, Stride: lda, Data: a[:(ar-1)*lda+ac]},
		blas32.General{Rows: br, Cols: bc, Stride: ldb, Data: b[:(br-1)*ldb+bc]},
		beta,
		blas32.General{Rows: m, Cols: n, Stride: ldc, Data: c[:(m-1)*ldc+n]})
}

func axpy(alpha float32, x, y []float32) {
	y = y[:len(x)]
	for k, v := range x {
		y[k] += alpha * v
	}
}
