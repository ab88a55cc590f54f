//go:build !amd64 || purego

package nn

// hasSineAVX512 is false where there is no assembly kernel.
var hasSineAVX512 = false

// sineActivate sets h[k] = sin(om·h[k]) and dh[k] = om·cos(om·h[k]), the
// derivative that the backward pass needs.
func sineActivate(h, dh []float32, om float32) {
	sineActivateGo(h, dh, om)
}
