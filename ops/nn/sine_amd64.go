//go:build amd64 && !purego

package nn

import (
	"math"

	"github.com/ngs-lab/ngs/internal/cpu"
)

// hasSineAVX512 reports whether sineActivate uses the AVX-512 kernel.
var hasSineAVX512 = cpu.AVX512F

// sineConsts are the constants of sincosFast (float32 bits), in the order
// that sineAVX512 loads them.
var sineConsts = [16]uint32{
	math.Float32bits(twoOverPi), math.Float32bits(roundMagic),
	math.Float32bits(pio2Hi), math.Float32bits(pio2Lo),
	math.Float32bits(sinC1), math.Float32bits(sinC2), math.Float32bits(sinC3),
	math.Float32bits(cosC1), math.Float32bits(cosC2), math.Float32bits(cosC3),
	math.Float32bits(0.5), math.Float32bits(1),
	0x7fffffff, math.Float32bits(sinFastBound), 1, 2,
}

// sineAVX512 is sineActivate over n values (a multiple of 16), 16 at a time.
// It stops before the first block of 16 holding a value with |om·h| beyond
// sinFastBound (or NaN) and returns the number of values done.
//
//go:noescape
func sineAVX512(h, dh *float32, n int, c *[16]uint32, om float32) int

// sineActivate sets h[k] = sin(om·h[k]) and dh[k] = om·cos(om·h[k]), the
// derivative that the backward pass needs.
func sineActivate(h, dh []float32, om float32) {
	dh = dh[:len(h)]
	if !hasSineAVX512 {
		sineActivateGo(h, dh, om)
		return
	}
	for len(h) >= 16 {
		n := len(h) &^ 15
		done := sineAVX512(&h[0], &dh[0], n, &sineConsts, om)
		h, dh = h[done:], dh[done:]
		if done < n { // a block with a large argument or NaN
			sineActivateGo(h[:16], dh[:16], om)
			h, dh = h[16:], dh[16:]
		}
	}
	sineActivateGo(h, dh, om)
}
