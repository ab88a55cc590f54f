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
	rows := len(cost)
	if rows == 0 {
		return []int{}, 0, nil
	}
	cols := len(cost[0])
	for r, row := range cost {
		if len(row) != cols {
			return nil, 0, fmt.Errorf("cluster: cost row %d has %d entries, expected %d like row 0", r, len(row), cols)
		}
		for c, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, 0, fmt.Errorf("cluster: cost[%d][%d] is %v, expected a finite number", r, c, v)
			}
		}
	}
	assignment = make([]int, rows)
	if cols == 0 {
		for r := range assignment {
			assignment[r] = -1
		}
		return assignment, 0, nil
	}
	if rows <= cols {
		copy(assignment, assignRowsToColumns(cost, rows, cols))
	} else {
		byColumn := assignRowsToColumns(transpose(cost, rows, cols), cols, rows)
		for r := range assignment {
			assignment[r] = -1
		}
		for c, r := range byColumn {
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

// assignRowsToColumns is the shortest-augmenting-path Hungarian method for
// n ≤ m: every row gets a distinct column. Internally rows and columns are
// numbered from 1, with column 0 a sentinel holding the row being inserted.
func assignRowsToColumns(cost [][]float64, n, m int) []int {
	u := make([]float64, n+1)
	v := make([]float64, m+1)
	owner := make([]int, m+1) // owner[j] = row assigned to column j (0 = free)
	way := make([]int, m+1)
	minSlack := make([]float64, m+1)
	used := make([]bool, m+1)
	for i := 1; i <= n; i++ {
		owner[0] = i
		for j := range minSlack {
			minSlack[j] = math.Inf(1)
			used[j] = false
		}
		j0 := 0
		for {
			used[j0] = true
			i0, delta, j1 := owner[j0], math.Inf(1), 0
			for j := 1; j <= m; j++ {
				if used[j] {
					continue
				}
				if slack := cost[i0-1][j-1] - u[i0] - v[j]; slack < minSlack[j] {
					minSlack[j], way[j] = slack, j0
				}
				if minSlack[j] < delta {
					delta, j1 = minSlack[j], j
				}
			}
			for j := 0; j <= m; j++ {
				if used[j] {
					u[owner[j]] += delta
					v[j] -= delta
				} else {
					minSlack[j] -= delta
				}
			}
			j0 = j1
			if owner[j0] == 0 {
				break
			}
		}
		for j0 != 0 {
			j1 := way[j0]
			owner[j0] = owner[j1]
			j0 = j1
		}
	}
	result := make([]int, n)
	for j := 1; j <= m; j++ {
		if owner[j] != 0 {
			result[owner[j]-1] = j - 1
		}
	}
	return result
}
