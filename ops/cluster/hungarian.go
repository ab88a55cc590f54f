package cluster

import (
	"fmt"
	"math"
)

// Hungarian solves the linear assignment problem for a rows×cols cost matrix:
// it pairs rows with distinct columns so that min(rows, cols) pairs are made
// and their total cost is least. assignment[r] is the column given to row r,
// or -1 when there are more rows than columns and row r is left out. It runs
// in O(min² · max) time (shortest augmenting paths with dual potentials).
// An error is returned for a ragged matrix or a NaN or infinite cost.
func Hungarian(cost [][]float64) (assignment []int, total float64, err error) {
	rows, cols, err := costShape(cost)
	if err != nil {
		return nil, 0, err
	}
	assignment = make([]int, rows)
	for r := range assignment {
		assignment[r] = -1
	}
	switch {
	case cols == 0:
	case rows <= cols:
		copy(assignment, assignRowsToColumns(cost, rows, cols))
	default:
		for c, r := range assignRowsToColumns(transpose(cost, rows, cols), cols, rows) {
			assignment[r] = c
		}
	}
	for r, c := range assignment {
		if c >= 0 {
			total += cost[r][c]
		}
	}
	return assignment, total, nil
}

// costShape returns the dimensions of a cost matrix, rejecting ragged rows
// and non-finite costs.
func costShape(cost [][]float64) (rows, cols int, err error) {
	if len(cost) == 0 {
		return 0, 0, nil
	}
	cols = len(cost[0])
	for r, row := range cost {
		if len(row) != cols {
			return 0, 0, fmt.Errorf("cluster: cost row %d has %d entries, expected %d like row 0", r, len(row), cols)
		}
		for c, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return 0, 0, fmt.Errorf("cluster: cost[%d][%d] is %v, expected a finite number", r, c, v)
			}
		}
	}
	return len(cost), cols, nil
}

// transpose returns the cols×rows transpose of a rows×cols matrix.
func transpose(a [][]float64, rows, cols int) [][]float64 {
	t := make([][]float64, cols)
	for c := range t {
		t[c] = make([]float64, rows)
		for r := 0; r < rows; r++ {
			t[c][r] = a[r][c]
		}
	}
	return t
}

// hungarianState is the state of the shortest-augmenting-path Hungarian method
// for n ≤ m. Rows and columns are numbered from 1; column 0 is a sentinel
// holding the row being inserted.
type hungarianState struct {
	cost     [][]float64
	n, m     int
	u, v     []float64 // dual potentials of rows and columns
	owner    []int     // owner[j] = row assigned to column j (0 = free)
	way      []int     // way[j] = previous column on the shortest path to j
	minSlack []float64
	used     []bool
}

// assignRowsToColumns gives every one of n rows a distinct column of m ≥ n
// at least total cost and returns each row's column.
func assignRowsToColumns(cost [][]float64, n, m int) []int {
	a := &hungarianState{cost: cost, n: n, m: m,
		u: make([]float64, n+1), v: make([]float64, m+1),
		owner: make([]int, m+1), way: make([]int, m+1),
		minSlack: make([]float64, m+1), used: make([]bool, m+1)}
	for i := 1; i <= n; i++ {
		a.augment(i)
	}
	result := make([]int, n)
	for j := 1; j <= m; j++ {
		if a.owner[j] != 0 {
			result[a.owner[j]-1] = j - 1
		}
	}
	return result
}

// augment inserts row i: it grows a shortest-path tree of tight edges,
// adjusting the potentials, until it reaches a free column, then flips the
// assignment along the path.
func (a *hungarianState) augment(i int) {
	a.owner[0] = i
	for j := range a.minSlack {
		a.minSlack[j], a.used[j] = math.Inf(1), false
	}
	j0 := 0
	for a.owner[j0] != 0 {
		j0 = a.extendTree(j0)
	}
	for j0 != 0 {
		j1 := a.way[j0]
		a.owner[j0] = a.owner[j1]
		j0 = j1
	}
}

// extendTree adds column j0 to the tree, updates slacks and potentials, and
// returns the next column reached (the one of least slack).
func (a *hungarianState) extendTree(j0 int) int {
	a.used[j0] = true
	i0, delta, j1 := a.owner[j0], math.Inf(1), 0
	for j := 1; j <= a.m; j++ {
		if a.used[j] {
			continue
		}
		if slack := a.cost[i0-1][j-1] - a.u[i0] - a.v[j]; slack < a.minSlack[j] {
			a.minSlack[j], a.way[j] = slack, j0
		}
		if a.minSlack[j] < delta {
			delta, j1 = a.minSlack[j], j
		}
	}
	for j := 0; j <= a.m; j++ {
		if a.used[j] {
			a.u[a.owner[j]] += delta
			a.v[j] -= delta
		} else {
			a.minSlack[j] -= delta
		}
	}
	return j1
}
