package lang

// Closest returns the candidate nearest to name by edit distance, if it is
// near enough to be a likely misspelling (no hint for names of one or two
// letters, at most 1 edit up to 4 letters, 2 beyond), else "". Ties go to
// a candidate of the same length, then to the earlier candidate, so list
// the innermost names first.
func Closest(name string, candidates []string) string {
	limit := 1
	switch {
	case len(name) <= 2:
		return ""
	case len(name) > 4:
		limit = 2
	}
	best, bestDist := "", limit+1
	for _, c := range candidates {
		if c == name || c == "" {
			continue
		}
		d := editDistance(name, c, bestDist+1)
		better := d < bestDist || d == bestDist && best != "" && len(c) == len(name) && len(best) != len(name)
		if better {
			best, bestDist = c, d
		}
	}
	if bestDist > limit {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, or a value
// >= bound once it is known to reach bound.
func editDistance(a, b string, bound int) int {
	if abs(len(a)-len(b)) >= bound {
		return bound
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin >= bound {
			return bound
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
