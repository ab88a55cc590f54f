package cluster

// MinMaxNormalise returns a copy of points with every dimension mapped
// linearly onto [0, 1] (minimum → 0, maximum → 1). A dimension that is
// constant over all points maps to 0, so the result never holds NaN.
// It returns an error when the points do not all have the same dimension or
// hold a NaN or infinite coordinate.
func MinMaxNormalise(points [][]float64) ([][]float64, error) {
	d, err := dimensionOf(points)
	if err != nil {
		return nil, err
	}
	out := make([][]float64, len(points))
	if len(points) == 0 {
		return out, nil
	}
	lo := append([]float64(nil), points[0]...)
	hi := append([]float64(nil), points[0]...)
	for _, p := range points {
		for c, v := range p {
			lo[c] = min(lo[c], v)
			hi[c] = max(hi[c], v)
		}
	}
	for i, p := range points {
		row := make([]float64, d)
		for c, v := range p {
			if span := hi[c] - lo[c]; span > 0 {
				row[c] = (v - lo[c]) / span
			}
		}
		out[i] = row
	}
	return out, nil
}
