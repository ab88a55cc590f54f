package eval

import "slices"

// median32 returns the median of values (mean of the middle two for an even
// count) without modifying them; values must be non-empty.
func median32(values []float32) float64 {
	sorted := slices.Clone(values)
	slices.Sort(sorted)
	m := len(sorted) / 2
	if len(sorted)%2 == 1 {
		return float64(sorted[m])
	}
	return (float64(sorted[m-1]) + float64(sorted[m])) / 2
}
