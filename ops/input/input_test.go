package input

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ngs-lab/ngs/ops/npy"
)

// patternMovie returns frames whose pixel (f, r, c) = f·10000 + r·100 + c.
func patternMovie(frames, size int) []float32 {
	px := make([]float32, frames*size*size)
	for f := 0; f < frames; f++ {
		for r := 0; r < size; r++ {
			for c := 0; c < size; c++ {
				px[(f*size+r)*size+c] = float32(f*10000 + r*100 + c)
			}
		}
	}
	return px
}

func TestMovieRotatesClockwiseAndFlattens(t *testing.T) {
	m, err := NewMovie(patternMovie(257, 32), 257, 32, 32, 1024, 1100)
	if err != nil {
		t.Fatal(err)
	}
	e := make([]float32, 1100)
	if err := m.Fill(e, Step{Frame: 500, Frames: 1000}); err != nil {
		t.Fatal(err)
	}
	// frame int(500/1000·256) = 128; out[r][c] = img[31-c][r] on neuron r·32+c.
	for _, rc := range [][2]int{{0, 0}, {0, 31}, {5, 7}, {31, 0}, {31, 31}} {
		r, c := rc[0], rc[1]
		want := float32(128*10000 + (31-c)*100 + r)
		if got := e[r*32+c]; got != want {
			t.Fatalf("neuron (%d,%d) = %v, want %v", r, c, got, want)
		}
	}
	if e[1024] != 1 || e[1099] != 1 {
		t.Fatalf("non-input neurons get %v, %v; want 1", e[1024], e[1099])
	}
	if m.FrameIndex(999, 1000) != 255 || m.FrameIndex(0, 1000) != 0 {
		t.Fatalf("frame index of the last frame %d", m.FrameIndex(999, 1000))
	}
	if err := m.Fill(e, Step{Frame: -3, Frames: 1000, Burnin: true}); err != nil || e[0] != 0 || e[1050] != 0 {
		t.Fatalf("burn-in input must be 0 everywhere: %v %v %v", e[0], e[1050], err)
	}
	neurons, x, y := m.Positions()
	if len(neurons) != 1024 || x[31] != 1 || y[31] != 0 || y[1023] != 1 {
		t.Fatalf("positions: %d, x[31] %v y[31] %v y[1023] %v", len(neurons), x[31], y[31], y[1023])
	}
}

func TestMovieErrors(t *testing.T) {
	if _, err := NewMovie(patternMovie(2, 4), 2, 4, 4, 17, 100); err == nil || !strings.Contains(err.Error(), "fewer than the 17") {
		t.Fatalf("too few pixels: %v", err)
	}
	if _, err := NewMovie(patternMovie(2, 4), 2, 4, 4, 16, 10); err == nil || !strings.Contains(err.Error(), "network has 10") {
		t.Fatalf("K > N: %v", err)
	}
	path := filepath.Join(t.TempDir(), "flat.npy")
	npy.WriteFloat32(path, make([]float32, 16), 16)
	if _, err := LoadMovie(path, 4, 10); err == nil || !strings.Contains(err.Error(), "3-D") {
		t.Fatalf("2-D movie: %v", err)
	}
}

// TestReferenceMovie loads every 16th frame of the reference's Fig 3 movie
// (17 of its 257 frames of 32×32 pixels, copied into testdata from
// shared/reference/fig3_movie.npy; the whole movie's mean is 1.0784, this
// subset's 1.0775).
func TestReferenceMovie(t *testing.T) {
	m, err := LoadMovie(filepath.Join("testdata", "fig3_movie_every16.npy"), 1024, 2048)
	if err != nil {
		t.Fatal(err)
	}
	e := make([]float32, 2048)
	sum := 0.0
	for k := 0; k < 1000; k += 10 {
		if err := m.Fill(e, Step{Frame: k, Frames: 1000}); err != nil {
			t.Fatal(err)
		}
		for _, v := range e[:1024] {
			if v < 0.49 || v > 1.49 {
				t.Fatalf("pixel value %v outside the movie's range", v)
			}
			sum += float64(v)
		}
	}
	if mean := sum / (100 * 1024); math.Abs(mean-1.078) > 0.05 {
		t.Fatalf("mean input %v, the movie's mean is 1.078", mean)
	}
}

func TestOscillation(t *testing.T) {
	o := NewOscillation(500, 2, 0.25, rand.New(rand.NewPCG(1, 2)))
	e0, e1 := make([]float32, 500), make([]float32, 500)
	o.Fill(e0, Step{Time: 0})
	o.Fill(e1, Step{Time: 2}) // cos(2π·0.25·2) = -1
	lo, hi := float32(0), float32(0)
	for i := range e0 {
		lo, hi = min(lo, e0[i]), max(hi, e0[i])
		if math.Abs(float64(e1[i]+e0[i])) > 1e-5 {
			t.Fatalf("neuron %d: e(2) = %v, want -e(0) = %v", i, e1[i], -e0[i])
		}
	}
	if lo < -2 || hi > 2 || lo > -1.8 || hi < 1.8 {
		t.Fatalf("amplitudes span [%v, %v], want about [-2, 2]", lo, hi)
	}
}

func TestTriggeredImpulsesDecay(t *testing.T) {
	tr, err := NewTriggered(200, TriggerOptions{Events: 4, Fraction: 0.3, Amplitude: 5, Frequency: 1, Decay: 0.5}, rand.New(rand.NewPCG(5, 6)))
	if err != nil {
		t.Fatal(err)
	}
	e := make([]float32, 200)
	peak := func(frame int) float64 {
		tr.Fill(e, Step{Frame: frame, Frames: 4000, Dt: 0.01})
		m := 0.0
		for _, v := range e {
			m = math.Max(m, math.Abs(float64(v)))
		}
		return m
	}
	start := int(math.Ceil(tr.offsets[0] * 4000))
	if peak(start-1) != 0 || peak(start) < 4.5 {
		t.Fatalf("event 0 at frame %d: before %v, at %v", start, peak(start-1), peak(start))
	}
	if p := peak(start + 200); p > 5*math.Exp(-2/0.5)*1.01 {
		t.Fatalf("2 time units later the envelope is %v, want ≤ %v", p, 5*math.Exp(-4))
	}
	if _, err := NewTriggered(10, TriggerOptions{}, rand.New(rand.NewPCG(1, 1))); err == nil {
		t.Fatal("zero events accepted")
	}
}

func TestFieldAndTable(t *testing.T) {
	f := NewField(9, func(t float64, i int, x, y float64) float64 { return t + float64(i) + 10*x + 100*y })
	e := make([]float32, 9)
	if err := f.Fill(e, Step{Time: 0.5}); err != nil {
		t.Fatal(err)
	}
	if e[5] != float32(0.5+5+10*1+100*0.5) {
		t.Fatalf("field at neuron 5 (x 1, y 0.5) = %v", e[5])
	}
	bad := NewField(3, func(float64, int, float64, float64) float64 { panic("boom") })
	if err := bad.Fill(make([]float32, 3), Step{}); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("panicking field: %v", err)
	}
	tab, _ := NewTable([]float32{1, 2, 3, 4}, 2, 2)
	e = make([]float32, 2)
	if err := tab.Fill(e, Step{Frame: 1}); err != nil || e[0] != 3 {
		t.Fatalf("table row 1: %v %v", e, err)
	}
	if err := tab.Fill(e, Step{Frame: 2}); err == nil {
		t.Fatal("frame beyond the table accepted")
	}
}
