package cluster

import (
	"fmt"
	"math"
)

// dimensionOf returns the common length of every point, or an error naming the
// first point whose length differs or that holds a NaN or infinite coordinate.
// An empty set has dimension 0.
func dimensionOf(points [][]float64) (int, error) {
	if len(points) == 0 {
		return 0, nil
	}
	d := len(points[0])
	for i, p := range points {
		if len(p) != d {
			return 0, fmt.Errorf("cluster: point %d has %d coordinates, expected %d like point 0", i, len(p), d)
		}
		for c, v := range p {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return 0, fmt.Errorf("cluster: point %d coordinate %d is %v, expected a finite number", i, c, v)
			}
		}
	}
	return d, nil
}

// flatten copies points into one row-major slice of n·d values.
func flatten(points [][]float64, d int) []float64 {
	flat := make([]float64, len(points)*d)
	for i, p := range points {
		copy(flat[i*d:(i+1)*d], p)
	}
	return flat
}

// rowsOf splits a row-major slice of n·d float32 values into n float64 points.
func rowsOf(flat []float32, n, d int) [][]float64 {
	points := make([][]float64, n)
	for i := range points {
		row := make([]float64, d)
		for c := range row {
			row[c] = float64(flat[i*d+c])
		}
		points[i] = row
	}
	return points
}

// squaredDistance is the squared Euclidean distance between two equal-length vectors.
func squaredDistance(a, b []float64) float64 {
	var s float64
	for c, v := range a {
		diff := v - b[c]
		s += diff * diff
	}
	return s
}

// relabelByFirstAppearance renumbers labels so that they appear as 0, 1, 2, …
// when read left to right, and returns the number of distinct labels.
func relabelByFirstAppearance(labels []int) int {
	next := 0
	renamed := make(map[int]int)
	for i, l := range labels {
		r, ok := renamed[l]
		if !ok {
			r = next
			renamed[l] = r
			next++
		}
		labels[i] = r
	}
	return next
}
