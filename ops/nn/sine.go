package nn

import "math"

// Fast float32 sine and cosine for the SIREN activation. The argument is
// reduced to r in [-π/4, π/4] by the nearest multiple j of π/2 with a
// two-part Cody–Waite constant (π/2 = pio2Hi + pio2Lo, pio2Hi with 14
// significant bits so that j·pio2Hi and x − j·pio2Hi are exact for
// |x| ≤ sinFastBound), and sin r and cos r are Cephes' sinf/cosf minimax
// polynomials. The quadrant j mod 4 then picks ±sin r or ±cos r without
// branches. The absolute error is below 2e-7 on the fast range; beyond it,
// and for NaN and ±Inf, math.Sincos is used.
const (
	sinFastBound = 1024

	twoOverPi = 0.63661977236758134308 // 2/π
	pio2Hi    = 1.57080078125          // 12868·2⁻¹³
	pio2Lo    = -4.4544551033807686783e-6
	// roundMagic is 1.5·2²³: adding it to |y| < 2²² rounds y to an integer
	// held in the low mantissa bits.
	roundMagic = 12582912

	sinC1 = -1.6666654611e-1
	sinC2 = 8.3321608736e-3
	sinC3 = -1.9515295891e-4
	cosC1 = 4.166664568298827e-2
	cosC2 = -1.388731625493765e-3
	cosC3 = 2.443315711809948e-5
)

// sincos32 returns sin x and cos x.
func sincos32(x float32) (sin, cos float32) {
	if !(absf32(x) <= sinFastBound) {
		s, c := math.Sincos(float64(x))
		return float32(s), float32(c)
	}
	return sincosFast(x)
}

// sin32 returns sin x.
func sin32(x float32) float32 {
	s, _ := sincos32(x)
	return s
}

// cos32 returns cos x.
func cos32(x float32) float32 {
	_, c := sincos32(x)
	return c
}

// sincosFast is sincos32 for |x| ≤ sinFastBound.
func sincosFast(x float32) (sin, cos float32) {
	t := float32(x*twoOverPi) + roundMagic
	q := math.Float32bits(t) // j mod 4 in the low bits
	j := t - roundMagic
	r := float32(x-j*pio2Hi) - j*pio2Lo
	z := r * r
	sp := r + r*z*(sinC1+z*(sinC2+z*sinC3))
	cp := 1 - 0.5*z + z*z*(cosC1+z*(cosC2+z*cosC3))
	sb, cb := math.Float32bits(sp), math.Float32bits(cp)
	swap := -(q & 1) // all ones in odd quadrants, where sin and cos trade places
	sinb := (sb &^ swap) | (cb & swap)
	cosb := (cb &^ swap) | (sb & swap)
	sinb ^= (q & 2) << 30
	cosb ^= ((q + 1) & 2) << 30
	return math.Float32frombits(sinb), math.Float32frombits(cosb)
}

// sineActivateGo is sineActivate in Go. The body is sincosFast written out,
// as the compiler does not inline it.
func sineActivateGo(h, dh []float32, om float32) {
	dh = dh[:len(h)]
	for k, v := range h {
		x := om * v
		if !(absf32(x) <= sinFastBound) {
			s, c := sincos32(x)
			h[k], dh[k] = s, om*c
			continue
		}
		t := float32(x*twoOverPi) + roundMagic
		q := math.Float32bits(t)
		j := t - roundMagic
		r := float32(x-j*pio2Hi) - j*pio2Lo
		z := r * r
		sp := r + r*z*(sinC1+z*(sinC2+z*sinC3))
		cp := 1 - 0.5*z + z*z*(cosC1+z*(cosC2+z*cosC3))
		sb, cb := math.Float32bits(sp), math.Float32bits(cp)
		swap := -(q & 1)
		sinb := (sb&^swap | cb&swap) ^ (q&2)<<30
		cosb := (cb&^swap | sb&swap) ^ ((q+1)&2)<<30
		h[k] = math.Float32frombits(sinb)
		dh[k] = om * math.Float32frombits(cosb)
	}
}

// absf32 is |x| (NaN stays NaN).
func absf32(x float32) float32 {
	return math.Float32frombits(math.Float32bits(x) &^ (1 << 31))
}
